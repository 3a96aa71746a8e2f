"""Send what the e-mail outbox holds that is due now. Beat's sweeper does this every minute
where a worker runs; without one (`make run`), this is the later try for mail that failed."""

from django.core.management.base import BaseCommand

from cluster_portal.notifications.models import OutgoingEmail
from cluster_portal.notifications.services import outgoing_email_send


class Command(BaseCommand):
    help = "Send the e-mails of the outbox that are due now (one try each)."

    def handle(self, *args, **options):
        due = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).values_list(
            "pk", flat=True)
        outcomes: dict[str, int] = {}
        for pk in list(due):
            outcome = outgoing_email_send(email_id=pk)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(summary or "Nothing is waiting in the outbox.")
