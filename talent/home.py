"""The talent app's section of the home page (cluster_portal.core.home_sections): the runs
open for enrolment now, soonest first."""

from django.utils import timezone

from cluster_portal.core.home_sections import Section

from .models import CourseRun

HOME_RUNS = 6


def read(user) -> dict:
    now = timezone.now()
    runs = list(CourseRun.objects.filter(
        status=CourseRun.Status.SCHEDULED, course__is_published=True,
        enrolment_opens_at__lte=now, enrolment_closes_at__gt=now,
    ).select_related("course").order_by("starts_on", "pk")[:HOME_RUNS])
    return {"runs": runs}


SECTION = Section(key="talent", template="talent/partials/home_section.html", read=read)
