"""The programme office's admin pages for programmes, workstreams and who is in them.

Joining and leaving workstreams, and activating a planned platform, go through the services
(audit and notifications included). Meetings are content: plain CRUD, except that moving one
counts in its calendar sequence. A document is shared through its service (checked, audited,
members told); a meeting's agenda and minutes are attached in the members' area, and shown here.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.service_admin import (
    ReadOnlyInline,
    ServiceBackedAdmin,
    adopt_saved,
    run_for_each,
)

from .models import (
    JoinRequest,
    Programme,
    ProgrammePhase,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMeetingFile,
    WorkstreamMembership,
)
from .services import (
    join_request_approve,
    join_request_decline,
    programme_create,
    programme_phase_create,
    programme_phase_update,
    programme_update,
    workstream_activate,
    workstream_create,
    workstream_document_share,
    workstream_membership_end,
    workstream_update,
)

JOIN_REQUEST_DECLINE_REASON = (
    "The programme office reviewed the request and declined it. Write to the workstream lead "
    "for details."
)
MEMBERSHIP_END_REASON = "Ended by the programme office."


class CreatedByServiceAdmin(ServiceBackedAdmin):
    """New rows come from a `*_create` service (which derives slugs and keeps invariants), and
    changes to existing ones from its `*_update` service (which keeps the same invariants and
    records what changed); the admin only passes the form's fields on."""

    def create_through_service(self, request, form):
        raise NotImplementedError

    def update_through_service(self, request, obj, changed: dict):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = self.update_through_service(
                    request, obj, {name: form.cleaned_data[name] for name in form.changed_data
                                   if name in form.cleaned_data})
            else:
                saved = self.create_through_service(request, form)
        except ValidationError as error:  # e.g. the slug made from the name is already taken
            raise ApplicationError(" ".join(error.messages)) from error
        adopt_saved(obj, saved)


class ProgrammePhaseInline(ReadOnlyInline):
    """The programme's phases, for reading: each is added and changed on its own page, through
    the phase services."""

    model = ProgrammePhase
    fields = ("number", "name", "starts_on", "ends_on")


class ProgrammeAdminForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ("name", "short_name", "tagline", "description", "website")

    website = forms.URLField(required=False, assume_scheme="https",
                             widget=admin.widgets.AdminURLFieldWidget)
    # Not the model's field: its one-featured constraint would refuse what the services do
    # (featuring one programme stops featuring the other).
    feature_on_home_page = forms.BooleanField(
        required=False, label="Featured on the home page",
        help_text="One programme is featured: featuring this one stops featuring the other.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feature_on_home_page"].initial = self.instance.is_featured


@admin.register(Programme)
class ProgrammeAdmin(CreatedByServiceAdmin):
    form = ProgrammeAdminForm
    list_display = ("short_name", "name", "is_featured", "created_at")
    list_filter = ("is_featured",)
    search_fields = ("name", "short_name")
    readonly_fields = ("slug", "created_at")
    inlines = [ProgrammePhaseInline]

    def create_through_service(self, request, form):
        data = form.cleaned_data
        return programme_create(
            actor=request.user, name=data["name"], short_name=data["short_name"],
            tagline=data["tagline"], description=data["description"], website=data["website"],
            is_featured=data["feature_on_home_page"],
        )

    def update_through_service(self, request, obj, changed):
        if "feature_on_home_page" in changed:
            changed["is_featured"] = changed.pop("feature_on_home_page")
        return programme_update(actor=request.user, programme=obj, **changed)


@admin.register(ProgrammePhase)
class ProgrammePhaseAdmin(CreatedByServiceAdmin):
    list_display = ("programme", "number", "name", "starts_on", "ends_on")
    list_filter = ("programme",)
    search_fields = ("name", "programme__name", "programme__short_name")
    list_select_related = ("programme",)

    def create_through_service(self, request, form):
        data = form.cleaned_data
        return programme_phase_create(
            actor=request.user, programme=data["programme"], number=data["number"],
            name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"],
            summary=data["summary"],
        )

    def update_through_service(self, request, obj, changed):
        return programme_phase_update(actor=request.user, phase=obj, **changed)


@admin.register(Workstream)
class WorkstreamAdmin(CreatedByServiceAdmin):
    """Workstreams, shared platforms, sub-workstreams and themes are all added here, as rows."""

    list_display = ("name", "code", "kind", "status", "programme", "parent", "lead",
                    "display_order")
    list_filter = ("programme", "kind", "status")
    search_fields = ("name", "code", "summary")
    list_select_related = ("programme", "parent", "lead")
    autocomplete_fields = ("lead", "parent")
    actions = ["activate_selected"]

    def get_readonly_fields(self, request, obj=None):
        # The slug is derived from the name once (links must not break); status moves only
        # through the "Activate" action, which partners can then see and join.
        return ("slug", "status", "created_at") if obj else ("slug", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def create_through_service(self, request, form):
        data = form.cleaned_data
        return workstream_create(
            actor=request.user, programme=data["programme"], name=data["name"], code=data["code"],
            summary=data["summary"], kind=data["kind"], status=data["status"],
            description=data["description"], parent=data["parent"], lead=data["lead"],
            display_order=data["display_order"],
        )

    def update_through_service(self, request, obj, changed):
        return workstream_update(actor=request.user, workstream=obj, **changed)

    @admin.action(description="Activate selected planned workstreams or platforms",
                  permissions=["change"])
    def activate_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda workstream: workstream_activate(actor=request.user, workstream=workstream),
            done="Activated {count} workstream(s); partners can now ask to join them.",
        )


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    """Requests are made by partner admins (who acknowledge the code of conduct), so none is
    added here. A pending request is decided with the actions; a decided one is history and
    cannot be changed at all."""

    list_display = ("organisation", "workstream", "status", "requested_by", "created_at",
                    "decided_by", "decided_at", "granted_role")
    list_filter = ("status", "workstream__kind", "workstream")
    search_fields = ("organisation__name", "workstream__name", "motivation")
    list_select_related = ("organisation", "workstream", "requested_by", "decided_by")
    date_hierarchy = "created_at"
    readonly_fields = ("organisation", "workstream", "motivation",
                       "code_of_conduct_acknowledged_at", "status", "requested_by",
                       "created_at", "decided_by", "decided_at", "decision_reason",
                       "granted_role")
    fields = readonly_fields
    actions = ["approve_as_core", "approve_as_associate", "approve_as_observer",
               "decline_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_pending:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def _approve(self, request, queryset, role: str):
        label = WorkstreamMembership.Role(role).label.lower()
        run_for_each(
            self, request, queryset,
            lambda join_request: join_request_approve(actor=request.user,
                                                      join_request=join_request, role=role),
            done=f"Approved {{count}} request(s); the organisations joined as {label}.",
        )

    @admin.action(description="Approve selected requests as core member", permissions=["change"])
    def approve_as_core(self, request, queryset):
        self._approve(request, queryset, WorkstreamMembership.Role.CORE)

    @admin.action(description="Approve selected requests as associate member",
                  permissions=["change"])
    def approve_as_associate(self, request, queryset):
        self._approve(request, queryset, WorkstreamMembership.Role.ASSOCIATE)

    @admin.action(description="Approve selected requests as observer", permissions=["change"])
    def approve_as_observer(self, request, queryset):
        self._approve(request, queryset, WorkstreamMembership.Role.OBSERVER)

    @admin.action(description="Decline selected requests (standard reason)",
                  permissions=["change"])
    def decline_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda join_request: join_request_decline(
                actor=request.user, join_request=join_request, reason=JOIN_REQUEST_DECLINE_REASON),
            done="Declined {count} request(s) with the standard reason; the organisations have "
                 "been told.",
        )


class ActiveMembershipFilter(admin.SimpleListFilter):
    title = "active"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Active"), ("no", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(until__isnull=True)
        if self.value() == "no":
            return queryset.filter(until__isnull=False)
        return queryset


@admin.register(WorkstreamMembership)
class WorkstreamMembershipAdmin(admin.ModelAdmin):
    """Read-only: memberships start by approving a join request and end with the action."""

    list_display = ("organisation", "workstream", "role", "since", "until", "ended_by")
    list_filter = (ActiveMembershipFilter, "role", "workstream")
    search_fields = ("organisation__name", "workstream__name")
    list_select_related = ("organisation", "workstream", "ended_by")
    readonly_fields = ("organisation", "workstream", "role", "since", "until", "join_request",
                       "ended_by", "end_reason")
    fields = readonly_fields
    actions = ["end_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="End membership", permissions=["change"])
    def end_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda membership: workstream_membership_end(
                actor=request.user, membership=membership, reason=MEMBERSHIP_END_REASON),
            done="Ended {count} membership(s); the organisations' admins have been told.",
        )


class WorkstreamMeetingFileInline(ReadOnlyInline):
    """The meeting's agenda, minutes and papers, attached and removed in the members' area
    (through the services, audited)."""

    model = WorkstreamMeetingFile
    fields = ("kind", "file", "uploaded_by", "uploaded_at")
    show_change_link = False


@admin.register(WorkstreamMeeting)
class WorkstreamMeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "workstream", "starts_at", "location")
    list_filter = ("workstream",)
    search_fields = ("title", "agenda", "workstream__name")
    list_select_related = ("workstream",)
    date_hierarchy = "starts_at"
    fields = ("workstream", "title", "starts_at", "ends_at", "location", "agenda", "sequence")
    readonly_fields = ("sequence",)
    inlines = (WorkstreamMeetingFileInline,)

    def save_model(self, request, obj, form, change):
        # A new time, end, place or title reaches subscribed calendars as a newer version.
        if change and set(form.changed_data) & set(WorkstreamMeeting.SCHEDULE_FIELDS):
            obj.sequence += 1
        super().save_model(request, obj, form, change)


@admin.register(WorkstreamDocument)
class WorkstreamDocumentAdmin(ServiceBackedAdmin):
    list_display = ("title", "workstream", "uploaded_by", "uploaded_at")
    list_filter = ("workstream",)
    search_fields = ("title", "workstream__name")
    list_select_related = ("workstream", "uploaded_by")
    fields = ("workstream", "title", "file", "uploaded_by", "uploaded_at")
    readonly_fields = ("uploaded_by", "uploaded_at")

    def get_readonly_fields(self, request, obj=None):
        # Another file under the same title would reach nobody: share it as a new document.
        if obj is not None:
            return (*self.readonly_fields, "workstream", "file")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:  # the title only
            super().save_model(request, obj, form, change)
            return
        adopt_saved(obj, workstream_document_share(
            actor=request.user, workstream=form.cleaned_data["workstream"],
            title=form.cleaned_data["title"], file=form.cleaned_data["file"]))
