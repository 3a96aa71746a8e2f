"""The talent API: the skills framework, the course catalogue, course runs and enrolling on them,
a session's register and marking it, enrolments with their cancellation and offers, and the
caller's learning, certificates and skills profile.

Every viewset starts from a selector scoped to the caller: the skills, the catalogue and the
runs of published courses are public (programme staff see every run); an enrolment is its own
person's and programme staff's, so anyone else's is a 404. A register is the run's trainers'
and programme staff's: a run the caller sees but does not train is a 403. Enrolling,
cancelling, answering an offer and marking a register call the same services as the training
pages; the services decide and refuse in their own words (ApplicationError -> the common error
format).
"""

from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster_portal.core.api.filters import FilterSetBackend, SearchFilter
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.serializers import OptionalReasonSerializer
from cluster_portal.core.api.viewsets import ScopedViewSet
from cluster_portal.core.exceptions import NotAllowed, NotFound

from ..attendance_selectors import register_row, session_of_run, session_register
from ..certificate_selectors import certificate_list_of
from ..permissions import may_train
from ..selectors import (
    course_list_public,
    course_run_list_visible,
    enrolment_list_visible,
    my_learning,
    skill_list_public,
    skills_profile,
    workstream_skill_gaps,
)
from ..services import (
    attendance_mark,
    enrolment_cancel,
    enrolment_create,
    enrolment_offer_accept,
    enrolment_offer_decline,
)
from . import serializers as s
from .filters import CourseFilter, CourseRunFilter, EnrolmentFilter, SkillFilter
from .rows import course_rows, course_values, enrolment_rows, enrolment_values

# --- Skills -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the skills framework",
        description="Public: the skills of biopharmaceutical manufacturing that courses build "
                    "and workstreams need, by category and name.",
    ),
)
class SkillViewSet(mixins.ListModelMixin, ScopedViewSet):
    serializer_class = s.SkillSerializer
    filter_backends = [FilterSetBackend, SearchFilter]
    filterset_class = SkillFilter
    search_fields = ["code", "name", "description"]

    def get_queryset(self):
        return skill_list_public()


# --- Courses ----------------------------------------------------------------------------------

COURSE_EXAMPLE = OpenApiExample(
    "A course with a run to come",
    value={
        "code": "CM-201", "slug": "cm-201", "title": "Continuous downstream processing",
        "summary": "Chromatography and viral inactivation run continuously, step by step.",
        "description": "", "provider": "Helix Bioprocess Pte Ltd", "mode": "blended",
        "hours": "21.0", "fee": "450.00", "certificate_valid_months": None,
        "skills": [{"skill": "continuous-processing", "name": "Continuous processing",
                    "level": 3}],
        "workstreams": ["continuous-manufacturing"], "prerequisites": ["CM-101"],
        "next_run_on": "2026-05-12", "seats_left": 7,
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List the course catalogue",
        description="Public: published courses, by code, with the start of each one's next run "
                    "and the seats left on its runs to come. The filters are the catalogue "
                    "page's.",
        examples=[COURSE_EXAMPLE],
    ),
    retrieve=extend_schema(summary="One course of the catalogue",
                           description="A course not published is a 404, as one that does not "
                                       "exist.",
                           responses=with_errors({200: s.CourseSerializer}, 404),
                           examples=[COURSE_EXAMPLE]),
)
class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.CourseSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    # The catalogue's search and filters, through the catalogue's selector (CourseFilter).
    filter_backends = [FilterSetBackend]
    filterset_class = CourseFilter

    def get_queryset(self):
        return course_list_public()

    def filter_queryset(self, queryset):
        # The prerequisites' codes, which the catalogue page does not show.
        return super().filter_queryset(queryset).prefetch_related("prerequisites")

    def list(self, request):
        # Rows built from values, not a serializer per course (talent.api.rows).
        page = self.paginate_queryset(course_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(course_rows(page))


# --- Course runs ------------------------------------------------------------------------------

NOT_A_TRAINER = "Only the run's trainers and programme staff keep its registers."

ENROLMENT_EXAMPLE = OpenApiExample(
    "A seat on the run",
    value={
        "id": 311, "person": {"id": 7, "full_name": "Tan Mei Ling"},
        "run": {"id": 42, "course": {"code": "CM-201", "slug": "cm-201",
                                     "title": "Continuous downstream processing"},
                "starts_on": "2026-05-12", "ends_on": "2026-05-14",
                "venue": "Biopolis, Singapore", "status": "scheduled"},
        "sponsor": {"slug": "helix-bioprocess-pte-ltd", "name": "Helix Bioprocess Pte Ltd"},
        "status": "confirmed", "waitlist_position": None, "offer_expires_at": None,
        "created_at": "2026-04-02T10:20:00+08:00", "confirmed_at": "2026-04-02T10:20:00+08:00",
        "cancelled_at": None, "completed_at": None, "cancellation_reason": "",
    },
    response_only=True,
)
WAITLISTED_EXAMPLE = OpenApiExample(
    "The run is full: a place on its waitlist",
    value={**ENROLMENT_EXAMPLE.value, "status": "waitlisted", "waitlist_position": 3,
           "confirmed_at": None},
    response_only=True,
)
ENROL_EXAMPLE = OpenApiExample(
    "Enrol, sent by one's organisation",
    value={"sponsor": "helix-bioprocess-pte-ltd"},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List course runs",
        description="Runs of published courses, for everyone; programme staff (with MFA) see "
                    "the runs of courses not yet published too. Soonest first.",
    ),
    retrieve=extend_schema(summary="One course run, with its sessions",
                           responses=with_errors({200: s.CourseRunDetailSerializer}, 404)),
)
class CourseRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.CourseRunSerializer
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = CourseRunFilter
    ordering_fields = ["starts_on", "enrolment_closes_at"]

    def get_queryset(self):
        runs = course_run_list_visible(user=self.request.user)
        if self.action == "retrieve":
            runs = runs.prefetch_related("sessions", "trainers")
        return runs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.CourseRunDetailSerializer
        return super().get_serializer_class()

    @extend_schema(
        summary="Enrol on a course run",
        description="The caller enrols themself: a confirmed seat if one is left, else the end "
                    "of the waitlist (`waitlist_position` says where). Enrolment must be open, "
                    "the course's prerequisites completed (or waived), and the caller not "
                    "already on this run or on an overlapping run of the course. The sponsor, "
                    "if named, must be an approved organisation the caller acts for.",
        request=s.EnrolSerializer,
        responses=with_errors({201: s.EnrolmentSerializer}, 400, 401, 403, 404, 409, examples={
            400: [error_example(
                "A prerequisite not completed", code="prerequisite_missing",
                message="This course needs CM-101 Continuous processing basics completed "
                        "first. If you have equivalent experience, ask the programme office "
                        "to waive the prerequisite.")],
            403: [error_example(
                "Not an organisation the caller acts for", code="permission_denied",
                message="You can name as sponsor only an approved organisation you act for.",
                fields={"sponsor": ["Not an organisation you act for."]})],
            409: [error_example("Already enrolled", code="already_enrolled",
                                message="You are already enrolled for this run."),
                  error_example("Enrolment closed", code="enrolment_closed",
                                message="Enrolment for this run has closed.")],
        }),
        examples=[ENROL_EXAMPLE, ENROLMENT_EXAMPLE, WAITLISTED_EXAMPLE],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def enrol(self, request, pk=None):
        run = self.get_object()
        payload = s.EnrolSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        enrolment = enrolment_create(actor=request.user, run=run, **payload.validated_data)
        # Read back as the caller's list of enrolments shows it.
        enrolment = enrolment_list_visible(user=request.user).get(pk=enrolment.pk)
        return Response(s.EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


    @extend_schema(
        methods=["GET"],
        summary="A session's register",
        description="The people on the run's register (its confirmed seats; once the run is "
                    "completed, their outcomes), by name, each present, absent or not marked "
                    "yet at the session. For the run's trainers and programme staff (with "
                    "MFA): anyone else who may see the run is refused (403); a run they may "
                    "not see is a 404, as a session of another run is.",
        parameters=[OpenApiParameter("session_id", int, OpenApiParameter.PATH,
                                     description="Id of a session of the run.")],
        responses=with_errors({200: s.RegisterRowSerializer(many=True)}, 401, 403, 404),
    )
    @extend_schema(
        methods=["POST"],
        summary="Mark a person present or absent at a session",
        description="Only a confirmed seat on this run, from the session's day on, and while "
                    "the run is not yet completed or cancelled. Marking again changes the "
                    "mark. The answer is the person's row of the register.",
        parameters=[OpenApiParameter("session_id", int, OpenApiParameter.PATH,
                                     description="Id of a session of the run.")],
        request=s.AttendanceMarkSerializer,
        responses=with_errors({200: s.RegisterRowSerializer}, 400, 401, 403, 404, 409, examples={
            409: [error_example(
                      "The session is still to come", code="session_not_started",
                      message="This session is on 12 May 2026: attendance is marked from that "
                              "day."),
                  error_example("The run is completed", code="run_closed",
                                message="The run is completed: its attendance is final.")],
        }),
    )
    @action(detail=True, methods=["get", "post"], permission_classes=[IsAuthenticated],
            filter_backends=[], url_path=r"sessions/(?P<session_id>[0-9]+)/attendance",
            url_name="attendance")
    def attendance(self, request, pk=None, session_id=None):
        run = self.get_object()
        if not may_train(request.user, run):
            raise NotAllowed(NOT_A_TRAINER)
        session = session_of_run(run=run, pk=int(session_id))
        if session is None:
            raise NotFound("The run has no session with this id.")
        if request.method == "GET":
            page = self.paginate_queryset(session_register(session=session))
            return self.get_paginated_response(s.RegisterRowSerializer(page, many=True).data)
        body = s.AttendanceMarkSerializer(data=request.data,
                                          context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        enrolment = body.validated_data["enrolment"]
        attendance_mark(actor=request.user, session=session, enrolment=enrolment,
                        present=body.validated_data["present"])
        return Response(s.RegisterRowSerializer(
            register_row(session=session, enrolment_pk=enrolment.pk)).data)


# --- Enrolments -------------------------------------------------------------------------------

NOT_OFFERED_EXAMPLE = error_example("No seat offered", code="not_offered",
                                    message="There is no seat offered to you on this run.")


@extend_schema_view(
    list=extend_schema(
        summary="List enrolments",
        description="The caller's own enrolments, newest first; programme staff (with MFA) "
                    "see everyone's. A waitlisted enrolment says its place in line.",
        examples=[ENROLMENT_EXAMPLE],
    ),
    retrieve=extend_schema(summary="One enrolment",
                           description="Another person's enrolment is a 404.",
                           responses=with_errors({200: s.EnrolmentSerializer}, 401, 404)),
)
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.EnrolmentSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = EnrolmentFilter
    ordering_fields = ["created_at", "starts_on"]

    def get_queryset(self):
        # ?ordering=starts_on: by when the run starts.
        return enrolment_list_visible(user=self.request.user).alias(
            starts_on=F("run__starts_on"))

    def list(self, request):
        # Rows built from values, not a serializer per enrolment (talent.api.rows).
        page = self.paginate_queryset(enrolment_values(
            self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(enrolment_rows(page))

    @extend_schema(
        summary="Cancel an enrolment, or leave the waitlist",
        description="The person themself until the run starts (then the programme office "
                    "does it); programme staff at any time before the run is completed, and "
                    "the person is told. A freed seat goes to the first on the waitlist at "
                    "once.",
        request=OptionalReasonSerializer,
        responses=with_errors({200: s.EnrolmentSerializer}, 400, 401, 403, 404, 409, examples={
            409: [error_example(
                      "The run has started", code="run_started",
                      message="The run has started: to withdraw now, write to the programme "
                              "office."),
                  error_example("Already cancelled", code="already_decided",
                                message="This enrolment was already cancelled.")],
        }),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.transition(enrolment_cancel, target="enrolment",
                               payload=OptionalReasonSerializer)

    @extend_schema(
        summary="Accept an offered seat",
        description="Only the person offered the seat, before the offer expires "
                    "(`offer_expires_at`); the enrolment is then confirmed.",
        request=None,
        responses=with_errors({200: s.EnrolmentSerializer}, 401, 403, 404, 409, examples={
            409: [NOT_OFFERED_EXAMPLE, error_example(
                "The offer expired", code="offer_expired",
                message="The offer has expired: the seat went to the next person in line.")],
        }),
    )
    @action(detail=True, methods=["post"], url_path="accept-offer")
    def accept_offer(self, request, pk=None):
        return self.transition(enrolment_offer_accept, target="enrolment")

    @extend_schema(
        summary="Decline an offered seat",
        description="Only the person offered the seat. The seat goes to the next on the "
                    "waitlist, and the enrolment is cancelled.",
        request=None,
        responses=with_errors({200: s.EnrolmentSerializer}, 401, 403, 404, 409,
                              examples={409: [NOT_OFFERED_EXAMPLE]}),
    )
    @action(detail=True, methods=["post"], url_path="decline-offer")
    def decline_offer(self, request, pk=None):
        return self.transition(enrolment_offer_decline, target="enrolment")


# --- The caller's learning --------------------------------------------------------------------


class MyLearningView(APIView):
    """The caller's enrolments as "My learning" groups them: upcoming seats and offers, places
    on waitlists, and history."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The caller's learning",
                   responses=with_errors({200: s.MyLearningSerializer}, 401))
    def get(self, request):
        return Response(s.MyLearningSerializer(my_learning(user=request.user)).data)


class MyCertificatesView(generics.ListAPIView):
    """The caller's certificates, newest first: what each is for, where it stands now (valid,
    revoked, or expired), and where to verify and download it."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.OwnCertificateSerializer
    filter_backends = []

    def get_queryset(self):
        return certificate_list_of(user=self.request.user)

    def get_serializer_context(self):
        # One "today" for every row, so a page never says two things about one expiry date.
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(summary="The caller's certificates",
                   responses=with_errors({200: s.OwnCertificateSerializer(many=True)}, 401))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MySkillsView(APIView):
    """The caller's skills profile: the skills held from the courses completed, and for each
    workstream their organisations take part in, the skills it needs, whether the caller holds
    each to the level needed, and the courses that would close each gap."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The caller's skills profile",
                   responses=with_errors({200: s.MySkillsSerializer}, 401))
    def get(self, request):
        held = skills_profile(user=request.user)
        return Response(s.MySkillsSerializer({
            "held": held,
            "workstreams": workstream_skill_gaps(user=request.user, held=held)}).data)
