"""The benchmark dataset's builders (run by `manage.py seed_bench`): the portal at programme
scale, in bulk, from a fixed seed.

At scale 1: 500 organisations (40 waiting for approval), 20,000 people, 10 workstreams, 2,000
projects with 20,000 milestones and 24,000 status updates, 300 courses with 3,000 runs and
100,000 enrolments, and 200,000 notifications; around them, join requests, agreements, each
project's lifecycle moves, team, skill needs, contributions, deliverables and history, the
runs' sessions and attendance, and report jobs, so that every list has rows to page through.
The same scale and seed give the same rows (dates are laid out around today, so the same day
gives the same dates).

It bypasses the services on purpose: this is a dataset to measure the portal against, not a
record of business actions, and a service call per row would take hours (no e-mails, no
notifications of its own; audit events only for the projects' history page). It writes with
bulk_create instead, and so must leave every derived field exactly as the services would: a
run's seats_taken, a project's latest_rag, latest_update_on, trl_current and last decision,
project codes with their sequence rows, organisations' name_key and tier_status, the
membership an approved join request started, and the times rows were made where a list shows
or sorts by them.
"""

import datetime
import random
import time

from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from talent.services import skills_framework_load

from .common import (
    EMAIL_DOMAIN,
    PASSWORD,
    SAMPLE_PDF,
    BenchCounts,
    at_noon,
    bench_counts,
    reset_portal,
    write_private_file,
)
from .people import PeopleSection
from .platform import PlatformSection
from .projects import ProjectsSection
from .talent import TalentSection

__all__ = ["EMAIL_DOMAIN", "PASSWORD", "BenchCounts", "BenchSeeder", "bench_counts", "reset_portal"]


class BenchSeeder(PeopleSection, ProjectsSection, TalentSection, PlatformSection):
    """Builds the dataset section by section; each section is one transaction."""

    def __init__(self, *, scale: float, seed: int):
        self.counts, self.seed = bench_counts(scale), seed
        # What the sections after the first five made, by name, for the command's summary.
        self.made: dict[str, int] = {}
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable on purpose
        self.today = timezone.localdate()
        self.now = timezone.now()

    # --- what the programme's people did: requests, agreements, project work -----------------
    # Each of these sections draws from a random stream of its own (`_rng`), so adding one never
    # changes the rows of the others.

    def _rng(self, section: str) -> random.Random:
        return random.Random(f"{self.seed}:{section}")  # noqa: S311 - made-up, repeatable

    def _days_ago(self, rng: random.Random, least: int, most: int) -> datetime.datetime:
        """Noon of a day `least` to `most` days ago, and never later than an hour ago (today's
        noon may be still to come)."""
        day = self.today - datetime.timedelta(days=rng.randint(least, most))
        return min(at_noon(day), self.now - datetime.timedelta(hours=1))

    def build(self, say) -> None:
        self.sample_files = {"deliverable": write_private_file(
            "projects/deliverables/bench-deliverable.pdf", SAMPLE_PDF)}
        skills_framework_load(actor=SYSTEM)
        for step in (self.organisations_and_people, self.workstreams, self.projects,
                     self.courses_and_runs, self.notifications, self.join_requests,
                     self.agreements, self.project_work, self.skills_taught,
                     self.sessions_and_attendance, self.report_jobs):
            started = time.monotonic()
            step()
            say(f"  {step.__name__.replace('_', ' ')}: {time.monotonic() - started:.1f} s")
