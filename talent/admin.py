"""The programme office's admin pages for training.

Courses and runs are created and changed through their services (audited; a run's seats only
through course_run_set_capacity, which promotes from the waitlist). Enrolments are read here
and cancelled through their service; prerequisites are waived through theirs. The skills
framework, a workstream's skill needs, a course's skills and a run's sessions are reference
content: plain rows.
"""

from django.contrib import admin

from cluster_portal.core.service_admin import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceBackedAdmin,
    adopt_saved,
    run_for_each,
)

from .models import (
    Attendance,
    Certificate,
    Course,
    CourseRun,
    CourseSkill,
    Enrolment,
    PrerequisiteWaiver,
    Session,
    Skill,
    WorkstreamSkillNeed,
)
from .services import (
    certificate_revoke,
    course_create,
    course_run_create,
    course_run_set_capacity,
    course_run_update,
    course_update,
    enrolment_cancel,
    prerequisite_waive,
)
from .services.courses import COURSE_EDITABLE, RUN_EDITABLE

CANCELLED_BY_THE_OFFICE = "Cancelled by the programme office."


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "code")
    list_filter = ("category",)
    search_fields = ("name", "code", "description")
    prepopulated_fields = {"code": ("name",)}


@admin.register(WorkstreamSkillNeed)
class WorkstreamSkillNeedAdmin(admin.ModelAdmin):
    list_display = ("workstream", "skill", "level")
    list_filter = ("workstream",)
    list_select_related = ("workstream", "skill")
    autocomplete_fields = ("skill",)


class CourseSkillInline(admin.TabularInline):
    model = CourseSkill
    extra = 1
    autocomplete_fields = ("skill",)


@admin.register(Course)
class CourseAdmin(ServiceBackedAdmin):
    list_display = ("code", "title", "mode", "hours", "provider", "is_published")
    list_filter = ("is_published", "mode", "workstreams")
    list_select_related = ("provider",)
    search_fields = ("code", "title", "summary")
    autocomplete_fields = ("provider",)
    filter_horizontal = ("workstreams", "prerequisites")
    inlines = [CourseSkillInline]
    fields = ("code", "title", "summary", "description", "provider", "workstreams", "mode",
              "hours", "fee", "prerequisites", "certificate_valid_months", "is_published")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False  # certificates and history name it: unpublish it instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = course_update(actor=request.user, course=obj, **{
                name: data[name] for name in form.changed_data if name in COURSE_EDITABLE})
        else:
            saved = course_create(
                actor=request.user, code=data["code"], title=data["title"],
                summary=data["summary"], description=data["description"], hours=data["hours"],
                fee=data["fee"], mode=data["mode"], provider=data["provider"],
                certificate_valid_months=data["certificate_valid_months"],
                is_published=data["is_published"])
        adopt_saved(obj, saved)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 1


class EnrolmentInline(ReadOnlyInline):
    model = Enrolment
    fields = ("person", "status", "waitlist_position", "sponsor", "created_at")
    ordering = ("status", "waitlist_position", "created_at")


@admin.register(CourseRun)
class CourseRunAdmin(ServiceBackedAdmin):
    list_display = ("course", "starts_on", "ends_on", "venue", "seats", "status")
    list_filter = ("status", "course")
    list_select_related = ("course",)
    search_fields = ("course__code", "course__title", "venue")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("course",)
    filter_horizontal = ("trainers",)
    inlines = [SessionInline, EnrolmentInline]
    fields = ("course", "starts_on", "ends_on", "venue", "capacity", "enrolment_opens_at",
              "enrolment_closes_at", "promotion", "offer_hours", "trainers", "status",
              "seats_taken")
    readonly_fields = ("status", "seats_taken")

    @admin.display(description="seats")
    def seats(self, run: CourseRun) -> str:
        return f"{run.seats_taken} of {run.capacity}"

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "course") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # people hold seats on it: its enrolments are cancelled instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = course_run_update(actor=request.user, run=obj, **{
                name: data[name] for name in form.changed_data if name in RUN_EDITABLE})
            if "capacity" in form.changed_data:
                saved = course_run_set_capacity(actor=request.user, run=saved,
                                                capacity=data["capacity"])
        else:
            saved = course_run_create(
                actor=request.user, course=data["course"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], capacity=data["capacity"],
                enrolment_opens_at=data["enrolment_opens_at"],
                enrolment_closes_at=data["enrolment_closes_at"], venue=data["venue"],
                promotion=data["promotion"], offer_hours=data["offer_hours"])
        adopt_saved(obj, saved)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("person", "run", "status", "waitlist_position", "sponsor", "created_at")
    list_filter = ("status", "run__course")
    list_select_related = ("person", "run__course", "sponsor")
    search_fields = ("person__email", "person__full_name", "run__course__code")
    actions = ["cancel_selected"]

    @admin.action(description="Cancel the selected enrolments (the seats go to the waitlist)")
    def cancel_selected(self, request, queryset):
        run_for_each(self, request, queryset, lambda enrolment: enrolment_cancel(
            actor=request.user, enrolment=enrolment, reason=CANCELLED_BY_THE_OFFICE),
            done="{count} enrolment(s) cancelled.")


@admin.register(PrerequisiteWaiver)
class PrerequisiteWaiverAdmin(ServiceBackedAdmin):
    list_display = ("person", "course", "waived_by", "created_at")
    list_select_related = ("person", "course", "waived_by")
    search_fields = ("person__email", "course__code")
    autocomplete_fields = ("person", "course")
    fields = ("person", "course", "reason")

    def has_change_permission(self, request, obj=None):
        return False  # a waiver is granted, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # the enrolments it allowed stand; the trail keeps why

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = prerequisite_waive(actor=request.user, person=data["person"],
                                   course=data["course"], reason=data["reason"])
        adopt_saved(obj, saved)


REVOKED_BY_THE_OFFICE = ("Revoked by the programme office. Write to the office to learn why or to "
                         "contest it.")


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    """Certificates are issued by their services; here they are read, and revoked through
    certificate_revoke (the holder is told). To give a reason of one's own, revoke from the
    certificate's page on the portal."""

    list_display = ("serial", "person", "achievement", "issued_on", "expires_on", "revoked_at")
    list_filter = ("issued_on", "enrolment__run__course", "learning_path")
    list_select_related = ("person", "enrolment__run__course", "learning_path")
    search_fields = ("serial", "person__email", "person__full_name",
                     "enrolment__run__course__code")
    actions = ["revoke_selected"]

    @admin.display(description="for")
    def achievement(self, certificate: Certificate) -> str:
        if certificate.learning_path_id:
            return f"Path: {certificate.learning_path}"
        return str(certificate.enrolment.run.course)

    @admin.action(description="Revoke the selected certificates (their holders are told)")
    def revoke_selected(self, request, queryset):
        run_for_each(self, request, queryset, lambda certificate: certificate_revoke(
            actor=request.user, certificate=certificate, reason=REVOKED_BY_THE_OFFICE),
            done="{count} certificate(s) revoked.")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """Marked by the run's trainers on its registers (attendance_mark); read here."""

    list_display = ("enrolment", "session", "present", "marked_by", "marked_at")
    list_filter = ("present", "session__run__course")
    list_select_related = ("enrolment__person", "enrolment__run__course", "session",
                           "marked_by")
    search_fields = ("enrolment__person__email", "enrolment__person__full_name")
