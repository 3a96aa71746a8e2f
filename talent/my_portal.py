"""The training panel of the person's own page (cluster_portal.core.my_portal): seats offered
to them that wait for an answer, their courses to come and their places on waitlists; for
trainers, the runs they teach next."""

from django.utils import timezone

from cluster_portal.core.my_portal import Panel

from .models import CourseRun, Enrolment

UPCOMING_SHOWN = 5


def read(user) -> dict | None:
    today = timezone.localdate()
    Status = Enrolment.Status
    mine = list(Enrolment.objects.filter(
        person=user, status__in=(Status.OFFERED, Status.CONFIRMED, Status.WAITLISTED),
        run__ends_on__gte=today,
    ).select_related("run__course").order_by("run__starts_on", "pk"))
    teaching = list(CourseRun.objects.filter(
        trainers=user, status=CourseRun.Status.SCHEDULED, ends_on__gte=today,
    ).select_related("course").order_by("starts_on", "pk")[:UPCOMING_SHOWN])
    context = {
        "offers": [e for e in mine if e.status == Status.OFFERED],
        "upcoming": [e for e in mine if e.status == Status.CONFIRMED][:UPCOMING_SHOWN],
        "waitlisted": [e for e in mine if e.status == Status.WAITLISTED],
        "teaching": teaching,
    }
    return context if any(context.values()) else None


PANEL = Panel(key="talent", template="talent/my_portal_panel.html", read=read, order=30)
