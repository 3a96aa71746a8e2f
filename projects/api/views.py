"""The projects API: projects (the portfolio's filters, their lifecycle as an action),
milestones, deliverables with their files and acceptance, monthly status updates, and each
organisation's contributions with their totals.

Every viewset starts from a selector scoped to the caller, and shows a project at the caller's
access level (`permissions.project_access`): a project, milestone or deliverable the caller may
not see is a 404, exactly as one that does not exist. Writes call the same services as the
pages; the services decide and refuse in their own words (ApplicationError -> the common error
format): a move from the wrong state is a 409 naming the moves allowed, one the caller may not
make a 403 naming who may.
"""

from contextlib import contextmanager

from django.db import transaction
from django.http import FileResponse, Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cluster_portal.core.api.errors import NON_FIELD_KEY
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.permissions import IsProgrammeStaff
from cluster_portal.core.api.viewsets import ScopedViewSet
from cluster_portal.core.exceptions import ApplicationError, NotAllowed, NotFound

from ..models import Project
from ..permissions import Access, may_download_deliverable
from ..selectors import (
    contribution_list_visible,
    contribution_totals,
    deliverable_list_visible,
    milestone_list_visible,
    project_get_visible,
    project_list_visible,
    project_skill_needs,
    project_team,
    status_update_list_visible,
    with_access_level,
    with_overdue_counts,
)
from ..services import (
    contribution_record,
    contribution_remove,
    deliverable_approve,
    deliverable_create,
    deliverable_delete,
    deliverable_return,
    deliverable_save_draft,
    deliverable_submit,
    deliverable_update,
    milestone_complete,
    milestone_create,
    milestone_delete,
    milestone_reopen,
    milestone_update,
    project_create,
    project_moves_for,
    project_participants_set,
    project_skill_needs_set,
    project_team_set,
    project_transition,
    project_update,
    status_update_post,
)
from . import serializers as s
from .filters import (
    ContributionFilter,
    ContributionTotalsFilter,
    DeliverableFilter,
    MilestoneFilter,
    ProjectFilter,
    StatusUpdateFilter,
)


@contextmanager
def api_field_names():
    """A service's refusal that concerns no single field (a model's own check) is put under
    `non_field_errors`, where the API's other such errors are."""
    try:
        yield
    except ApplicationError as error:
        error.fields = {NON_FIELD_KEY if name == "__all__" else name: messages
                        for name, messages in error.fields.items()}
        raise


# --- Projects ---------------------------------------------------------------------------------

PROJECT_EXAMPLE = OpenApiExample(
    "A project seen in full",
    value={
        "code": "PIPS-CM-2026-003", "title": "Continuous crystallisation of an API",
        "summary": "A pilot of continuous crystallisation.",
        "workstream": {"slug": "continuous-manufacturing", "name": "Continuous Manufacturing"},
        "lead_organisation": {"slug": "helix-bioprocess", "name": "Helix Bioprocess Pte Ltd"},
        "status": "active", "starts_on": "2026-01-05", "ends_on": "2027-12-31",
        "trl_start": 3, "trl_current": 4, "trl_target": 6, "access": "full",
        "participants": [{"slug": "helix-bioprocess", "name": "Helix Bioprocess Pte Ltd"}],
        "principal_investigator": {"id": 7, "full_name": "Tan Mei Ling"},
        "latest_rag": "amber", "latest_update_on": "2026-10-01", "overdue_milestones": 1,
        "overdue_deliverables": 0, "visibility": "members",
    },
    response_only=True,
)
SUMMARY_EXAMPLE = OpenApiExample(
    "A public project seen by a visitor",
    value={key: PROJECT_EXAMPLE.value[key] for key in (
        "code", "title", "summary", "workstream", "lead_organisation", "status", "starts_on",
        "ends_on", "trl_start", "trl_current", "trl_target")} | {"access": "summary"},
    response_only=True,
)
CREATE_EXAMPLE = OpenApiExample(
    "A project with two participating organisations",
    value={
        "workstream": "continuous-manufacturing", "title": "Continuous crystallisation of an API",
        "summary": "A pilot of continuous crystallisation.",
        "lead_organisation": "helix-bioprocess", "participants": ["xylo-bio"],
        "principal_investigator": "mei.ling@helix.example.org",
        "team": [{"email": "raj@xylo.example.org", "role": "Process engineer"}],
        "skills": [{"code": "continuous-processing", "level": 3}],
        "starts_on": "2026-01-05", "ends_on": "2027-12-31", "trl_start": 3, "trl_target": 6,
        "visibility": "members",
    },
    request_only=True,
)
NOT_A_MEMBER = error_example(
    "A participant outside the workstream", code="invalid",
    message="Outsider Co is not a member of Continuous Manufacturing; only its member "
            "organisations take part in its projects.",
    fields={"participants": ["Outsider Co is not a member of Continuous Manufacturing; only its "
                             "member organisations take part in its projects."]})
STAFF_ONLY = error_example("Not programme staff", code="permission_denied",
                           message="This action is for programme staff.")
WRONG_STATE = error_example(
    "Not a move from this state", code="not_allowed_now",
    message="Project PIPS-CM-2026-003 is draft; from there it can only be proposed, cancelled.")
NOT_YOURS_TO_MAKE = error_example(
    "A move the caller may not make", code="permission_denied",
    message="Only programme staff may make PIPS-CM-2026-003 approved.")


@extend_schema_view(
    list=extend_schema(
        summary="List projects",
        description="The projects the caller may see, with the portfolio's filters and sorts "
                    "(programme staff see every project). Each row shows what the caller's "
                    "access allows (`access`): a visitor sees public summaries only.",
        examples=[PROJECT_EXAMPLE, SUMMARY_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="One project, by its code",
        description="A project the caller may not see is a 404, as one that does not exist. "
                    "`allowed_transitions` lists the moves the caller may make now.",
        responses=with_errors({200: s.ProjectDetailSerializer}, 404)),
    create=extend_schema(
        summary="Create a project",
        description="Programme staff with MFA. A draft project of an active workstream, with a "
                    "new code (programme, workstream, year, number). The lead and the other "
                    "participants are members of the workstream; the principal investigator and "
                    "the team are programme staff or people of a participating organisation.",
        request=s.ProjectCreateSerializer,
        responses=with_errors({201: s.ProjectDetailSerializer}, 400, 401, 403,
                              examples={400: [NOT_A_MEMBER], 403: [STAFF_ONLY]}),
        examples=[CREATE_EXAMPLE]),
    partial_update=extend_schema(
        summary="Change a project",
        description="Programme staff with MFA, while the project is open. Only the fields sent "
                    "change; `participants`, `team` and `skills` replace the whole list when "
                    "sent. All of it changes, or nothing does.",
        request=s.ProjectUpdateSerializer,
        responses=with_errors({200: s.ProjectDetailSerializer}, 400, 401, 403, 404,
                              examples={400: [NOT_A_MEMBER], 403: [STAFF_ONLY]})),
)
class ProjectViewSet(mixins.ListModelMixin, ScopedViewSet):
    serializer_class = s.ProjectSerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9-]{1,40}"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProjectFilter

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            return [IsProgrammeStaff()]
        if self.action == "transition":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        # Replaced by the portfolio's selector in the FilterSet, for the list.
        return project_list_visible(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return s.ProjectSerializer
        return s.ProjectDetailSerializer

    def list(self, request, *args, **kwargs):
        projects = with_access_level(self.filter_queryset(self.get_queryset()),
                                     user=request.user)
        page = self.paginate_queryset(projects)
        return self.get_paginated_response(s.ProjectSerializer(
            page, many=True, context=self.get_serializer_context()).data)

    def get_object(self):
        return self.visible(self.kwargs["code"])[0]

    def visible(self, code: str) -> tuple[Project, Access]:
        try:
            return project_get_visible(user=self.request.user, code=code)
        except Project.DoesNotExist:
            raise Http404 from None

    def present_project(self, code: str, *, status_code=status.HTTP_200_OK) -> Response:
        """The project as the caller sees it now, read afresh."""
        project, access = self.visible(code)
        project.access_level = access
        context = {**self.get_serializer_context(), "team": [], "skills": [],
                   "allowed_transitions": project_moves_for(actor=self.request.user,
                                                            project=project)}
        if access >= Access.MEMBER:
            counts = with_overdue_counts(project_list_visible(user=self.request.user)).values(
                "overdue_milestones", "overdue_deliverables").get(pk=project.pk)
            project.overdue_milestones = counts["overdue_milestones"]
            project.overdue_deliverables = counts["overdue_deliverables"]
            context.update(team=list(project_team(project=project)),
                           skills=list(project_skill_needs(project=project)))
        return Response(s.ProjectDetailSerializer(project, context=context).data,
                        status=status_code)

    def retrieve(self, request, code=None):
        return self.present_project(code)

    def create(self, request):
        payload = s.ProjectCreateSerializer(data=request.data,
                                            context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        with api_field_names():
            project = project_create(actor=request.user, **payload.validated_data)
        return self.present_project(project.code, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, code=None):
        project = self.get_object()
        payload = s.ProjectUpdateSerializer(data=request.data,
                                            context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        given = dict(payload.validated_data)
        participants = given.pop("participants", None)
        team, skills = given.pop("team", None), given.pop("skills", None)
        # One change as the client sees it: the organisations first (the lead and the
        # principal investigator are checked against them), then the details, team and skills.
        with api_field_names(), transaction.atomic():
            if participants is not None:
                project_participants_set(actor=request.user, project=project,
                                         organisations=participants)
            if given:
                project_update(actor=request.user, project=project, **given)
            if team is not None:
                project_team_set(actor=request.user, project=project, team=team)
            if skills is not None:
                project_skill_needs_set(actor=request.user, project=project, skills=skills)
        return self.present_project(project.code)

    @extend_schema(
        summary="Move a project in its lifecycle",
        description="draft → proposed → approved → active → completed, with on hold and "
                    "cancelled. Programme staff run the lifecycle; the principal investigator "
                    "puts a draft forward or takes it back; only the programme office cancels "
                    "a project that has been approved. A reason is required to cancel, hold or "
                    "send back to draft. Someone who moves no project is refused (403) first; "
                    "then a move the project's state does not allow is a 409 naming the "
                    "allowed ones, and one the caller may not make a 403 naming who may.",
        request=s.TransitionSerializer,
        responses=with_errors({200: s.ProjectDetailSerializer}, 400, 401, 403, 404, 409,
                              examples={403: [NOT_YOURS_TO_MAKE], 409: [WRONG_STATE]}),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, code=None):
        project = self.get_object()
        payload = s.TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project_transition(actor=request.user, project=project, **payload.validated_data)
        return self.present_project(project.code)


# --- The plan: milestones and deliverables ----------------------------------------------------


class PlanViewSet(ScopedViewSet):
    """Rows of the projects the caller sees beyond their public summary (the selectors of each
    viewset say how far), by id; writes present what the service returns."""

    filter_backends = [DjangoFilterBackend]

    def destroy_with(self, service, target: str):
        with api_field_names():
            service(actor=self.request.user, **{target: self.get_object()})
        return Response(status=status.HTTP_204_NO_CONTENT)

    def write(self, service, payload, *, status_code=status.HTTP_200_OK, **arguments):
        """Check `payload` (an input serializer), call `service` with it and the caller, and
        present what it returns."""
        body = payload(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with api_field_names():
            instance = service(actor=self.request.user, **arguments, **body.validated_data)
        return self.present(instance, status_code=status_code)


PLAN_SEEN = ("Of the projects whose plan the caller sees (members of the workstream see it "
             "unless the project is for its participants only; its people and programme staff "
             "always); `?project=<code>` for one project's.")


@extend_schema_view(
    list=extend_schema(summary="List milestones", description=PLAN_SEEN),
    retrieve=extend_schema(summary="One milestone",
                           responses=with_errors({200: s.MilestoneSerializer}, 404)),
    create=extend_schema(
        summary="Add a milestone",
        description="Programme staff and the project's team, while the project is open; due "
                    "within the project's dates.",
        request=s.MilestoneCreateSerializer,
        responses=with_errors({201: s.MilestoneSerializer}, 400, 401, 403, examples={
            400: [error_example(
                "Due outside the project", code="invalid",
                message="Set a date within the project, from 5 Jan 2026 to 31 Dec 2027.",
                fields={"due_on": ["Set a date within the project, from 5 Jan 2026 to 31 Dec "
                                   "2027."]})]})),
    partial_update=extend_schema(
        summary="Change a milestone", request=s.MilestoneUpdateSerializer,
        responses=with_errors({200: s.MilestoneSerializer}, 400, 401, 403, 404)),
    destroy=extend_schema(
        summary="Remove a milestone",
        description="Its deliverables stay, no longer tied to it.",
        responses=with_errors({204: None}, 401, 403, 404)),
)
class MilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilter

    def get_queryset(self):
        return milestone_list_visible(user=self.request.user)

    def create(self, request):
        return self.write(milestone_create, s.MilestoneCreateSerializer,
                          status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        return self.write(milestone_update, s.MilestoneUpdateSerializer,
                          milestone=self.get_object())

    def destroy(self, request, pk=None):
        return self.destroy_with(milestone_delete, "milestone")

    @extend_schema(
        summary="Mark a milestone reached",
        description="Staff and the project's team; on the day given, today unless given.",
        request=s.MilestoneCompleteSerializer,
        responses=with_errors({200: s.MilestoneSerializer}, 400, 401, 403, 404, 409))
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def complete(self, request, pk=None):
        return self.transition(milestone_complete, target="milestone",
                               payload=s.MilestoneCompleteSerializer)

    @extend_schema(summary="Mark a milestone not reached after all", request=None,
                   responses=with_errors({200: s.MilestoneSerializer}, 401, 403, 404, 409))
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reopen(self, request, pk=None):
        return self.transition(milestone_reopen, target="milestone")


LATE_WITHOUT_REASON = error_example(
    "Late, without saying why", code="invalid",
    message="It was due on 1 Mar 2026: say why it is late.",
    fields={"late_justification": ["It was due on 1 Mar 2026: say why it is late."]})
TOO_LARGE = error_example(
    "A file over the limit", code="invalid", message="The file is 61.2 MB; the limit is 50 MB.",
    fields={"file": ["The file is 61.2 MB; the limit is 50 MB."]})
FILE_RESPONSE = OpenApiResponse(response=OpenApiTypes.BINARY,
                                description="The file, as an attachment.")


@extend_schema_view(
    list=extend_schema(summary="List deliverables",
                       description=PLAN_SEEN + " The file and review of each are shown to those "
                                               "who see its project in full."),
    retrieve=extend_schema(summary="One deliverable",
                           responses=with_errors({200: s.DeliverableSerializer}, 404)),
    create=extend_schema(
        summary="Add a deliverable",
        description="Programme staff and the project's team, while the project is open; due "
                    "within the project's dates.",
        request=s.DeliverableCreateSerializer,
        responses=with_errors({201: s.DeliverableSerializer}, 400, 401, 403)),
    partial_update=extend_schema(
        summary="Change a deliverable's terms",
        description="While it has not been handed over (409 once submitted or approved).",
        request=s.DeliverableUpdateSerializer,
        responses=with_errors({200: s.DeliverableSerializer}, 400, 401, 403, 404, 409)),
    destroy=extend_schema(
        summary="Remove a deliverable",
        description="Only one nobody has worked on yet (409 otherwise).",
        responses=with_errors({204: None}, 401, 403, 404, 409)),
)
class DeliverableViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    serializer_class = s.DeliverableSerializer
    filterset_class = DeliverableFilter

    def get_queryset(self):
        return deliverable_list_visible(user=self.request.user)

    def with_levels(self, deliverables):
        """Each deliverable's project with the caller's access to it (its file and review are
        shown only in full), read for a whole page in one query."""
        user = self.request.user
        levels = dict(with_access_level(
            project_list_visible(user=user).filter(pk__in={d.project_id for d in deliverables}),
            user=user).values_list("pk", "access_level"))
        for deliverable in deliverables:
            deliverable.project.access_level = Access(levels.get(deliverable.project_id, 0))
        return deliverables

    def list(self, request):
        page = self.with_levels(self.paginate_queryset(
            self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return self.with_levels([super().get_object()])[0]

    def refetched(self, instance):
        return self.with_levels([super().refetched(instance)])[0]

    def create(self, request):
        return self.write(deliverable_create, s.DeliverableCreateSerializer,
                          status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        deliverable = self.get_object()
        body = s.DeliverableUpdateSerializer(
            data=request.data, context={**self.get_serializer_context(),
                                        "project": deliverable.project})
        body.is_valid(raise_exception=True)
        with api_field_names():
            deliverable_update(actor=request.user, deliverable=deliverable,
                               **body.validated_data)
        return self.present(deliverable)

    def destroy(self, request, pk=None):
        return self.destroy_with(deliverable_delete, "deliverable")

    @extend_schema(
        summary="Upload a draft of a deliverable's file",
        description="The project's team and its lead organisation's people, as "
                    "multipart/form-data; it is not handed over yet. The file's type and size "
                    "are checked (400 on `file`).",
        request={"multipart/form-data": s.DeliverableDraftSerializer},
        responses=with_errors({200: s.DeliverableSerializer}, 400, 401, 403, 404, 409,
                              examples={400: [TOO_LARGE]}))
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated],
            parser_classes=[MultiPartParser, FormParser])
    def draft(self, request, pk=None):
        return self.transition(deliverable_save_draft, target="deliverable",
                               payload=s.DeliverableDraftSerializer)

    @extend_schema(
        summary="Submit a deliverable for acceptance",
        description="Only the lead organisation's people, as multipart/form-data: with its file "
                    "(or the draft already uploaded); after its due date, with "
                    "`late_justification`. Programme staff then approve or return it.",
        request={"multipart/form-data": s.DeliverableSubmitSerializer},
        responses=with_errors({200: s.DeliverableSerializer}, 400, 401, 403, 404, 409,
                              examples={400: [LATE_WITHOUT_REASON, TOO_LARGE]}))
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated],
            parser_classes=[MultiPartParser, FormParser])
    def submit(self, request, pk=None):
        return self.transition(deliverable_submit, target="deliverable",
                               payload=s.DeliverableSubmitSerializer)

    @extend_schema(
        summary="Approve a submitted deliverable",
        description="Programme staff with MFA; the comments are told to the team.",
        request=s.DeliverableApproveSerializer,
        responses=with_errors({200: s.DeliverableSerializer}, 400, 401, 403, 404, 409))
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeStaff])
    def approve(self, request, pk=None):
        return self.transition(deliverable_approve, target="deliverable",
                               payload=s.DeliverableApproveSerializer)

    @extend_schema(
        summary="Return a submitted deliverable with comments",
        description="Programme staff with MFA; the comments say what to change.",
        request=s.DeliverableReturnSerializer,
        responses=with_errors({200: s.DeliverableSerializer}, 400, 401, 403, 404, 409))
    @action(detail=True, methods=["post"], url_path="return", url_name="return",
            permission_classes=[IsProgrammeStaff])
    def return_(self, request, pk=None):
        return self.transition(deliverable_return, target="deliverable",
                               payload=s.DeliverableReturnSerializer)

    @extend_schema(
        summary="Download a deliverable's file",
        description="Those who see the project in full (staff, its team, the participating "
                    "organisations' people); 404 when it has no file yet.",
        responses={(200, "application/octet-stream"): FILE_RESPONSE,
                   **with_errors({}, 401, 403, 404)})
    @action(detail=True, methods=["get"], url_path="file", url_name="file",
            filter_backends=[])
    def download(self, request, pk=None):
        deliverable = self.get_object()
        if not may_download_deliverable(request.user, deliverable):
            raise NotAllowed("Only the project's people download its deliverables.")
        if not deliverable.file:
            raise NotFound("This deliverable has no file yet.")
        extension = deliverable.file.name.rsplit(".", 1)[-1].lower()
        return FileResponse(deliverable.file.open("rb"), as_attachment=True,
                            filename=f"{deliverable.project.code}-{deliverable.pk}.{extension}",
                            content_type="application/octet-stream")


# --- Status updates ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List status updates",
                       description="Of the projects the caller sees in full (their people and "
                                   "programme staff), latest month first; `?project=<code>` "
                                   "for one project's."),
    retrieve=extend_schema(summary="One status update",
                           responses=with_errors({200: s.StatusUpdateSerializer}, 404)),
    create=extend_schema(
        summary="Post a monthly status update",
        description="Programme staff and the project's team, once a month, while the project "
                    "is approved, active or on hold. The latest month's overall rating becomes "
                    "the project's; a TRL reached becomes its TRL now.",
        request=s.StatusUpdateCreateSerializer,
        responses=with_errors({201: s.StatusUpdateSerializer}, 400, 401, 403, 409)),
)
class StatusUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    serializer_class = s.StatusUpdateSerializer
    filterset_class = StatusUpdateFilter

    def get_queryset(self):
        return status_update_list_visible(user=self.request.user)

    def create(self, request):
        return self.write(status_update_post, s.StatusUpdateCreateSerializer,
                          status_code=status.HTTP_201_CREATED)


# --- Contributions ----------------------------------------------------------------------------

NOT_SGD = error_example(
    "Not in Singapore dollars", code="invalid", message="Some fields are not valid.",
    fields={"currency": ["Contributions are recorded in Singapore dollars (SGD); convert the "
                         "amount first."]})


@extend_schema_view(
    list=extend_schema(
        summary="List contributions",
        description="Each participating organisation's committed and actual contributions in "
                    "SGD, by year and kind. Programme staff see every organisation's; anyone "
                    "else only their own organisations' figures, never another's."),
    retrieve=extend_schema(summary="One contribution",
                           responses=with_errors({200: s.ContributionSerializer}, 404)),
    create=extend_schema(
        summary="Record a contribution",
        description="Programme staff with MFA. One row per project, organisation, year and "
                    "kind: recording it again replaces its amounts. Amounts are decimal "
                    "strings in SGD.",
        request=s.ContributionRecordSerializer,
        responses=with_errors({201: s.ContributionSerializer}, 400, 401, 403,
                              examples={400: [NOT_SGD], 403: [STAFF_ONLY]})),
    destroy=extend_schema(summary="Remove a contribution",
                          description="Programme staff with MFA.",
                          responses=with_errors({204: None}, 401, 403, 404)),
)
class ContributionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ContributionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ContributionFilter
    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        if self.action in ("create", "destroy"):
            return [IsProgrammeStaff()]
        return super().get_permissions()

    def get_queryset(self):
        return contribution_list_visible(user=self.request.user)

    def create(self, request):
        body = s.ContributionRecordSerializer(data=request.data,
                                              context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with api_field_names():
            contribution = contribution_record(actor=request.user, **body.validated_data)
        return self.present(contribution, status_code=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        contribution_remove(actor=request.user, contribution=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Contribution totals",
        description="Committed and actual sums, cash and in kind, by organisation, workstream, "
                    "project or year, over the contributions the caller may see (a partner's "
                    "totals are of their own organisations' rows only). The list's filters "
                    "narrow what is totalled.",
        filters=True,
        responses=with_errors({200: s.ContributionTotalSerializer(many=True)}, 400, 401))
    @action(detail=False, methods=["get"], filterset_class=ContributionTotalsFilter)
    def totals(self, request):
        given = ContributionTotalsFilter(request.query_params, self.get_queryset(),
                                         request=request)
        if not given.is_valid():
            raise ValidationError(given.errors)
        contributions = given.qs
        key, name = given.groups()
        groups = contribution_totals(contributions, *dict.fromkeys((key, name)))
        page = self.paginate_queryset(groups)
        return self.get_paginated_response(s.ContributionTotalSerializer(
            [{**row, "key": str(row[key]), "name": str(row[name])} for row in page],
            many=True).data)

