"""The partners app's part of the programme dashboard (cluster_portal.reports.dashboard): its
pending work and its figures, each read in a fixed number of aggregate queries.

Organisations join the cluster, not one programme, so the programme filter leaves these
figures as they are; the period narrows them to the organisations that had joined by its end
(and, over time, to the quarters it spans)."""

from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce, NullIf, TruncQuarter
from django.urls import reverse

from cluster_portal.accounts.permissions import may_act_as_admin, may_act_as_staff
from cluster_portal.reports.dashboard import (
    DashboardFilters,
    Figure,
    FigureData,
    PendingWork,
    grouped_figure,
    quarterly_figure,
)
from cluster_portal.reports.dashboard import (
    register as register_parts,
)

from .models import Organisation
from .selectors import organisations_pending_approval, renewals_due

NO_TIER = "none"
TIERS = [*Organisation.Tier.choices, (NO_TIER, "No tier")]


def registrations_waiting(user, filters: DashboardFilters):
    if not may_act_as_admin(user):
        return None
    return organisations_pending_approval().order_by().count(), reverse("partners:approvals")


def renewals_coming(user, filters: DashboardFilters):
    if not may_act_as_staff(user):
        return None
    return renewals_due().order_by().count(), reverse("partners:renewals")


def _partners(filters: DashboardFilters):
    """Approved organisations, each with the day it joined (approved, or registered when it was
    approved without a recorded decision), as of the period's end."""
    organisations = Organisation.objects.filter(status=Organisation.Status.APPROVED).annotate(
        joined_at=Coalesce("decided_at", "created_at"),
        tier_key=Coalesce(NullIf(F("tier"), Value("")), Value(NO_TIER)))
    if filters.date_to:
        organisations = organisations.filter(joined_at__date__lte=filters.date_to)
    return organisations.order_by()


def partners_by_kind_and_tier(user, filters: DashboardFilters) -> FigureData:
    rows = _partners(filters).values("kind", "tier_key").annotate(count=Count("pk"))
    return grouped_figure(
        [{"label": row["kind"], "series": row["tier_key"], "count": row["count"]} for row in rows],
        labels=Organisation.Kind.choices, series=TIERS, x_title="Kind", y_title="Partners")


def partners_joined_per_quarter(user, filters: DashboardFilters) -> FigureData:
    partners = _partners(filters)
    if filters.date_from:
        partners = partners.filter(joined_at__date__gte=filters.date_from)
    rows = partners.values(quarter=TruncQuarter("joined_at"), series=F("tier_key")).annotate(
        count=Count("pk"))
    return quarterly_figure(list(rows), series=TIERS, filters=filters, y_title="Partners joined")


def register() -> None:
    """Register this app's dashboard parts (called from ready())."""
    register_parts(
        PendingWork(key="registrations", label="Registrations waiting for approval",
                    read=registrations_waiting, order=10),
        PendingWork(key="renewals_due", label="Memberships to renew in the next 90 days",
                    read=renewals_coming, order=40),
        Figure(key="partners-by-kind-and-tier", title="Partners by kind and tier",
               description="Approved organisations by what they are and their membership tier.",
               chart="stacked_bar", read=partners_by_kind_and_tier, order=10),
        Figure(key="partners-joined", title="Partners joined per quarter, by tier",
               description="How many organisations joined the programme each quarter, by the "
                           "tier they hold now.",
               chart="line", read=partners_joined_per_quarter, order=20),
    )
