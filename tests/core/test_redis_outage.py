"""Redis (cache and broker) down, the portal up (design rule 4): pages and the API answer,
throttles and login rate limits fail open with a warning, /health/ says "degraded", a decision
still answers 200, and the mail it caused goes out, once, when Redis is back.

Each test uses a Redis of its own on its own port, which it stops and starts; the shared one of
the test run is never touched."""

import json
import logging
import time
import urllib.request

import pytest
from django.core.cache import cache

from cluster_portal.accounts.services import api_token_create
from cluster_portal.notifications.models import OutgoingEmail
from partners.models import OrganisationMembership
from tests.conftest import activate_totp
from tests.factories import (
    PASSWORD,
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.mailserver import MailServer
from tests.support.processes import PrivateRedis, child_env, start_web, start_worker, wait_until


@pytest.fixture
def stopped_redis():
    """A private Redis, started once so its address is real, then stopped."""
    redis = PrivateRedis().start()
    redis.stop()
    return redis


@pytest.fixture
def cache_on_stopped_redis(settings, stopped_redis):
    settings.CACHES = {"default": {
        **settings.CACHES["default"], "LOCATION": stopped_redis.url,
    }}
    return stopped_redis


@pytest.mark.django_db
def test_with_the_cache_down_pages_and_the_api_answer_and_the_outage_is_logged(
        client, cache_on_stopped_redis, caplog):
    WorkstreamFactory(status="active")
    with caplog.at_level(logging.WARNING, logger="cluster_portal.cache"):
        for path in ("/", "/workstreams/", "/partners/", "/api/v1/workstreams/",
                     "/api/v1/organisations/"):
            assert client.get(path).status_code == 200, path
    warnings = [r for r in caplog.records if r.name == "cluster_portal.cache"]
    assert len(warnings) == 1  # one warning for the outage, not one per cache call
    assert warnings[0].levelno == logging.WARNING
    assert "Cache unavailable" in warnings[0].getMessage()
    cache.set("counted", 1)  # the process's memory stands in meanwhile
    assert cache.get("counted") == 1


@pytest.mark.django_db
def test_with_the_cache_down_signing_in_works_and_rate_limits_fall_back_to_memory(
        client, cache_on_stopped_redis):
    person = UserFactory(email="mei.ling@example.org")
    response = client.post("/accounts/login/", {"login": person.email, "password": "wrong"})
    assert response.status_code == 200 and b"are not correct" in response.content
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").status_code == 200  # the user throttle counts in memory

    # The rate limit still counts, in this process's memory: five failures lock the account.
    client.logout()
    for _ in range(5):
        client.post("/accounts/login/", {"login": person.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_health_says_degraded_when_the_cache_is_down(client, cache_on_stopped_redis):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["dependencies"]["cache"]["status"] == "down"


def _request(address: str, path: str, *, token: str = "", method: str = "GET",
             body: dict | None = None) -> tuple[int, float]:
    request = urllib.request.Request(address + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_decision_taken_while_redis_is_down_answers_and_its_mail_arrives_once_it_is_back():
    organisation = OrganisationFactory(ready_to_join=True, name="Helix Biologics")
    admins = [OrganisationMembershipFactory(organisation=organisation,
                                            role=OrganisationMembership.Role.ADMIN).person
              for _ in range(2)]
    request = JoinRequestFactory(organisation=organisation, requested_by=admins[0],
                                 workstream=WorkstreamFactory(name="Biocatalysis",
                                                              status="active"))
    staff = UserFactory(role="programme_staff")
    activate_totp(staff)
    _token, token = api_token_create(actor=staff, name="decisions", with_staff_rights=True)

    redis, mail_server = PrivateRedis().start(), MailServer().start()
    env = child_env(**mail_server.django_settings(), REDIS_URL=redis.url,
                    CELERY_BROKER_URL=redis.url, CELERY_RESULT_BACKEND=redis.url,
                    OUTBOX_SWEEP_EVERY_SECONDS=1, OUTBOX_SWEEP_GRACE_SECONDS=1)
    web, address = start_web(env=env)
    worker = start_worker(env=env, beat=True)
    try:
        redis.stop()
        status, seconds = _request(address, f"/api/v1/join-requests/{request.pk}/approve/",
                                   token=token, method="POST", body={"role": "core"})
        assert status == 200, web.log()
        assert seconds < 10  # the failed hand-off to the broker fails fast
        for path in ("/", "/workstreams/", "/partners/", "/api/v1/workstreams/"):
            assert _request(address, path)[0] == 200, path
        health = json.loads(urllib.request.urlopen(address + "/health/", timeout=30).read())
        assert health["status"] == "degraded"
        assert OutgoingEmail.objects.filter(status="queued").count() == 2  # kept, not lost
        assert mail_server.delivered == []

        redis.start()  # the same port: worker and beat reconnect, the sweeper hands it out
        mail_server.wait_for(2, timeout=120)
        decision_mail = OutgoingEmail.objects.filter(to__in=[a.email for a in admins])
        assert wait_until(lambda: decision_mail.filter(status="sent").count() == 2, timeout=30)
        time.sleep(3)  # more sweeps: nothing is sent twice
    finally:
        web_log, worker_log = web.stop(), worker.stop()
        redis.stop()
        mail_server.stop()
    assert sorted(m["To"] for m in mail_server.delivered) == sorted(a.email for a in admins), (
        worker_log)
    assert "Could not enqueue cluster_portal.notifications.tasks.send_outgoing_email" in web_log
