"""Loads the skills framework from talent/data/skills_framework.csv (idempotent)."""

from django.core.management.base import BaseCommand

from cluster_portal.core.actors import SYSTEM
from talent.services import skills_framework_load


class Command(BaseCommand):
    help = "Add the skills framework's skills and bring existing ones up to date (by code)."

    def handle(self, *args, **options):
        result = skills_framework_load(actor=SYSTEM)
        self.stdout.write(self.style.SUCCESS(
            f"Skills framework: {result['added']} added, {result['changed']} brought up to date."))
