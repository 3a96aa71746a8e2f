"""After a decision in the queue (htmx), the rest of the page is brought up to date out of band:
the pending count and the recently decided list, so the reviewer never reads a stale queue."""

import re

import pytest

from tests.factories import JoinRequestFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_decision_updates_the_count_and_the_recent_decisions(client, mfa_staff_user):
    workstream = WorkstreamFactory(name="Biocatalysis", status="active")
    first, _second, _other = (JoinRequestFactory(workstream=workstream),
                              JoinRequestFactory(workstream=workstream), JoinRequestFactory())
    client.force_login(mfa_staff_user)
    page = client.get(f"/workstreams/queue/?workstream={workstream.slug}").content.decode()
    assert "2 pending requests" in page
    assert f'href="/partners/{first.organisation.slug}/"' in page  # the name is a link

    response = client.post(f"/workstreams/requests/{first.pk}/approve/",
                           {"role": "core", "queue_workstream": workstream.slug}, **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    count = re.search(r'<p[^>]*id="pending-count"[^>]*hx-swap-oob="true"[^>]*>([^<]*)</p>',
                      fragment)
    assert count and count.group(1).strip() == "1 pending request"
    decided = fragment.split('id="recently-decided"')[1]
    assert 'hx-swap-oob="true"' in decided.split(">")[0]
    assert first.organisation.name in decided and "Approved" in decided


def test_a_refused_decision_changes_nothing_else_on_the_page(client, mfa_staff_user):
    request = JoinRequestFactory()
    client.force_login(mfa_staff_user)
    response = client.post(f"/workstreams/requests/{request.pk}/decline/", {"reason": ""},
                           **HTMX)
    assert response.status_code == 400
    assert "hx-swap-oob" not in response.content.decode()
