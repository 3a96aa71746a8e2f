"""`manage.py seed_bench --scale N`: builds the benchmark dataset (benchmarks/seed/) into an
empty portal and says what it made and how long it took.

It bypasses the services on purpose: a dataset to measure the portal against, not business
actions (benchmarks/seed/ says how it keeps the derived fields as the services would).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from benchmarks.seed import EMAIL_DOMAIN, BenchSeeder, reset_portal
from partners.models import Organisation
from workstreams.models import Programme


class Command(BaseCommand):
    help = ("Build the benchmark dataset in bulk (scale 1: 500 organisations, 20,000 people, "
            "2,000 projects, 100,000 enrolments, 200,000 notifications, and the join requests, "
            "agreements, project work, sessions, attendance and report jobs around them). Runs "
            "only on a portal without organisations or programmes, unless --reset is given.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Size relative to the programme scale (0.01 for tests).")
        parser.add_argument("--seed", type=int, default=14,
                            help="The random seed: the same seed gives the same dataset.")
        parser.add_argument("--reset", action="store_true",
                            help="First DELETE every organisation, programme, workstream, "
                                 "course, run, enrolment and project (with the projects' audit "
                                 "events), and the benchmark's people "
                                 f"(@{EMAIL_DOMAIN}) with their report jobs.")

    def handle(self, *args, scale: float, seed: int, reset: bool, **options):
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        started = time.monotonic()
        if reset:
            with transaction.atomic():
                reset_portal()
            self.stdout.write(f"Reset: {time.monotonic() - started:.1f} s")
        elif Organisation.objects.exists() or Programme.objects.exists():
            raise CommandError(
                "This database already holds organisations or programmes; seed_bench builds "
                "only into an empty portal. Use a throwaway database, or give --reset to "
                "delete them (and everything that hangs from them) first.")
        seeder = BenchSeeder(scale=scale, seed=seed)
        seeder.build(self.stdout.write)
        # The planner's statistics and the tables' visibility maps, as autovacuum would have
        # them in time on a live portal: without statistics the first plans on a freshly loaded
        # table are a guess from empty tables, and without the maps an index-only scan (the
        # ids of a page far down a list) still reads every row it passes.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM runs outside a transaction only (a test's, say: there, ANALYZE alone).
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        counts = seeder.counts
        self.stdout.write(self.style.SUCCESS(
            f"Benchmark dataset (scale {scale:g}, seed {seed}) built in "
            f"{time.monotonic() - started:.1f} s: {counts.organisations:,} organisations, "
            f"{counts.people:,} people ({counts.staff} programme staff), "
            f"{counts.workstreams} workstreams, {counts.projects:,} projects with "
            f"{counts.milestones:,} milestones and {counts.status_updates:,} status updates, "
            f"{counts.courses:,} courses, {counts.runs:,} runs, {counts.enrolments:,} "
            f"enrolments, {counts.notifications:,} notifications; and "
            + ", ".join(f"{count:,} {what}" for what, count in seeder.made.items()) + "."))
