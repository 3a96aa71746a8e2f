"""Journey: a visitor filters the courses by a skill, opens a course and its run, signs in and
takes the second of its two seats; another trainee joins its waitlist; the first seat's holder
cancels, through the confirmation, and the waitlisted trainee gets the seat and an e-mail. The
run takes place: its trainer, on a phone, takes the registers of both sessions and completes
the run; staff issue the certificates; the trainee downloads the PDF and anyone can verify it
on the public page."""

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cluster_portal.core.actors import SYSTEM
from talent.models import Certificate, CourseRun, Enrolment, Session
from talent.services import enrolment_create
from tests.browser.conftest import PHONE
from tests.conftest import activate_totp
from tests.factories import PASSWORD, UserFactory
from tests.support.mailserver import text_part
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    CourseSkillFactory,
    SessionFactory,
    SkillFactory,
    in_days,
)

pytestmark = pytest.mark.browser


def at_nine(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def the_run_takes_place(run: CourseRun) -> None:
    """The portal's clock runs in another process and cannot be moved, so the run's dates move
    instead: it started yesterday and ends today, one session each day, and enrolment closed
    before it began."""
    CourseRun.objects.filter(pk=run.pk).update(
        starts_on=in_days(-1), ends_on=in_days(0),
        enrolment_opens_at=timezone.now() - datetime.timedelta(days=30),
        enrolment_closes_at=timezone.now() - datetime.timedelta(days=2))
    for offset, session in zip((-1, 0), run.sessions.order_by("starts_at"), strict=True):
        Session.objects.filter(pk=session.pk).update(
            starts_at=at_nine(in_days(offset)),
            ends_at=at_nine(in_days(offset)) + datetime.timedelta(hours=7))


def test_a_trainee_from_the_catalogue_to_a_verified_certificate(visitor, mail_server):
    pat = SkillFactory(code="pat", name="Process analytical technology")
    course = CourseFactory(code="PAT-101", slug="pat-101",
                           title="Process analytical technology in practice",
                           summary="Spectroscopy and soft sensors on a running line.")
    CourseSkillFactory(course=course, skill=pat, level=2)
    other = CourseFactory(code="GMP-201", slug="gmp-201", title="GMP for biologics")
    CourseSkillFactory(course=other, skill=SkillFactory(code="gmp", name="Good manufacturing "
                                                                           "practice"))
    CourseRunFactory(course=other)
    run = CourseRunFactory(course=course, capacity=2, starts_on=in_days(14),
                           ends_on=in_days(15))
    for day in (14, 15):
        SessionFactory(run=run, title=f"Day {day - 13}", starts_at=at_nine(in_days(day)))

    ahmad = UserFactory(email="ahmad.ismail@example.org", full_name="Ahmad Ismail")
    mei_ling = UserFactory(email="tan.meiling@example.org", full_name="Tan Mei Ling")
    rajesh = UserFactory(email="rajesh.krishnan@example.org", full_name="Rajesh Krishnan")
    trainer = UserFactory(role="programme_staff", email="trainer@example.org",
                          full_name="Lim Wei Jie")
    trainer_secret = activate_totp(trainer)
    run.trainers.add(trainer)
    first_seat = enrolment_create(actor=SYSTEM, run=run, person=ahmad)

    # --- A visitor finds the course by its skill and signs in to enrol ------------------------
    trainee = visitor("trainee")
    trainee.go("/courses/", label="courses")
    trainee.page.get_by_label("Skill").select_option(label="Process analytical technology")
    trainee.page.get_by_role("button", name="Search").click()
    trainee.page.wait_for_load_state("networkidle")
    trainee.check("courses building the skill")
    results = trainee.page.locator("main")
    assert results.get_by_role("link", name="Process analytical technology in practice").count()
    assert not results.get_by_text("GMP for biologics").count()
    results.get_by_role("link", name="Process analytical technology in practice").first.click()
    trainee.page.wait_for_load_state("networkidle")
    trainee.check("the course")
    trainee.page.get_by_role("link", name="Details and enrolment").first.click()
    trainee.page.wait_for_load_state("networkidle")
    trainee.check("the run")
    trainee.page.get_by_role("link", name="Sign in to enrol").click()
    trainee.page.wait_for_load_state("networkidle")
    trainee.check("sign in")
    trainee.page.fill("input[name=login]", mei_ling.email)
    trainee.page.fill("input[name=password]", PASSWORD)
    trainee.submit()
    assert trainee.page.url.endswith(run.get_absolute_url())
    trainee.page.get_by_role("button", name="Enrol", exact=True).click()
    trainee.page.wait_for_load_state("networkidle")
    trainee.check("enrolled")
    seat = Enrolment.objects.get(run=run, person=mei_ling)
    assert seat.status == Enrolment.Status.CONFIRMED

    # --- The run is full: another trainee joins its waitlist ---------------------------------
    waiting = visitor("waitlisted")
    waiting.sign_in(rajesh.email, next_path=run.get_absolute_url())
    waiting.page.get_by_role("button", name="Join the waitlist").click()
    waiting.page.wait_for_load_state("networkidle")
    waiting.check("on the waitlist")
    in_line = Enrolment.objects.get(run=run, person=rajesh)
    assert (in_line.status, in_line.waitlist_position) == (Enrolment.Status.WAITLISTED, 1)

    # --- The first seat's holder cancels, through the confirmation -----------------------------
    leaving = visitor("cancelling")
    leaving.sign_in(ahmad.email, next_path=run.get_absolute_url())
    leaving.page.get_by_role("link", name="Cancel my enrolment").click()
    dialog = leaving.page.get_by_role("dialog")
    dialog.wait_for()
    leaving.check("asked before cancelling")
    dialog.get_by_role("button", name="Cancel the enrolment").click()
    leaving.page.wait_for_load_state("networkidle")
    leaving.check("cancelled")
    first_seat.refresh_from_db()
    in_line.refresh_from_db()
    assert first_seat.status == Enrolment.Status.CANCELLED
    assert in_line.status == Enrolment.Status.CONFIRMED

    # The waitlisted trainee is told by e-mail (after the seat confirmed and the waitlist place).
    deadline = time.monotonic() + 30
    while len(mail_server.delivered_to(rajesh.email)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    promoted = [message for message in mail_server.delivered_to(rajesh.email)
                if "A seat opened up" in message["Subject"]]
    assert promoted, [message["Subject"] for message in mail_server.delivered_to(rajesh.email)]
    assert "you were next on the waitlist" in text_part(promoted[0])

    # --- The run takes place: its trainer takes the registers on a phone ---------------------
    the_run_takes_place(run)
    teacher = visitor("trainer")
    teacher.sign_in(trainer.email, totp_secret=trainer_secret)
    teacher.go("/me/", label="my portal")
    teacher.page.get_by_role("link", name=f"attendance of {course.code}").click()
    teacher.page.wait_for_load_state("networkidle")
    teacher.check("the run's sessions")
    registers = [teacher.page.get_by_role("link", name="Take the register").nth(number)
                 .get_attribute("href") for number in range(2)]
    # Mei Ling came both days; Rajesh only the first, short of the 75% needed.
    for register, rajesh_came in zip(registers, (True, False), strict=True):
        teacher.go(register, label="a register")
        teacher.page.set_viewport_size(PHONE)
        for person, came in ((mei_ling, True), (rajesh, rajesh_came)):
            row = teacher.page.get_by_role("list", name="Trainees").get_by_role(
                "listitem").filter(has_text=person.full_name)
            row.get_by_role("button", name="Present" if came else "Absent").click()
            teacher.page.wait_for_load_state("networkidle")
            # The row comes back in place (htmx), the pressed button saying what is recorded.
            expect(row.get_by_role("button", name="Present" if came else "Absent",
                                   pressed=True)).to_be_visible()
        # Bootstrap eases a button's colours in; axe must read them once they have settled.
        teacher.page.wait_for_function("() => document.getAnimations().length === 0")
        teacher.check("the register taken")
    assert run.enrolments.get(person=mei_ling).attendance.filter(present=True).count() == 2

    teacher.go(f"/courses/runs/{run.pk}/attendance/", label="attendance taken")
    teacher.page.get_by_role("link", name="Complete the run").click()
    dialog = teacher.page.get_by_role("dialog")
    dialog.wait_for()
    assert dialog.get_by_label("Attendance needed to complete (%)").input_value() == "75"
    teacher.check("asked before completing")
    dialog.get_by_role("button", name="Complete the run").click()
    teacher.page.wait_for_load_state("networkidle")
    teacher.check("the run completed")
    run.refresh_from_db()
    assert run.status == CourseRun.Status.COMPLETED
    assert run.enrolments.get(person=mei_ling).status == Enrolment.Status.COMPLETED
    assert run.enrolments.get(person=rajesh).status == Enrolment.Status.NO_SHOW

    # --- Staff issue the certificate ---------------------------------------------------------
    teacher.page.get_by_role("button", name="Issue 1 certificate").click()
    teacher.page.wait_for_load_state("networkidle")
    certificate = Certificate.objects.get(person=mei_ling)
    teacher.go(f"/courses/runs/{run.pk}/certificates/", label="certificates issued")
    assert teacher.page.get_by_role("link", name=certificate.serial).count()
    assert not Certificate.objects.filter(person=rajesh).exists()

    # --- The trainee downloads the PDF; anyone verifies it ------------------------------------
    trainee.go("/courses/certificates/", label="my certificates")
    with trainee.page.expect_download() as download:
        trainee.page.get_by_role("link", name="Download PDF").click()
    pdf = download.value
    assert pdf.suggested_filename == f"certificate-{certificate.serial}.pdf"
    with open(pdf.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"

    checker = visitor("verifier")
    checker.go(f"/courses/certificates/{certificate.serial}/", label="verification")
    facts = checker.page.get_by_role("main")
    assert facts.get_by_role("status").inner_text().startswith("Valid.")
    assert "Tan Mei Ling" in facts.inner_text()
    assert "PAT-101 Process analytical technology in practice" in facts.inner_text()

    # Chromium reports the navigation that turned into the download as aborted: no fault.
    pdf_address = f"{trainee.base_url}/courses/certificates/{certificate.serial}/pdf/"
    trainee.problems[:] = [problem for problem in trainee.problems
                           if problem != f"request failed: {pdf_address} (net::ERR_ABORTED)"]
