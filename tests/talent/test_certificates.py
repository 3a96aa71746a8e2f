"""Certificates: issuing (serial, expiry, once), a run's at once in the background with its
progress, learning paths, revoking, the PDF, the public verification page (which shows the
holder's name and what they earned, never their address) and the expiry reminders."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cluster_portal.accounts.models import User
from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification
from talent.models import Certificate, CertificateBatch, LearningPath, LearningPathStep
from talent.services import (
    certificate_batch_run,
    certificate_batch_start,
    certificate_expiry_reminders_send,
    certificate_issue,
    certificate_revoke,
)
from talent.services.certificates import months_after
from tests.factories import UserFactory
from tests.support.queries import queries_of_get
from tests.talent.factories import CourseFactory, CourseSkillFactory, SkillFactory, in_days
from tests.talent.past_runs import (
    certificate_for,
    completed_enrolment,
    enrol,
    mark,
    past_run,
)

pytestmark = pytest.mark.django_db
SERIAL = re.compile(r"^[A-Z2-7]{12}$")


def test_a_certificate_has_a_short_unguessable_serial_and_is_issued_once():
    enrolment = completed_enrolment()
    certificate = certificate_issue(actor=SYSTEM, enrolment=enrolment)
    again = certificate_issue(actor=SYSTEM, enrolment=enrolment)
    assert again.pk == certificate.pk
    assert SERIAL.match(certificate.serial)
    assert certificate.issued_on == timezone.localdate() and certificate.expires_on is None
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1
    assert Notification.objects.filter(recipient=enrolment.person,
                                       kind="certificate_issued").count() == 1
    serials = {certificate_for().serial for _ in range(5)} | {certificate.serial}
    assert len(serials) == 6


def test_a_lapsing_courses_certificate_expires_its_months_after_the_run_ended():
    certificate = certificate_for(certificate_valid_months=12)
    run = certificate.enrolment.run
    assert certificate.expires_on == run.ends_on.replace(year=run.ends_on.year + 1) or \
        certificate.expires_on == months_after(run.ends_on, 12)
    assert months_after(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert months_after(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)


def test_only_a_completed_enrolment_earns_one_and_only_staff_issue_it(staff_user):
    run = past_run(sessions=2)
    no_show, completed = enrol(run), enrol(run)
    mark(completed, attended=2)
    from talent.services import course_run_complete

    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=100)
    with pytest.raises(Conflict, match="Only a completed enrolment earns a certificate"):
        certificate_issue(actor=SYSTEM, enrolment=no_show)
    for outsider in (completed.person, staff_user):
        with pytest.raises(NotAllowed):
            certificate_issue(actor=outsider, enrolment=completed)
    assert not Certificate.objects.exists()


def test_completing_every_course_of_a_path_issues_its_certificate_once():
    person = UserFactory()
    first, second = CourseFactory(), CourseFactory()
    path = LearningPath.objects.create(slug="foundations", name="Foundations")
    LearningPathStep.objects.create(path=path, course=first, order=1)
    LearningPathStep.objects.create(path=path, course=second, order=2)

    certificate_for(person, run=past_run(sessions=1, course=first))
    assert not Certificate.objects.filter(learning_path=path).exists()
    certificate_for(person, run=past_run(sessions=1, course=second))
    # The same course again (a later run): the path's certificate is not issued twice.
    certificate_for(person, run=past_run(sessions=1, course=second))

    [path_certificate] = Certificate.objects.filter(learning_path=path)
    assert path_certificate.person == person and path_certificate.enrolment is None
    assert Notification.objects.filter(recipient=person, kind="certificate_issued",
                                       message__contains="Foundations").count() == 1


def test_revoking_needs_a_reason_tells_the_holder_and_happens_once(mfa_staff_user):
    certificate = certificate_for()
    with pytest.raises(ApplicationError, match="Say why"):
        certificate_revoke(actor=mfa_staff_user, certificate=certificate, reason=" ")
    certificate_revoke(actor=mfa_staff_user, certificate=certificate, reason="Issued in error.")
    with pytest.raises(Conflict, match="already revoked"):
        certificate_revoke(actor=mfa_staff_user, certificate=certificate, reason="Again.")
    certificate.refresh_from_db()
    assert certificate.revoked_at and certificate.revocation_reason == "Issued in error."
    notice = Notification.objects.get(recipient=certificate.person, kind="certificate_revoked")
    assert "Issued in error." in notice.email.body_text
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


# --- The PDF ------------------------------------------------------------------------------------


def pdf_url(certificate) -> str:
    return reverse("talent:certificate_pdf", kwargs={"serial": certificate.serial})


def test_the_holder_downloads_a_pdf_with_their_name_course_skills_serial_and_dates(client):
    course = CourseFactory(code="CM-101", title="Flow chemistry basics", hours=14,
                           certificate_valid_months=24)
    CourseSkillFactory(course=course, skill=SkillFactory(name="Continuous processing"), level=3)
    certificate = certificate_for(UserFactory(full_name="Nguyễn Thị Lan"),
                                  run=past_run(sessions=2, course=course))
    client.force_login(certificate.person)
    response = client.get(pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("Nguyễn Thị Lan", "CM-101 Flow chemistry basics", certificate.serial,
                     "Continuous processing", "Level 3 · Practitioner", "14 hours",
                     "Valid until", f"/courses/certificates/{certificate.serial}/"):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_only_the_holder_and_staff_download_a_certificate(client, mfa_staff_user):
    certificate = certificate_for()
    client.force_login(UserFactory())
    assert client.get(pdf_url(certificate)).status_code == 404
    client.force_login(mfa_staff_user)
    assert client.get(pdf_url(certificate)).status_code == 200


# --- The public verification page ---------------------------------------------------------------


def verify_url(serial: str) -> str:
    return reverse("talent:certificate", kwargs={"serial": serial})


def test_the_verification_page_confirms_what_was_earned_and_shows_no_address(client):
    course = CourseFactory(code="PAT-101", title="Process analytics")
    CourseSkillFactory(course=course, skill=SkillFactory(name="Chemometrics"), level=2)
    holder = UserFactory(full_name="Tan Mei Ling", email="mei.ling@example.org",
                         job_title="Process engineer")
    certificate = certificate_for(holder, run=past_run(sessions=2, course=course))
    page = client.get(verify_url(certificate.serial))
    html = page.content.decode()
    assert page.status_code == 200
    for expected in ("Valid.", "Tan Mei Ling", "PAT-101 Process analytics", "Chemometrics",
                     certificate.serial):
        assert expected in html
    for private in ("mei.ling", "Process engineer"):
        assert private not in html
    # Typed from paper: any case, grouped with spaces or dashes.
    grouped = "-".join(re.findall("....", certificate.serial.lower()))
    assert client.get(verify_url(grouped)).status_code == 200


def test_an_unknown_serial_is_a_404_that_gives_no_hint(client):
    certificate = certificate_for()
    near = certificate.serial[:-1] + ("A" if certificate.serial[-1] != "A" else "B")
    first, second = client.get(verify_url(near)), client.get(verify_url("NOSUCHSERIAL"))
    assert first.status_code == second.status_code == 404
    # The same page, but for the address asked and the form token every page carries.
    def page(response, asked: str) -> str:
        return re.sub(r'"X-CSRFToken": "\w+"', "", response.content.decode().replace(asked, "S"))

    assert page(first, near) == page(second, "NOSUCHSERIAL")


def test_the_verification_page_says_revoked_or_expired(client, mfa_staff_user):
    revoked = certificate_for()
    certificate_revoke(actor=mfa_staff_user, certificate=revoked, reason="Issued in error.")
    html = client.get(verify_url(revoked.serial)).content.decode()
    assert "Revoked." in html and "Issued in error." not in html  # the reason is the holder's

    expired = certificate_for()
    Certificate.objects.filter(pk=expired.pk).update(expires_on=in_days(-1))
    assert "Expired." in client.get(verify_url(expired.serial)).content.decode()


def test_staff_revoke_from_the_page_after_being_asked(client, mfa_staff_user):
    certificate = certificate_for()
    url = reverse("talent:certificate_revoke", kwargs={"serial": certificate.serial})
    client.force_login(mfa_staff_user)
    question = client.get(url)
    assert question.status_code == 200 and "cannot be undone" in question.content.decode()
    assert client.post(url, {"reason": ""}).status_code == 400
    done = client.post(url, {"reason": "Attendance was recorded wrongly."})
    assert done["Location"] == verify_url(certificate.serial)
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Attendance was recorded wrongly."


# --- A run's certificates at once ---------------------------------------------------------------


def completed_run(trainees: int):
    run = past_run(sessions=1, capacity=max(trainees, 1))
    for _ in range(trainees):
        mark(enrol(run), attended=1)
    from talent.services import course_run_complete

    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=100)
    return run


def test_a_runs_certificates_are_issued_by_a_task_after_commit_with_progress(
        mfa_staff_user, django_capture_on_commit_callbacks):
    run = completed_run(trainees=3)
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_start(actor=mfa_staff_user, run=run)
        assert not Certificate.objects.exists()  # nothing before the transaction commits
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.issued, batch.failed) == ("finished", 3, 3, 0)
    assert Certificate.objects.filter(enrolment__run=run).count() == 3
    assert all(c.issued_by == mfa_staff_user for c in Certificate.objects.all())

    # Run again (a redelivered task): nothing is issued twice and the counts stay true.
    CertificateBatch.objects.filter(pk=batch.pk).update(status="running")
    certificate_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.issued) == ("finished", 3)
    assert Certificate.objects.count() == 3
    with pytest.raises(Conflict, match="has a certificate already"):
        certificate_batch_start(actor=mfa_staff_user, run=run)


def test_asking_again_while_a_batch_is_at_work_shows_that_batch(mfa_staff_user):
    run = completed_run(trainees=2)
    with transaction.atomic():  # not committed: the task has not run
        first = certificate_batch_start(actor=mfa_staff_user, run=run)
        again = certificate_batch_start(actor=mfa_staff_user, run=run)
        assert again.pk == first.pk
        transaction.set_rollback(True)


def test_the_runs_page_starts_the_batch_and_shows_its_progress(
        client, mfa_staff_user, django_capture_on_commit_callbacks):
    run = completed_run(trainees=2)
    url = reverse("talent:run_certificates", kwargs={"pk": run.pk})
    client.force_login(mfa_staff_user)
    assert "Issue 2 certificates" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url)["Location"] == url
    html = client.get(url).content.decode()
    assert "2 of 2 certificates issued" in html and "Issue 2 certificates" not in html
    progress = client.get(url, HTTP_HX_REQUEST="true")
    assert progress.content.decode().strip().startswith('<div id="certificate-batch"')
    assert "hx-trigger" not in progress.content.decode()  # finished: it stops asking


def test_a_batch_at_work_asks_again_for_its_progress(client, mfa_staff_user):
    run = completed_run(trainees=1)
    CertificateBatch.objects.create(run=run, total=1, status="running")
    client.force_login(mfa_staff_user)
    html = client.get(reverse("talent:run_certificates", kwargs={"pk": run.pk}),
                      HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in html and '<progress' in html and "0 of 1 done" in html


# --- Lists at a fixed number of queries ---------------------------------------------------------


def test_my_certificates_and_a_runs_certificates_cost_the_same_for_more_rows(
        client, mfa_staff_user):
    person = UserFactory()
    client.force_login(person)
    mine = reverse("talent:my_certificates")
    certificate_for(person)
    one = queries_of_get(client, mine)
    for _ in range(4):
        certificate_for(person, certificate_valid_months=12)
    assert queries_of_get(client, mine) == one
    assert client.get(mine).content.decode().count("Download PDF") == 5

    client.force_login(mfa_staff_user)

    def run_page(trainees: int) -> int:
        run = completed_run(trainees)
        for enrolment in run.enrolments.all():
            certificate_issue(actor=SYSTEM, enrolment=enrolment)
        return queries_of_get(client, reverse("talent:run_certificates", kwargs={"pk": run.pk}))

    assert run_page(1) == run_page(6)


# --- Expiry reminders ---------------------------------------------------------------------------


def test_holders_are_reminded_once_a_month_before_expiry_even_if_the_task_runs_twice():
    due = certificate_for(certificate_valid_months=12)
    later = certificate_for(certificate_valid_months=12)
    revoked = certificate_for(certificate_valid_months=12)
    Certificate.objects.filter(pk=due.pk).update(expires_on=in_days(30))
    Certificate.objects.filter(pk=later.pk).update(expires_on=in_days(31))
    Certificate.objects.filter(pk=revoked.pk).update(expires_on=in_days(10),
                                                     revoked_at=timezone.now())

    assert certificate_expiry_reminders_send() == 1
    assert certificate_expiry_reminders_send() == 0
    assert certificate_expiry_reminders_send(today=in_days(1)) == 1  # `later` is due now
    notices = Notification.objects.filter(kind="certificate_expiring")
    assert sorted(n.recipient_id for n in notices) == sorted([due.person_id, later.person_id])
    due.refresh_from_db()
    assert due.expiry_reminder_sent_on == timezone.localdate()


def test_someone_who_renewed_the_certificate_is_not_reminded():
    person = UserFactory()
    course = CourseFactory(certificate_valid_months=12)
    old = certificate_for(person, run=past_run(sessions=1, course=course))
    certificate_for(person, run=past_run(sessions=1, course=course))  # took it again
    Certificate.objects.filter(pk=old.pk).update(expires_on=in_days(5))
    assert certificate_expiry_reminders_send() == 0


# --- The demo -----------------------------------------------------------------------------------


def test_the_demo_completes_its_past_runs_from_their_registers_and_issues_certificates():
    call_command("seed_demo")
    trainee = User.objects.get(email="trainee@example.org")
    mine = Certificate.objects.filter(person=trainee)
    assert mine.filter(enrolment__isnull=False).count() == 2
    assert mine.filter(learning_path__slug="continuous-manufacturing-foundations").exists()
    assert Certificate.objects.filter(enrolment__status="no_show").count() == 0
    assert Certificate.objects.count() >= 3
