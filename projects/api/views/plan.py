"""A project's plan in the API: milestones, and deliverables with their files and acceptance."""


from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cluster_portal.core.api.filters import FilterSetBackend
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.permissions import IsProgrammeStaff
from cluster_portal.core.api.viewsets import ScopedViewSet
from cluster_portal.core.exceptions import NotAllowed, NotFound

from ...permissions import Access, may_download_deliverable
from ...selectors import (
    deliverable_list_visible,
    milestone_list_visible,
    project_list_visible,
    with_access_level,
)
from ...services import (
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
)
from .. import serializers as s
from ..filters import (
    DeliverableFilter,
    MilestoneFilter,
)
from .refusals import (
    api_field_names,
)

# --- The plan: milestones and deliverables ----------------------------------------------------


class PlanViewSet(ScopedViewSet):
    """Rows of the projects the caller sees beyond their public summary (the selectors of each
    viewset say how far), by id; writes present what the service returns."""

    filter_backends = [FilterSetBackend]

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
