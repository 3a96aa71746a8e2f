"""Projects in the API: the portfolio's filters and sorts, each at the caller's access level,
created and changed by programme staff, moved through their lifecycle as an action."""


from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cluster_portal.core.api.filters import FilterSetBackend
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.permissions import IsProgrammeStaff
from cluster_portal.core.api.viewsets import ScopedViewSet

from ...models import Project
from ...permissions import Access
from ...selectors import (
    project_get_visible,
    project_list_visible,
    project_portfolio,
    project_skill_needs,
    project_team,
    with_access_level,
    with_overdue_counts,
)
from ...services import (
    project_create,
    project_moves_for,
    project_participants_set,
    project_skill_needs_set,
    project_team_set,
    project_transition,
    project_update,
)
from .. import serializers as s
from ..filters import (
    ProjectFilter,
)
from ..rows import project_rows, project_values
from .refusals import (
    api_field_names,
)

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
    message="Only programme staff may approve PIPS-CM-2026-003.")


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
    filter_backends = [FilterSetBackend]
    filterset_class = ProjectFilter

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            return [IsProgrammeStaff()]
        if self.action == "transition":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        if self.action == "list":
            # The portfolio as the caller sees it, unfiltered; asked for filters, the FilterSet
            # reads it again through the same selector with them.
            return project_portfolio(user=self.request.user)
        return project_list_visible(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return s.ProjectSerializer
        return s.ProjectDetailSerializer

    def list(self, request, *args, **kwargs):
        # The hot list: rows read as values and built as ProjectSerializer presents them
        # (api/rows.py), without a serializer call per field of a hundred projects.
        projects = with_access_level(self.filter_queryset(self.get_queryset()),
                                     user=request.user)
        page = self.paginate_queryset(project_values(projects))
        return self.get_paginated_response(project_rows(page))

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
