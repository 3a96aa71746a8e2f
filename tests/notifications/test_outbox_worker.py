"""The outbox with a real Celery worker process, the real Redis broker and a real SMTP server:
each e-mail reaches its recipient exactly once, even when the worker dies mid-send, and a task
that keeps killing its worker is given up instead of coming back for ever."""

import os
import signal
from pathlib import Path

import pytest
from django.utils import timezone

from cluster_portal.notifications.models import OutgoingEmail
from cluster_portal.notifications.services import outgoing_emails_sweep
from partners.models import OrganisationMembership
from tests.conftest import activate_totp
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.mailserver import text_part
from tests.support.processes import child_env, start_worker, wait_until
from workstreams.services import join_request_approve

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env(smtp):
    return child_env(**smtp.django_settings())


def test_approving_a_join_request_mails_each_admin_of_the_organisation_exactly_once(
        smtp, worker_env, broker_delivery):
    organisation = OrganisationFactory(ready_to_join=True, name="Helix Biologics")
    admins = [OrganisationMembershipFactory(organisation=organisation,
                                            role=OrganisationMembership.Role.ADMIN).person
              for _ in range(2)]
    OrganisationMembershipFactory(organisation=organisation)  # a member: not told
    request = JoinRequestFactory(organisation=organisation, requested_by=admins[0],
                                 workstream=WorkstreamFactory(name="Biocatalysis",
                                                              status="active"))
    staff = UserFactory(role="programme_staff")
    activate_totp(staff)
    worker = start_worker(env=worker_env)
    try:
        join_request_approve(actor=staff, join_request=request)  # commits: hand-off to Redis
        smtp.wait_for(2, timeout=90)
        assert wait_until(lambda: not OutgoingEmail.objects.exclude(status="sent").exists(),
                          timeout=30)
        wait_until(lambda: len(smtp.delivered) > 2, timeout=3)  # would a third come?
    finally:
        log = worker.stop()
    assert sorted(m["To"] for m in smtp.delivered) == sorted(a.email for a in admins), log
    for admin in admins:
        [message] = smtp.delivered_to(admin.email)
        assert message["Subject"] == "[Cluster Portal] Helix Biologics joined Biocatalysis"
        assert "Helix Biologics is now a member of Biocatalysis" in text_part(message)


def test_a_worker_killed_in_the_middle_of_a_send_delivers_the_mail_once(
        smtp, broker_delivery, settings):
    person = UserFactory(email="wei.jie@example.org")
    from cluster_portal.notifications.services import notify

    smtp.stall_next = True  # the first try hangs in the middle of the SMTP conversation
    # A short lease, so the mail of the killed worker is free again within seconds.
    worker = start_worker(env=child_env(**smtp.django_settings(), OUTBOX_LEASE_SECONDS=3),
                          pool="prefork")
    try:
        notify(recipients=[person], kind="role_changed", message="You are now an admin.",
               context={"organisation": "Acme", "role": "admin"})
        assert smtp.stalled.wait(60), worker.log()
        [sender] = worker.children()
        os.kill(sender, signal.SIGKILL)  # the pool process dies mid-send; the task is handed back
        smtp.release.set()
        email = OutgoingEmail.objects.get()
        assert email.status == "sending" and email.attempts == 1
        # The task is handed back (acks_late). Redelivered while the dead worker's lease runs,
        # it leaves the mail; once the lease is over, the sweeper hands the mail out again.
        assert wait_until(lambda: "WorkerLostError" in worker.log(), timeout=30), worker.log()
        assert wait_until(lambda: OutgoingEmail.objects.get().lease_expires_at < timezone.now(),
                          timeout=30)
        assert outgoing_emails_sweep() == 1
        smtp.wait_for(1, timeout=60)
        assert wait_until(lambda: OutgoingEmail.objects.get().status == "sent", timeout=30)
        wait_until(lambda: len(smtp.delivered) > 1, timeout=3)
    finally:
        log = worker.stop()
    assert len(smtp.delivered) == 1, log
    assert smtp.delivered[0]["To"] == "wei.jie@example.org"
    assert OutgoingEmail.objects.get().attempts == 2


def test_a_task_that_keeps_killing_its_worker_is_dropped_after_a_few_deliveries(
        broker_delivery, tmp_path):
    from tests.celery_tasks import kill_own_worker

    runs = tmp_path / "runs"
    worker = start_worker(env=child_env(), pool="prefork", include=("tests.celery_tasks",))
    try:
        kill_own_worker.delay(str(runs))
        assert wait_until(lambda: "Dropped task" in worker.log(), timeout=120), worker.log()
    finally:
        log = worker.stop()
    # The first delivery and three more, each killing its pool process; the fifth is dropped.
    assert Path(runs).read_text().count("run") == 4, log
    assert "handed back 4 times without finishing" in log
