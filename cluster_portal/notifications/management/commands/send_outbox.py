"""Send what the e-mail outbox holds that could go now. Beat's sweeper does this every minute
where a worker runs; without one (`make run`), this is the later try for mail that failed."""

from django.core.management.base import BaseCommand

from cluster_portal.notifications.services import outgoing_emails_send_due


class Command(BaseCommand):
    help = "Send the e-mails of the outbox that are due now (one try each), in this process."

    def handle(self, *args, **options):
        outcomes = outgoing_emails_send_due()
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(summary or "Nothing is waiting in the outbox.")
