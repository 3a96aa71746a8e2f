"""The notifications page and the unread count in the navigation."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cluster_portal.notifications.models import Notification
from cluster_portal.notifications.services import notify
from partners.models import OrganisationMembership
from tests.conftest import activate_totp
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from workstreams.services import join_request_create

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
MARK_READ = reverse("notifications:mark_read")


def unread_label(html: str) -> str:
    return re.search(r'aria-label="(Notifications[^"]*)"', html).group(1)


@pytest.fixture
def lead_told_of_a_request(db):
    """A partner admin asks to join a workstream; the service tells the workstream's lead."""
    lead = UserFactory(role="programme_staff", full_name="Lim Wei Jie")
    activate_totp(lead)  # only staff who may act are told of requests
    workstream = WorkstreamFactory(name="Continuous Manufacturing", lead=lead)
    organisation = OrganisationFactory(ready_to_join=True, name="Acme Pharma")
    requester = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationMembership.Role.ADMIN).person
    join_request_create(actor=requester, organisation=organisation, workstream=workstream,
                        motivation="Pilot-plant data.", code_of_conduct_acknowledged=True)
    return lead


def test_recipient_sees_what_a_service_told_them_with_the_unread_count(
    client, lead_told_of_a_request
):
    client.force_login(lead_told_of_a_request)
    home = client.get("/").content.decode()
    assert unread_label(home) == "Notifications, 1 unread"

    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme Pharma asks to join Continuous Manufacturing." in html
    assert f'href="{reverse("workstreams:queue")}"' in html  # where to act on it
    assert "notification-unread" in html and "Mark all as read" in html


def test_mark_one_read_then_all(client):
    person = UserFactory()
    first, second = (notify(recipients=[person], kind="role_changed",
                            message=f"Message {n}")[0] for n in (1, 2))
    client.force_login(person)
    assert unread_label(client.get(LIST).content.decode()) == "Notifications, 2 unread"

    response = client.post(MARK_READ, {"notification": first.pk, "next": LIST})
    assert response.status_code == 302 and response.url == LIST
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read and not second.is_read
    assert unread_label(client.get(LIST).content.decode()) == "Notifications, 1 unread"

    page = client.post(MARK_READ, follow=True).content.decode()
    assert "All notifications are marked as read." in page
    assert unread_label(page) == "Notifications"
    assert "notification-unread" not in page
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()


def test_nobody_sees_or_marks_another_persons_notifications(client, lead_told_of_a_request):
    nosy = UserFactory()
    theirs = Notification.objects.get(recipient=lead_told_of_a_request)
    client.force_login(nosy)
    page = client.get(LIST).content.decode()
    assert "Acme Pharma" not in page
    assert "Nothing yet." in page  # the empty state
    assert unread_label(page) == "Notifications"

    client.post(MARK_READ, {"notification": theirs.pk})
    client.post(MARK_READ)
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_visitors_are_asked_to_sign_in_and_bad_ids_change_nothing(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert client.post(MARK_READ).status_code == 302

    person = UserFactory()
    notify(recipients=[person], kind="role_changed", message="Hello")
    client.force_login(person)
    page = client.post(MARK_READ, {"notification": "not-a-number"}, follow=True)
    assert "could not be found" in page.content.decode()
    assert Notification.objects.filter(recipient=person, read_at__isnull=True).exists()
    assert client.get(MARK_READ).status_code == 405


def test_list_is_paginated(client):
    person = UserFactory()
    for number in range(30):
        notify(recipients=[person], kind="role_changed", message=f"Note {number}")
    client.force_login(person)
    first = client.get(LIST)
    messages = [n.message for n in first.context["page"].object_list]
    assert len(messages) == 25 and messages[0] == "Note 29"  # newest first
    second = client.get(LIST, {"page": 2})
    assert [n.message for n in second.context["page"].object_list][-1] == "Note 0"
    assert '<li class="page-item active" aria-current="page"><span class="page-link">2</span>' \
        in second.content.decode()


def notification_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "notifications_notification" in q["sql"]]


def test_unread_count_is_one_query_for_signed_in_people_and_none_for_visitors(client):
    with CaptureQueriesContext(connection) as anonymous:
        client.get("/")
    assert notification_queries(anonymous) == []

    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as signed_in:
        client.get("/")
    assert len(notification_queries(signed_in)) == 1


def test_notifications_page_query_count_does_not_grow(client):
    person, actor = UserFactory(), UserFactory()

    def add(count):
        for number in range(count):
            notify(recipients=[person], actor=actor, kind="role_changed",
                   message=f"Note {number}", url="/partners/")

    client.force_login(person)
    add(4)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    add(8)
    with CaptureQueriesContext(connection) as many:
        assert "Note 7" in client.get(LIST).content.decode()
    assert len(many) == len(few)
