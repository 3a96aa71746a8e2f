"""Reads of programmes and workstreams, scoped to the person asking (the access layer).

Workstreams themselves are public: active ones and the planned platforms alike. Their member
organisations are shown only as far as the person may see those organisations.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cluster_portal.accounts.permissions import may_act_as_staff
from partners.selectors import (
    consortium_agreements_in_force,
    organisation_list_visible,
    user_organisation_roles,
)

from .models import (
    JoinRequest,
    MeetingCalendarFeed,
    Programme,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMeetingFile,
    WorkstreamMembership,
)


def programme_for_home() -> Programme | None:
    return (
        Programme.objects.filter(is_featured=True).prefetch_related("phases").first()
        or Programme.objects.prefetch_related("phases").order_by("pk").first()
    )


def workstream_list_public(*, programme: Programme | None = None) -> QuerySet[Workstream]:
    workstreams = Workstream.objects.select_related("programme", "lead", "parent")
    if programme is not None:
        workstreams = workstreams.filter(programme=programme)
    return workstreams.order_by("status", "display_order", "name")  # active before planned


def workstream_get_public(*, slug: str) -> Workstream:
    return workstream_list_public().prefetch_related("children").get(slug=slug)


def workstream_member_organisations(*, user, workstream: Workstream):
    """Active member organisations the person may see: listed ones, their own, or all for staff.
    An unlisted member stays invisible to visitors and other partners, in lists and counts."""

    return (
        WorkstreamMembership.objects.filter(
            workstream=workstream, until__isnull=True,
            organisation__in=organisation_list_visible(user=user),
        ).select_related("organisation").order_by("organisation__name")
    )


def workstream_list_with_member_counts(*, user, programme: Programme | None = None):
    """Workstreams with the number of member organisations the person may see (one query)."""

    visible = organisation_list_visible(user=user).values("pk")
    return workstream_list_public(programme=programme).annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__until__isnull=True, memberships__organisation__in=visible),
        )
    )


def join_request_list_visible(*, user) -> QuerySet[JoinRequest]:
    """Staff see every request; partner admins and members their organisations' own."""

    requests = JoinRequest.objects.select_related(
        "organisation", "workstream", "requested_by", "decided_by"
    )
    if may_act_as_staff(user):
        return requests
    return requests.filter(organisation__in=list(user_organisation_roles(user)))


def join_request_queue(*, workstream_slug: str = "") -> QuerySet[JoinRequest]:
    """Pending requests, oldest first: the staff review queue. Each carries
    `has_consortium_agreement`, which the reviewer weighs, without a query per row."""

    requests = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING)
    if workstream_slug:
        requests = requests.filter(workstream__slug=workstream_slug)
    return requests.select_related("organisation", "workstream", "requested_by").annotate(
        has_consortium_agreement=Exists(
            consortium_agreements_in_force().filter(organisation=OuterRef("organisation_id"))
        )
    ).order_by("created_at", "pk")


def join_requests_recently_decided(*, limit: int = 20) -> list[JoinRequest]:
    """The last decisions (withdrawals included), newest first, under the staff queue."""
    return list(
        JoinRequest.objects.exclude(status=JoinRequest.Status.PENDING)
        .select_related("organisation", "workstream", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def workstream_membership_list_visible(*, user) -> QuerySet[WorkstreamMembership]:
    """Memberships whose organisation the person may see (all, for staff)."""

    return WorkstreamMembership.objects.filter(
        organisation__in=organisation_list_visible(user=user)
    ).select_related("organisation", "workstream", "ended_by")


def organisation_workstream_memberships(*, organisation) -> QuerySet[WorkstreamMembership]:
    return WorkstreamMembership.objects.filter(
        organisation=organisation, until__isnull=True
    ).select_related("workstream").order_by("workstream__display_order")


def workstream_meetings(*, workstream: Workstream) -> QuerySet[WorkstreamMeeting]:
    """The members' area's meetings, each with its agenda, minutes and papers."""
    return workstream.meetings.select_related("workstream").prefetch_related(
        Prefetch("files", queryset=WorkstreamMeetingFile.objects.order_by(
            "kind", "uploaded_at", "pk"))
    ).order_by("-starts_at", "-pk")


def workstream_meeting_files(*, workstream: Workstream) -> QuerySet[WorkstreamMeetingFile]:
    return WorkstreamMeetingFile.objects.filter(meeting__workstream=workstream).select_related(
        "meeting")


# A feed carries a year of past meetings and every future one: enough for a calendar's
# history without the feed growing for ever.
FEED_HISTORY = datetime.timedelta(days=365)


def meetings_of_person(*, person) -> QuerySet[WorkstreamMeeting]:
    """The meetings of every workstream in which one of the person's approved organisations is
    an active member now, for their calendar feed (one query, whatever the number)."""
    member_of = WorkstreamMembership.objects.filter(
        until__isnull=True, organisation__status="approved",
        organisation__memberships__person=person,
    ).values("workstream_id")
    return WorkstreamMeeting.objects.filter(
        workstream__in=member_of, starts_at__gte=timezone.now() - FEED_HISTORY,
    ).select_related("workstream").order_by("starts_at", "pk")


def meeting_calendar_feed_of(*, person) -> MeetingCalendarFeed | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return MeetingCalendarFeed.objects.filter(person=person).first()


def workstream_member_people(*, workstream: Workstream) -> QuerySet:
    """Everyone who acts for an approved organisation that is an active member of the
    workstream (admins and members alike, active accounts only): who hears of what is shared
    in its members' area."""
    return get_user_model().objects.filter(
        is_active=True,
        organisation_memberships__organisation__status="approved",
        organisation_memberships__organisation__workstream_memberships__workstream=workstream,
        organisation_memberships__organisation__workstream_memberships__until__isnull=True,
    ).distinct().order_by("pk")


def workstream_documents(*, workstream: Workstream) -> QuerySet[WorkstreamDocument]:
    return workstream.documents.select_related("uploaded_by").order_by("-uploaded_at")
