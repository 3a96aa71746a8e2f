"""Completing a run: confirmed seats become completed or no-show by the share of sessions
attended (exactly at the threshold completes), the waitlist and unanswered offers end, the run
is closed for good, everyone is told; the staff page asks first, with the threshold."""

import pytest
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification
from talent.models import CourseRun, Enrolment
from talent.services import course_run_complete, enrolment_cancel
from tests.factories import UserFactory
from tests.talent.factories import CourseRunFactory, SessionFactory
from tests.talent.past_runs import enrol, mark, past_run

pytestmark = pytest.mark.django_db
Status = Enrolment.Status


def test_exactly_the_threshold_completes_and_less_is_a_no_show():
    run = past_run(sessions=4, capacity=4)
    three, two, none, all_four = (enrol(run) for _ in range(4))
    mark(three, attended=3)
    mark(two, attended=2)
    mark(all_four, attended=4)

    outcome = course_run_complete(actor=SYSTEM, run=run, attendance_threshold=75)

    statuses = dict(Enrolment.objects.filter(run=run).values_list("pk", "status"))
    assert statuses == {three.pk: Status.COMPLETED, two.pk: Status.NO_SHOW,
                        none.pk: Status.NO_SHOW, all_four.pk: Status.COMPLETED}
    assert {e.pk for e in outcome.completed} == {three.pk, all_four.pk}
    assert Enrolment.objects.get(pk=three.pk).completed_at is not None
    assert Enrolment.objects.get(pk=two.pk).decision_reason == "Attended 2 of 4 sessions."
    run.refresh_from_db()
    assert (run.status, run.attendance_threshold) == (CourseRun.Status.COMPLETED, 75)


def test_the_waitlist_and_an_unanswered_offer_end_with_the_run_and_everyone_is_told(
        mfa_staff_user):
    run = past_run(sessions=2, capacity=2, promotion=CourseRun.Promotion.OFFER)
    present, leaving = enrol(run), enrol(run)
    offered, waiting = enrol(run), enrol(run)
    # The freed seat is offered to the first in line, who does not answer.
    enrolment_cancel(actor=mfa_staff_user, enrolment=leaving)
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED
    mark(present, attended=2)

    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=100)

    for enrolment in (offered, waiting):
        enrolment.refresh_from_db()
        assert enrolment.status == Status.CANCELLED
        assert enrolment.waitlist_position is None and enrolment.offer_expires_at is None
    run.refresh_from_db()
    assert run.seats_taken == 1  # the offered seat is free; the one taken stays as a record
    told = set(Notification.objects.filter(
        kind__in=["course_completed", "course_not_completed", "enrolment_cancelled"],
    ).values_list("recipient_id", "kind"))
    assert told >= {(present.person_id, "course_completed"),
                    (offered.person_id, "enrolment_cancelled"),
                    (waiting.person_id, "enrolment_cancelled")}
    assert (present.person_id, "enrolment_cancelled") not in told
    assert AuditEvent.objects.filter(action="enrolment.end_with_run").count() == 2
    assert AuditEvent.objects.filter(action="course_run.complete").get().changes[
        "completed"] == 1


def test_a_no_show_is_told_how_much_they_attended():
    run = past_run(sessions=4)
    enrolment = enrol(run)
    mark(enrolment, attended=1)
    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=75)
    notice = Notification.objects.get(recipient=enrolment.person, kind="course_not_completed")
    body = notice.email.body_text
    assert "You attended 1 of its 4 sessions" in body and "at least 75%" in body


def test_completion_is_refused_before_the_run_ends_without_sessions_or_twice():
    upcoming = CourseRunFactory()
    SessionFactory(run=upcoming)
    with pytest.raises(Conflict, match="complete it after its last session"):
        course_run_complete(actor=SYSTEM, run=upcoming, attendance_threshold=75)

    empty = past_run(sessions=0)
    with pytest.raises(Conflict, match="no sessions"):
        course_run_complete(actor=SYSTEM, run=empty, attendance_threshold=75)

    run = past_run(sessions=1)
    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=75)
    with pytest.raises(Conflict) as again:
        course_run_complete(actor=SYSTEM, run=run, attendance_threshold=50)
    assert again.value.code == "already_decided"


@pytest.mark.parametrize("threshold", [0, 101, "75", None])
def test_the_threshold_is_a_whole_percentage(threshold):
    run = past_run(sessions=1)
    with pytest.raises(ApplicationError) as refused:
        course_run_complete(actor=SYSTEM, run=run, attendance_threshold=threshold)
    assert "attendance_threshold" in refused.value.fields
    run.refresh_from_db()
    assert run.status == CourseRun.Status.SCHEDULED


def test_only_programme_staff_with_mfa_complete_a_run(mfa_staff_user, staff_user):
    run = past_run(sessions=1)
    trainer = UserFactory()
    run.trainers.add(trainer)
    for outsider in (trainer, staff_user):
        with pytest.raises(NotAllowed):
            course_run_complete(actor=outsider, run=run, attendance_threshold=75)
    course_run_complete(actor=mfa_staff_user, run=run, attendance_threshold=75)


def complete_url(run) -> str:
    return reverse("talent:run_complete", kwargs={"pk": run.pk})


def test_the_page_asks_first_with_the_threshold_and_then_completes(client, mfa_staff_user):
    run = past_run(sessions=2)
    mark(enrol(run), attended=2)
    enrol(run, UserFactory())
    client.force_login(mfa_staff_user)

    question = client.get(complete_url(run))
    assert question.status_code == 200
    html = question.content.decode()
    assert "Complete the run of" in html and "cannot be undone" in html
    assert 'name="attendance_threshold"' in html and 'value="75"' in html
    run.refresh_from_db()
    assert run.status == CourseRun.Status.SCHEDULED  # asking changed nothing

    wrong = client.post(complete_url(run), {"attendance_threshold": "150"})
    assert wrong.status_code == 400
    assert "less than or equal to 100" in wrong.content.decode()

    done = client.post(complete_url(run), {"attendance_threshold": "60"})
    assert done.status_code == 302
    assert done["Location"] == reverse("talent:run_certificates", kwargs={"pk": run.pk})
    run.refresh_from_db()
    assert (run.status, run.attendance_threshold) == (CourseRun.Status.COMPLETED, 60)
    page = client.get(done["Location"])
    assert "1 completed the course and 1 did not attend enough" in page.content.decode()


def test_a_trainer_may_not_complete_the_run(client):
    run = past_run(sessions=1)
    trainer = UserFactory()
    run.trainers.add(trainer)
    client.force_login(trainer)
    assert client.get(complete_url(run)).status_code == 403
    assert client.post(complete_url(run), {"attendance_threshold": "75"}).status_code == 403
    run.refresh_from_db()
    assert run.status == CourseRun.Status.SCHEDULED


def test_a_run_completed_meanwhile_is_told_not_completed_again(client, mfa_staff_user):
    run = past_run(sessions=1)
    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=75)
    client.force_login(mfa_staff_user)
    answer = client.get(complete_url(run))
    assert answer["Location"] == reverse("talent:run_certificates", kwargs={"pk": run.pk})
