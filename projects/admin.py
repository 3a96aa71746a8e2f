"""The programme office's admin pages for projects.

Projects are created on the staff pages, not here: a project is made with its participating
organisations, team and skills at once (project_create checks them together), which the admin's
one-model form cannot offer. A project's page here only shows it; its status is never a field:
it moves through the list's actions, one per target state, each calling project_transition (so
the transition table, who may move it, the audit and the notices all apply, and a refusal is
shown as a message). Its organisations, team, plan, updates and contributions are read in
inlines and changed on the staff pages. Submitted deliverables are approved or returned through
their services with the actions on the deliverables list.
"""

from django.contrib import admin

from cluster_portal.core.service_admin import DecidedByActionsAdmin, ReadOnlyInline, run_for_each

from .models import (
    Contribution,
    Deliverable,
    Milestone,
    Project,
    ProjectParticipant,
    ProjectSkillNeed,
    ProjectTeamMember,
    ProjectTransition,
    StatusUpdate,
)
from .services import deliverable_approve, deliverable_return, project_transition

Status = Project.Status

# The standard words of a move made here; the reason is told to the project's team. To give a
# reason of one's own, move the project from its page on the portal.
MOVE_REASON = ("Moved by the programme office. Write to the project's officer to learn more.")
RETURN_COMMENTS = ("Returned by the programme office: the project's officer will send the "
                   "changes needed.")


class ParticipantInline(ReadOnlyInline):
    model = ProjectParticipant
    fields = ("organisation", "added_at")
    show_change_link = False


class TeamInline(ReadOnlyInline):
    model = ProjectTeamMember
    fields = ("person", "role")
    show_change_link = False


class SkillNeedInline(ReadOnlyInline):
    model = ProjectSkillNeed
    fields = ("skill", "level")
    show_change_link = False


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ("title", "due_on", "completed_on")
    show_change_link = False


class DeliverableInline(ReadOnlyInline):
    """Each links to its own page, where a submitted one is approved or returned."""

    model = Deliverable
    fields = ("title", "kind", "due_on", "status", "submitted_at", "decided_at")


class StatusUpdateInline(ReadOnlyInline):
    model = StatusUpdate
    fields = ("period", "overall", "schedule", "budget", "trl", "posted_by")
    show_change_link = False


class ContributionInline(ReadOnlyInline):
    model = Contribution
    fields = ("year", "organisation", "kind", "committed_sgd", "actual_sgd")
    show_change_link = False


class TransitionInline(ReadOnlyInline):
    model = ProjectTransition
    fields = ("at", "from_status", "to_status", "by", "reason")
    show_change_link = False


def _move_action(to: str, description: str):
    def move(model_admin, request, queryset):
        run_for_each(model_admin, request, queryset, lambda project: project_transition(
            actor=request.user, project=project, to=to, reason=MOVE_REASON),
            done=f"{{count}} project(s) now {Status(to).label.lower()}.")

    move.__name__ = f"move_to_{to}"
    return admin.action(description=description, permissions=["change"])(move)


@admin.register(Project)
class ProjectAdmin(DecidedByActionsAdmin):
    """No add (projects are created on the staff pages, see the module's docstring), no
    delete (codes are never reused and the record stays), no edit: the lifecycle moves through
    the actions."""

    list_display = ("code", "title", "workstream", "status", "latest_rag", "starts_on",
                    "ends_on")
    list_filter = ("status", "latest_rag", "visibility", "workstream")
    list_select_related = ("workstream",)
    search_fields = ("code", "title", "lead_organisation__name",
                     "principal_investigator__email", "principal_investigator__full_name")
    date_hierarchy = "starts_on"
    inlines = [ParticipantInline, TeamInline, SkillNeedInline, MilestoneInline,
               DeliverableInline, StatusUpdateInline, ContributionInline, TransitionInline]
    actions = [
        _move_action(Status.PROPOSED, "Propose the selected drafts"),
        _move_action(Status.DRAFT, "Send the selected proposals back to draft"),
        _move_action(Status.APPROVED, "Approve the selected proposals"),
        _move_action(Status.ACTIVE, "Start (or resume) the selected projects"),
        _move_action(Status.ON_HOLD, "Put the selected projects on hold"),
        _move_action(Status.COMPLETED, "Mark the selected projects completed"),
        _move_action(Status.CANCELLED, "Cancel the selected projects"),
    ]


@admin.register(Deliverable)
class DeliverableAdmin(DecidedByActionsAdmin):
    """Deliverables are planned and handed over on the project's pages; here staff read them
    and decide submitted ones. To return one with comments of one's own, do it from the
    project's page."""

    list_display = ("title", "project", "kind", "due_on", "status", "submitted_at")
    list_filter = ("status", "kind", "project__workstream")
    list_select_related = ("project",)
    search_fields = ("title", "project__code", "project__title")
    actions = ["approve_selected", "return_selected"]

    @admin.action(description="Approve the selected submitted deliverables",
                  permissions=["change"])
    def approve_selected(self, request, queryset):
        run_for_each(self, request, queryset.select_related("project"),
                     lambda deliverable: deliverable_approve(actor=request.user,
                                                             deliverable=deliverable),
                     done="{count} deliverable(s) approved.")

    @admin.action(description="Return the selected submitted deliverables (standard comments)",
                  permissions=["change"])
    def return_selected(self, request, queryset):
        run_for_each(self, request, queryset.select_related("project"),
                     lambda deliverable: deliverable_return(
                         actor=request.user, deliverable=deliverable, comments=RETURN_COMMENTS),
                     done="{count} deliverable(s) returned.")
