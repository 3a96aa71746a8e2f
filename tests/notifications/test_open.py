"""Opening a notification from the list marks it read on the way to what it is about
(notifications:open). It is a GET, so it stays a link; it reads only the person's own, and a
request another site starts (or a browser prefetching) marks nothing."""

import pytest
from django.urls import reverse

from cluster_portal.notifications.models import Notification
from cluster_portal.notifications.services import notify
from partners import notification_kinds
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notice(person, url="/partners/mine/") -> Notification:
    [notice] = notify(recipients=[person], kind=notification_kinds.ROLE_CHANGED,
                      message="You are now partner admin of Acme Pharma.", url=url)
    return notice


def _is_read(notice) -> bool:
    return Notification.objects.get(pk=notice.pk).read_at is not None


def open_url(notice) -> str:
    return reverse("notifications:open", args=[notice.pk])


def test_the_list_links_each_notice_through_the_address_that_marks_it_read(client, user):
    notice = _notice(user)
    client.force_login(user)
    html = client.get(reverse("notifications:list")).content.decode()
    assert f'<a href="{open_url(notice)}">You are now partner admin of Acme Pharma.</a>' in html


def test_opening_ones_notice_marks_it_read_and_goes_where_it_points(client, user):
    notice = _notice(user)
    client.force_login(user)
    response = client.get(open_url(notice), HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302 and response["Location"] == "/partners/mine/"
    assert _is_read(notice)
    first_read = Notification.objects.get(pk=notice.pk).read_at
    client.get(open_url(notice))  # again: nothing changes, it still leads there
    assert Notification.objects.get(pk=notice.pk).read_at == first_read


def test_a_link_typed_or_opened_from_a_mail_program_marks_it_read_too(client, user):
    notice = _notice(user)
    client.force_login(user)
    client.get(open_url(notice), HTTP_SEC_FETCH_SITE="none")
    assert _is_read(notice)


def test_someone_elses_notice_is_not_found_and_stays_unread(client, user):
    notice = _notice(UserFactory())
    client.force_login(user)
    assert client.get(open_url(notice)).status_code == 404
    assert not _is_read(notice)


@pytest.mark.parametrize("headers", [
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site"},
    {"HTTP_SEC_PURPOSE": "prefetch"},
])
def test_another_sites_request_or_a_prefetch_only_leads_there(client, user, headers):
    notice = _notice(user)
    client.force_login(user)
    response = client.get(open_url(notice), **headers)
    assert response.status_code == 302 and response["Location"] == "/partners/mine/"
    assert not _is_read(notice)


def test_it_never_leads_off_the_site(client, user):
    notice = _notice(user, url="https://evil.example/phish")
    client.force_login(user)
    response = client.get(open_url(notice))
    assert response["Location"] == reverse("notifications:list")


def test_it_takes_no_post_and_asks_a_visitor_to_sign_in(client, user):
    notice = _notice(user)
    assert client.get(open_url(notice)).status_code == 302
    assert not _is_read(notice)
    client.force_login(user)
    assert client.post(open_url(notice)).status_code == 405
