"""An organisation's training record: whom it sponsored on which courses, how they did, hours
and skills; for its admins and the programme office, on screen and as CSV. A tab of the
organisation's pages (partners names it; the route is in cluster_portal/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cluster_portal.core.csv_export import csv_download
from cluster_portal.core.pages import paginate
from partners.views.common import organisation_tabs, visible_organisation

from ..permissions import may_see_training_record
from ..selectors import organisation_training_record, organisation_training_summary

RECORD_PAGE_SIZE = 50


def _organisation(request, slug: str):
    organisation = visible_organisation(request, slug)
    if not may_see_training_record(request.user, organisation):
        raise PermissionDenied
    return organisation


@login_required
@require_safe
def organisation_training(request, slug: str):
    organisation = _organisation(request, slug)
    return render(request, "talent/organisation_training.html", {
        "organisation": organisation, "page_title": "Training",
        "tabs": organisation_tabs(request, organisation, "training"),
        "summary": organisation_training_summary(organisation=organisation),
        "page": paginate(request, organisation_training_record(organisation=organisation),
                         per_page=RECORD_PAGE_SIZE),
    })


@login_required
@require_safe
def organisation_training_csv(request, slug: str):
    organisation = _organisation(request, slug)
    enrolments = organisation_training_record(organisation=organisation)
    return csv_download(
        filename=f"{organisation.slug}-training.csv",
        header=["person", "email", "course code", "course", "starts on", "ends on", "status",
                "hours completed"],
        rows=((enrolment.person.full_name, enrolment.person.email, enrolment.run.course.code,
               enrolment.run.course.title, enrolment.run.starts_on, enrolment.run.ends_on,
               enrolment.get_status_display(),
               enrolment.run.course.hours if enrolment.status == "completed" else 0)
              for enrolment in enrolments.iterator(chunk_size=500)))
