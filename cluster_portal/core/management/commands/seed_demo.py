"""Loads the demo data: the programme, its workstreams, organisations and one person per role.

Idempotent: running it again adds nothing that is already there. Each app owns its part in its
`demo` module; this command only calls them in order.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cluster_portal.accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo_people
from partners.demo import seed_organisations
from workstreams.demo import seed_programme_and_workstreams


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
        with transaction.atomic():
            people = seed_demo_people()
            seed_programme_and_workstreams(lead=people["staff@example.org"])
            seed_organisations(people=people)
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Demo logins:"))
        for email, _, _, what in DEMO_PEOPLE:
            self.stdout.write(f"  {email:<30} {DEMO_PASSWORD}   ({what})")
        self.stdout.write(
            "Programme staff and admins are asked to set up an authenticator app (MFA) "
            "on their first staff page."
        )
