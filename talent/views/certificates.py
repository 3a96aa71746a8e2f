"""Completing a run and its certificates: the staff pages that complete a run (asking first,
with the attendance threshold), issue its certificates in the background and revoke one; the
holder's list and downloads (PDF, Open Badges credential); and the public pages that verify a
certificate by its serial or a credential someone pastes, and publish the signing keys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_safe

from cluster_portal.accounts.decorators import programme_staff_required
from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.pages import Refused, act_and_redirect

from .. import services
from ..attendance_selectors import course_run_get_for_training
from ..certificate_selectors import (
    certificate_batch_latest,
    certificate_get_for_copy,
    certificate_get_public,
    certificate_list_of,
    certificate_public,
    run_outcomes,
)
from ..credentials import InvalidCredential, credential_sign, credential_verify, jwks
from ..forms import CompletionForm, CredentialForm, RevocationForm
from ..models import CertificateBatch, CourseRun, Enrolment
from ..permissions import may_manage_courses
from ..services.certificates import certificate_title, verification_url

GET_AND_POST = ["GET", "POST"]


def _staff_run(request, pk: int) -> CourseRun:
    run = course_run_get_for_training(user=request.user, pk=pk)
    if run is None:
        raise Http404("No such course run.")
    return run


def _run_named(run: CourseRun) -> str:
    return f"{run.course.code} {run.course.title} from {date_format(run.starts_on, 'j M Y')}"


def _completion_confirmation(run: CourseRun, form: CompletionForm) -> Confirmation:
    counts = dict.fromkeys(Enrolment.Status.values, 0)
    for status in run.enrolments.values_list("status", flat=True):
        counts[status] += 1
    confirmed = counts[Enrolment.Status.CONFIRMED]
    left_over = counts[Enrolment.Status.WAITLISTED] + counts[Enrolment.Status.OFFERED]
    consequences = [
        f"Each of the {confirmed} trainees with a confirmed seat who attended at least the share "
        "of the run's sessions you set below completes the course; the others are recorded as "
        "no-shows. Each is told.",
    ]
    if left_over:
        consequences.append(f"The {left_over} still on the waitlist or offered a seat are "
                            "cancelled and told.")
    consequences.append("This cannot be undone: attendance can no longer be marked, and the "
                        "run takes no more enrolments. Certificates are issued next, from the "
                        "run's certificates page.")
    return Confirmation(
        question=f"Complete the run of {_run_named(run)}?", consequences=consequences,
        confirm_label="Complete the run", form=form,
        cancel_url=reverse("talent:run_attendance", kwargs={"pk": run.pk}))


def _completed_message(outcome: services.RunOutcome) -> str:
    message = (f"The run is completed: {len(outcome.completed)} completed the course and "
               f"{len(outcome.no_shows)} did not attend enough.")
    if outcome.cancelled:
        message += f" {len(outcome.cancelled)} waitlisted or offered were cancelled."
    return message


@programme_staff_required
@require_http_methods(GET_AND_POST)
def run_complete(request, pk: int):
    run = _staff_run(request, pk)
    certificates_page = reverse("talent:run_certificates", kwargs={"pk": run.pk})
    if run.status != CourseRun.Status.SCHEDULED:
        messages.info(request, f"This run is {run.get_status_display().lower()} already.")
        return redirect(certificates_page if run.status == CourseRun.Status.COMPLETED
                        else reverse("talent:run_attendance", kwargs={"pk": run.pk}))
    if request.method != "POST":
        return confirm_page(request, _completion_confirmation(run, CompletionForm()))
    form = CompletionForm(request.POST)
    if not form.is_valid():
        return confirm_page(request, _completion_confirmation(run, form), status=400)
    return act_and_redirect(
        request, lambda: services.course_run_complete(
            actor=request.user, run=run,
            attendance_threshold=form.cleaned_data["attendance_threshold"]),
        success=_completed_message, to=certificates_page)


@programme_staff_required
@require_http_methods(GET_AND_POST)
def run_certificates(request, pk: int):
    """A completed run's outcomes and certificates; POST issues the missing ones in the
    background, and the page (htmx, every two seconds) shows how far that got."""
    run = _staff_run(request, pk)
    here = reverse("talent:run_certificates", kwargs={"pk": run.pk})
    if request.method == "POST":
        return act_and_redirect(
            request, lambda: services.certificate_batch_start(actor=request.user, run=run),
            success=lambda batch: f"Issuing {batch.total} certificate(s); this page shows "
                                  "the progress.", to=here)
    batch = certificate_batch_latest(run=run)
    context = {"run": run, "course": run.course, "batch": batch,
               "at_work": batch is not None and batch.status != CertificateBatch.Status.FINISHED}
    if request.htmx:
        return render(request, "talent/partials/certificate_batch.html", context)
    outcomes = run_outcomes(run=run)
    return render(request, "talent/run_certificates.html", {
        **context, "outcomes": outcomes,
        "waiting": sum(1 for enrolment in outcomes if enrolment.status == "completed"
                       and not hasattr(enrolment, "certificate")),
    })


@login_required
@require_safe
def my_certificates(request):
    certificates = list(certificate_list_of(user=request.user))
    for certificate in certificates:
        certificate.facts = certificate_public(certificate)
    return render(request, "talent/my_certificates.html", {"certificates": certificates})


def _copy_of(request, serial: str):
    certificate = certificate_get_for_copy(user=request.user, serial=serial)
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


@login_required
@require_safe
def certificate_pdf(request, serial: str):
    # fpdf2 (with Pillow and fontTools, some 45 MB) is loaded only in a process that writes a
    # PDF, not in every web and report worker that loads the URLconf.
    from ..certificate_pdf import certificate_pdf as render_pdf

    certificate = _copy_of(request, serial)
    response = HttpResponse(render_pdf(certificate, certificate_public(certificate),
                                       verification_url(certificate)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.serial}.pdf"'
    return response


@login_required
@require_safe
def certificate_credential(request, serial: str):
    """The certificate as an Open Badges 3.0 credential (a VC-JWT), signed now."""
    certificate = _copy_of(request, serial)
    if certificate.revoked_at is not None:
        raise Refused("This certificate was revoked: the portal no longer signs credentials "
                      "for it.")
    response = HttpResponse(credential_sign(certificate), content_type="application/jwt")
    response["Content-Disposition"] = (f'attachment; filename="certificate-'
                                       f'{certificate.serial}.jwt"')
    return response


@require_safe
def certificate(request, serial: str):
    """The public verification of one certificate: anyone with its serial (the QR code on the
    PDF leads here) sees whether it is valid, and the holder's name and what they earned."""
    found = certificate_get_public(serial=serial)
    if found is None:
        raise Http404("No such certificate.")
    return render(request, "talent/certificate.html", {
        "facts": certificate_public(found), "may_revoke": may_manage_courses(request.user),
    })


@require_http_methods(GET_AND_POST)
def credential_check(request):
    """Verify a pasted Open Badges credential. Checking changes nothing, so the answer is
    shown at once rather than after a redirect."""
    form = CredentialForm(request.POST or None)
    context, status = {"form": form}, 200
    if request.method == "POST" and form.is_valid():
        try:
            check = credential_verify(form.cleaned_data["credential"])
        except InvalidCredential as error:
            context["refusal"], status = error.message, 400
        else:
            context.update(check=check, facts=check.public)
    elif request.method == "POST":
        status = 400
    return render(request, "talent/credential_check.html", context, status=status)


@programme_staff_required
@require_http_methods(GET_AND_POST)
def certificate_revoke(request, serial: str):
    found = certificate_get_public(serial=serial)
    if found is None:
        raise Http404("No such certificate.")
    here = reverse("talent:certificate", kwargs={"serial": found.serial})
    form = RevocationForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        holder = found.person.full_name
        return confirm_page(request, Confirmation(
            question=f"Revoke {holder}'s certificate for {certificate_title(found)}?",
            consequences=[
                f"Checking certificate {found.serial} will say it was revoked, wherever it is "
                "shown: its PDF's code and its Open Badges credential included.",
                f"{holder} is told, with your reason. This cannot be undone.",
            ],
            confirm_label="Revoke the certificate", form=form, cancel_url=here),
            status=400 if request.method == "POST" else 200)
    return act_and_redirect(
        request, lambda: services.certificate_revoke(actor=request.user, certificate=found,
                                                     reason=form.cleaned_data["reason"]),
        success="The certificate is revoked; its holder is told.", to=here)


@require_safe
def signing_keys(request):
    """The public keys of every key that signed the portal's credentials (a JSON Web Key
    Set), for any verifier; the portal's own verification reads the same keys."""
    response = JsonResponse(jwks())
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response

