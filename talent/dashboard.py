"""The talent app's part of the programme dashboard (cluster_portal.reports.dashboard): its
pending work and its figures, each read in a fixed number of aggregate queries.

The skills-gap view is drawn by the projects app, which adds its active projects' needs to the
workstreams' own (talent may not import projects)."""

from django.db.models import Count, Value
from django.db.models.functions import TruncQuarter

from cluster_portal.reports.dashboard import (
    DashboardFilters,
    Figure,
    FigureData,
    quarterly_figure,
)
from cluster_portal.reports.dashboard import (
    register as register_parts,
)

from .models import Certificate, Enrolment

# Enrolments that took a seat (a waitlisted or cancelled one did not).
SEATED = (Enrolment.Status.CONFIRMED, Enrolment.Status.COMPLETED, Enrolment.Status.NO_SHOW)
SERIES = [("enrolled", "Trainees enrolled"), ("certified", "Trainees certified")]


def trainees_per_quarter(user, filters: DashboardFilters) -> FigureData:
    """People enrolled, by the quarter their run starts, and people certified, by the quarter
    the certificate was issued (revoked ones left out); a person counts once a quarter."""
    enrolments = Enrolment.objects.filter(status__in=SEATED)
    certificates = Certificate.objects.filter(revoked_at__isnull=True)
    if filters.programme:
        enrolments = enrolments.filter(
            run__course__workstreams__programme__slug=filters.programme)
        certificates = certificates.filter(
            enrolment__run__course__workstreams__programme__slug=filters.programme)
    if filters.date_from:
        enrolments = enrolments.filter(run__starts_on__gte=filters.date_from)
        certificates = certificates.filter(issued_on__gte=filters.date_from)
    if filters.date_to:
        enrolments = enrolments.filter(run__starts_on__lte=filters.date_to)
        certificates = certificates.filter(issued_on__lte=filters.date_to)
    rows = [
        *enrolments.order_by().values(quarter=TruncQuarter("run__starts_on"))
        .annotate(count=Count("person", distinct=True), series=Value("enrolled")),
        *certificates.order_by().values(quarter=TruncQuarter("issued_on"))
        .annotate(count=Count("person", distinct=True), series=Value("certified")),
    ]
    return quarterly_figure(rows, series=SERIES, filters=filters, y_title="People")


def register() -> None:
    """Register this app's dashboard parts (called from ready())."""
    register_parts(
        Figure(key="trainees", title="Trainees enrolled and certified per quarter",
               description="The people who took a seat on a course run starting in each "
                           "quarter, and the people certified in it.",
               chart="bar", read=trainees_per_quarter, order=60),
    )
