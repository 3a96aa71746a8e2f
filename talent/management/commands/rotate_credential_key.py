"""Makes a new key sign the portal's Open Badges credentials; the old keys stay published, so
every credential they signed still verifies (a suspected leak, or a yearly routine)."""

from django.core.management.base import BaseCommand

from cluster_portal.core.actors import SYSTEM
from talent.services import credential_signing_key_rotate


class Command(BaseCommand):
    help = ("Make a new Ed25519 key the one that signs Open Badges credentials; earlier keys "
            "stay in the published key set (/.well-known/jwks.json).")

    def add_arguments(self, parser):
        parser.add_argument("--reason", default="", help="Why, for the audit trail.")

    def handle(self, *args, **options):
        key = credential_signing_key_rotate(actor=SYSTEM, reason=options["reason"])
        self.stdout.write(self.style.SUCCESS(f"Credentials are now signed with key {key.kid}."))
