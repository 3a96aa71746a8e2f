"""Asking for a report, following it as it is built, and downloading it.

A report is built by a task (cluster_portal.reports.services.report_job_run); these pages ask
for one, show how far it got (the progress block asks again every two seconds while it is at
work), and hand over its private file, only to its requester and programme admins. A job
someone else asked for is missing to anyone else, exactly as one that does not exist."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from cluster_portal.accounts.middleware import mfa_setup_redirect
from cluster_portal.accounts.permissions import may_act_as_admin, needs_second_factor_first
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.core.pages import Refused, paginate

from ..forms import ReportRequestForm
from ..kinds import REGISTRY, kinds_all
from ..models import ReportJob
from ..permissions import may_download_report, may_request_report
from ..selectors import report_job_list_visible, report_jobs_of
from ..services import report_job_downloaded, report_job_request

GET_AND_POST = ["GET", "HEAD", "POST"]
JOBS_PER_PAGE = 20
CONTENT_TYPES = {
    ReportJob.Format.CSV: "text/csv; charset=utf-8",
    ReportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportJob.Format.PDF: "application/pdf",
}
NOTHING_TO_REQUEST = ("Reports are for the programme office, and for partner organisations' "
                      "admins where a report covers their own organisation. Your account may "
                      "ask for none of them.")


def signed_in(view):
    """A visitor is sent to sign in; staff without their second factor set it up first."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_second_factor_first(request.user):
            return mfa_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


def _kinds_for(user) -> list:
    # A list's own export (a kind taking "filters") is asked for from its list page, with that
    # page's filters; from here it would have none.
    return [kind for kind in kinds_all() if may_request_report(user, kind)
            and "filters" not in kind.extra_parameters]


def _label(key: str) -> str:
    kind = REGISTRY.kinds.get(key)
    return kind.label if kind else key.replace("_", " ").capitalize()


def _labelled(jobs):
    for job in jobs:
        job.kind_label = _label(job.kind)
    return jobs


def _job_or_404(request, pk: int) -> ReportJob:
    job = report_job_list_visible(user=request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("No such report.")
    job.kind_label = _label(job.kind)
    return job


PARAMETER_WORDS = (("programme", "programme {}"), ("workstream", "workstream {}"),
                   ("date_from", "from {}"), ("date_to", "to {}"), ("actor", "actions of {}"),
                   ("object_type", "objects of kind {}"))


def _narrowed_to(parameters: dict) -> str:
    words = [text.format(parameters[name]) for name, text in PARAMETER_WORDS
             if parameters.get(name)]
    # A list's export says the filters its list had, as the list's address held them.
    words += [f"{name.replace('_', ' ')}: {value}"
              for name, value in sorted((parameters.get("filters") or {}).items()) if value]
    return "; ".join(words) if words else "Nothing: everything its reader may see."


def _job_context(request, job: ReportJob) -> dict:
    kind = REGISTRY.kinds.get(job.kind)
    return {"job": job, "kind": kind, "narrowed_to": _narrowed_to(job.parameters or {}),
            # The one-click request of the same report again (its own, for an admin too).
            # A list's own export is asked for again from its list, with the filters it shows.
            "may_ask_again": kind is not None and may_request_report(request.user, kind)
            and "filters" not in kind.extra_parameters,
            "from_a_list": kind is not None and "filters" in kind.extra_parameters,
            "kept_days": (job.expired_at - job.finished_at).days
            if job.expired_at and job.finished_at else None}


def _detail(job: ReportJob):
    return redirect("reports:detail", pk=job.pk)


@require_http_methods(GET_AND_POST)
@signed_in
def report_list(request):
    kinds = _kinds_for(request.user)
    if not kinds:
        raise Refused(NOTHING_TO_REQUEST)
    form = ReportRequestForm(request.POST or None, kinds=kinds,
                             initial={"format": kinds[0].formats[0]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job, is_new = report_job_request(
                    actor=request.user, kind=form.cleaned_data["kind"],
                    format=form.cleaned_data["format"], parameters=form.parameters())
            except NotAllowed as error:
                raise Refused(error.message) from error
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                if is_new:
                    messages.success(request, f"Your report “{_label(job.kind)}” is being "
                                              "built. This page shows how far it got; you will "
                                              "be told when it is ready.")
                else:
                    messages.info(request, f"The same report “{_label(job.kind)}” is already "
                                           "being built: this is it. It was not asked for "
                                           "twice.")
                return _detail(job)
        status = 400
    own = paginate(request, report_jobs_of(user=request.user), per_page=JOBS_PER_PAGE)
    _labelled(own.object_list)
    everyone = None
    if may_act_as_admin(request.user):
        everyone = paginate(request, report_job_list_visible(user=request.user),
                            per_page=JOBS_PER_PAGE, parameter="all")
        _labelled(everyone.object_list)
    return render(request, "reports/report_list.html", {
        "form": form, "kinds": kinds, "page": own, "everyone": everyone,
    }, status=status)


@require_safe
@signed_in
def report_detail(request, pk: int):
    job = _job_or_404(request, pk)
    context = _job_context(request, job)
    if request.htmx:
        return render(request, "reports/partials/report_progress.html", context)
    return render(request, "reports/report_detail.html", context)


@require_safe
@signed_in
@cache_control(private=True, no_store=True)
def report_download(request, pk: int):
    """The file, as an attachment, only through this view: it lives in private storage."""
    job = _job_or_404(request, pk)
    if not may_download_report(request.user, job):
        raise Http404("No such report.")
    if job.expired_at is not None:
        return render(request, "reports/expired.html", _job_context(request, job), status=410)
    if job.status != ReportJob.Status.DONE or not job.file:
        messages.info(request, "This report is not ready yet: its file can be downloaded once "
                               "it is built." if job.is_at_work else
                               "This report could not be built, so it has no file.")
        return _detail(job)
    try:
        handle = job.file.open("rb")
    except (ValueError, OSError):
        raise Http404("No such report.") from None
    if request.method == "GET":  # a HEAD reads no file
        report_job_downloaded(actor=request.user, job=job)
    return FileResponse(handle, as_attachment=True, filename=job.file_name or None,
                        content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"))
