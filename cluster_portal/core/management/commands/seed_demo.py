"""Loads the demo data: the programme, its workstreams, organisations and one person per role.

Idempotent: running it again adds nothing that is already there. Each app owns its part in its
`demo` module; this command only calls them in order.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cluster_portal.accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo_people
from partners.demo import seed_organisations, seed_people_activity
from partners.models import Invitation, Organisation
from projects.demo import seed_projects
from projects.models import Project
from talent.demo import seed_courses, seed_runs
from talent.models import Course, CourseRun
from workstreams.demo import (
    seed_join_requests,
    seed_members_area,
    seed_programme_and_workstreams,
    seed_workstream_memberships,
)
from workstreams.models import JoinRequest, WorkstreamMembership

# Who takes the demo's courses, first in line first: the trainee sees seats, a waitlist place
# and completed courses in "My learning".
COURSE_GOERS = ["trainee@example.org", "partner.member@example.org", "partner.admin@example.org"]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true",
            help="Seed even though DEBUG is off (never do this on the real portal).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production and not getattr(settings, "TESTING", False):
            raise CommandError("Refusing to load demo data with DEBUG off; see --allow-production.")
        # One transaction: a failed seed leaves nothing half-made, and the invitation e-mails
        # go out (on commit) only once everything is in place.
        with transaction.atomic():
            people = seed_demo_people()
            programme = seed_programme_and_workstreams(lead=people["staff@example.org"])
            organisations = seed_organisations(people=people)
            seed_workstream_memberships(programme=programme, organisations=organisations)
            seed_join_requests(programme=programme, organisations=organisations)
            seed_people_activity(people=people, organisations=organisations)
            seed_members_area(programme=programme, uploaded_by=people["staff@example.org"])
            courses = seed_courses(programme=programme)
            seed_runs(courses=courses, trainer=people["staff@example.org"],
                      trainees=[people[email] for email in COURSE_GOERS])
            seed_projects(programme=programme)
        self.stdout.write(self.style.SUCCESS("Demo data is in place: " + self._summary()))
        self.stdout.write("Demo logins:")
        for email, _, _, what in DEMO_PEOPLE:
            self.stdout.write(f"  {email:<30} {DEMO_PASSWORD}   ({what})")
        self.stdout.write(
            "Every other organisation's partner admin signs in as contact@<name>.example.org "
            "(listed under Organisation memberships in the admin), same password."
        )
        self.stdout.write(
            "Programme staff and admins are asked to set up an authenticator app (MFA) "
            "on their first staff page."
        )

    def _summary(self) -> str:
        organisations = Organisation.objects.all()
        open_invitations = Invitation.objects.open()
        return (
            f"{organisations.count()} organisations "
            f"({organisations.filter(status=Organisation.Status.PENDING).count()} awaiting "
            f"approval), "
            f"{WorkstreamMembership.objects.filter(until__isnull=True).count()} workstream "
            f"memberships, "
            f"{JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).count()} join "
            f"requests in the queue, {open_invitations.count()} open invitations, "
            f"{Course.objects.count()} courses with {CourseRun.objects.count()} runs, "
            f"{Project.objects.count()} projects."
        )
