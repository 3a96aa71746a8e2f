"""The programme office's view of what the portal told people and the mail it sent.

The outbox is read-only: rows are written by services and settled by the sending task. What an
admin does to it goes through services: send a failed or held e-mail again, lift a suppressed
address. Failed mail is the first thing the outbox list shows.
"""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.utils.html import format_html

from cluster_portal.core.service_admin import ReadOnlyAdmin, run_for_each

from .models import Notification, OutgoingEmail, SuppressedAddress
from .services import outgoing_email_resend, suppressed_address_lift


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "delivery", "read_at"]
    list_filter = ["kind", "delivery", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "message"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "kind", "message", "url", "actor", "created_at", "read_at",
                       "delivery", "email"]
    date_hierarchy = "created_at"


# Failed and held mail needs a person; it comes first, then what waits, then the history.
STATUS_ORDER = Case(
    When(status=OutgoingEmail.Status.FAILED, then=Value(0)),
    When(status=OutgoingEmail.Status.HELD, then=Value(1)),
    When(status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING], then=Value(2)),
    default=Value(3), output_field=IntegerField(),
)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "kind", "status_badge", "attempts",
                    "short_error", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = ["to", "recipient", "reply_to", "subject", "kind", "status", "attempts",
              "next_attempt_at", "last_error", "created_at", "sent_at", "message_id",
              "headers", "text_shown"]
    readonly_fields = fields

    def get_ordering(self, request):
        return [STATUS_ORDER.asc(), "-created_at", "-pk"]

    @admin.display(description="status", ordering="status")
    def status_badge(self, email):
        colours = {"failed": "#ba2121", "held": "#b35c00", "sent": "#2d7a2d"}
        return format_html('<strong style="color:{}">{}</strong>',
                           colours.get(email.status, "inherit"), email.get_status_display())

    @admin.display(description="last error")
    def short_error(self, email):
        return email.last_error[:120]

    @admin.display(description="text")
    def text_shown(self, email):
        if email.sealed:
            erased = {OutgoingEmail.Status.SENT: " (erased once it was sent).",
                      OutgoingEmail.Status.CANCELLED: " (erased when it was cancelled)."}
            return ("Sealed: it carries a one-time link or code, so it is not shown here"
                    + (erased.get(email.status, ".") if not email.body_text else "."))
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', email.body_text)

    @admin.action(description="Send the selected e-mails again")
    def resend(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda email: outgoing_email_resend(actor=request.user, email=email),
                     done="{count} e-mail(s) queued to be sent again.")


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(ReadOnlyAdmin):
    list_display = ["address", "reason", "created_at"]
    search_fields = ["address"]
    readonly_fields = ["address", "reason", "bounced_email", "created_at"]
    actions = ["lift"]

    @admin.action(description="Let mail go to the selected addresses again")
    def lift(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda row: suppressed_address_lift(actor=request.user, address=row.address),
                     done="{count} address(es) may receive mail again.")
