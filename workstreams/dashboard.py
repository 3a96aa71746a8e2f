"""The workstreams app's part of the programme dashboard (cluster_portal.reports.dashboard): its
pending work and its figures, each read in a fixed number of aggregate queries; and the
programmes the dashboard is filtered by."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.permissions import may_act_as_staff
from cluster_portal.reports.dashboard import (
    DashboardFilters,
    Figure,
    FigureData,
    PendingWork,
    register_programme_choices,
)
from cluster_portal.reports.dashboard import (
    register as register_parts,
)

from .models import JoinRequest, Programme, Workstream, WorkstreamMembership


def programme_choices() -> list[tuple[str, str]]:
    return list(Programme.objects.order_by("name").values_list("slug", "name"))


def join_requests_waiting(user, filters: DashboardFilters):
    if not may_act_as_staff(user):
        return None
    requests = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING)
    if filters.programme:
        requests = requests.filter(workstream__programme__slug=filters.programme)
    return requests.count(), reverse("workstreams:queue")


def memberships_per_workstream(user, filters: DashboardFilters) -> FigureData:
    """Each workstream's member organisations by role, on the period's last day (today when the
    period is open)."""
    on = filters.date_to or timezone.localdate()
    workstreams = Workstream.objects.all()
    if filters.programme:
        workstreams = workstreams.filter(programme__slug=filters.programme)
    held = (Q(memberships__since__lte=on)
            & (Q(memberships__until__isnull=True) | Q(memberships__until__gt=on)))
    rows = list(workstreams.order_by("display_order", "name").values("pk", "name").annotate(**{
        role: Count("memberships", filter=held & Q(memberships__role=role))
        for role in WorkstreamMembership.Role.values}))
    rows = [row for row in rows if any(row[role] for role in WorkstreamMembership.Role.values)]
    return FigureData(
        labels=[row["name"] for row in rows],
        series=[(label, [row[role] for row in rows])
                for role, label in WorkstreamMembership.Role.choices],
        x_title="Workstream", y_title="Member organisations")


def register() -> None:
    """Register this app's dashboard parts (called from ready())."""
    register_programme_choices(programme_choices)
    register_parts(
        PendingWork(key="join_requests", label="Join requests waiting for a decision",
                    read=join_requests_waiting, order=20),
        Figure(key="workstream-memberships", title="Workstream memberships",
               description="The organisations that are members of each workstream, by role.",
               chart="stacked_bar", read=memberships_per_workstream, order=30),
    )
