"""Where a person was going survives signing up, verifying the address (in this browser or
another), a failed attempt, and a session that expired while a form was open; and `next` only
ever leads to a page of this site that opens with a GET."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from partners.services import invitation_create
from tests.factories import (
    PASSWORD,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REGISTER = "/partners/register/"
NEW_PASSWORD = "a-much-longer-new-password-42"


def sign_up(client, *, email="mei.ling@example.org", next_page=REGISTER, **extra):
    return client.post(f"{reverse('account_signup')}?next={next_page}", {
        "email": email, "full_name": "Tan Mei Ling", "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD, "next": next_page, **extra})


def confirmation_link() -> str:
    body = mail.outbox[-1].body
    found = re.search(rf"{re.escape(settings.PORTAL_BASE_URL)}(/accounts/confirm-email/\S+)",
                      body)
    assert found, body
    return found.group(1)


def next_of(location: str) -> str | None:
    return parse_qs(urlsplit(location).query).get("next", [None])[0]


def test_signing_up_and_verifying_in_the_same_browser_comes_back_to_the_form(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_up(client).status_code == 302
    link = confirmation_link()
    assert next_of(link) == REGISTER  # the mailed link carries it

    page = client.get(link)
    assert f'name="next" value="{REGISTER}"' in page.content.decode()
    response = client.post(link, {"next": REGISTER})
    assert response.status_code == 302
    assert response["Location"] == REGISTER
    assert client.get(REGISTER).status_code == 200  # signed in, on the form


def test_verifying_in_another_browser_leads_through_sign_in_to_the_form(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    link = confirmation_link()

    phone = Client()  # the mail opened on another device: no session of the sign-up
    response = phone.post(link, {"next": REGISTER})
    assert response.status_code == 302
    assert response["Location"] == REGISTER
    to_sign_in = phone.get(REGISTER)
    assert urlsplit(to_sign_in["Location"]).path == reverse("account_login")
    assert next_of(to_sign_in["Location"]) == REGISTER
    signed_in = phone.post(to_sign_in["Location"], {
        "login": "mei.ling@example.org", "password": NEW_PASSWORD, "next": REGISTER})
    assert signed_in["Location"] == REGISTER


def test_a_failed_sign_up_keeps_where_the_person_was_going(client):
    response = sign_up(client, password2="not-the-same-password-42")
    assert response.status_code == 200
    assert f'name="next" value="{REGISTER}"' in response.content.decode()


def test_a_link_to_another_site_is_not_carried_into_the_mail(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, next_page="https://evil.example/steal")
    assert next_of(confirmation_link()) is None


def test_an_invitee_signs_up_with_the_invited_address_filled_in_and_comes_back(
        client, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    admin = UserFactory()
    OrganisationMembershipFactory(organisation=organisation, person=admin, role="admin")
    _, token = invitation_create(actor=admin, organisation=organisation,
                                 email="Invitee@Example.org")
    invitation_page = reverse("partners:invitation", args=[token])

    page = client.get(invitation_page).content.decode()
    link = re.search(r'href="(/accounts/signup/[^"]+)">Create an account', page).group(1)
    signup = client.get(link.replace("&amp;", "&"))
    assert 'value="invitee@example.org"' in signup.content.decode().lower()

    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, email="invitee@example.org", next_page=invitation_page)
    response = client.post(confirmation_link(), {"next": invitation_page})
    assert response["Location"] == invitation_page
    assert "Accept" in client.get(invitation_page).content.decode()


def test_a_form_posted_after_the_session_expired_leads_back_to_its_page(client):
    organisation = OrganisationFactory(is_listed=True)
    page = organisation.get_absolute_url()
    response = client.post(reverse("partners:ask_to_join", args=[organisation.slug]),
                           {"message": "Hello"}, HTTP_REFERER=f"http://testserver{page}")
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert next_of(response["Location"]) == page  # not the POST-only address


def test_a_posted_form_without_a_page_of_ours_to_go_back_to_signs_in_without_next(client):
    organisation = OrganisationFactory(is_listed=True)
    address = reverse("partners:ask_to_join", args=[organisation.slug])
    for referer in ({}, {"HTTP_REFERER": "https://evil.example/partners/"}):
        response = client.post(address, {"message": "Hello"}, **referer)
        assert urlsplit(response["Location"]).path == reverse("account_login")
        assert next_of(response["Location"]) is None


def test_opening_a_form_only_address_shows_a_page_not_a_blank_405(client):
    person = UserFactory()
    client.force_login(person)
    organisation = OrganisationFactory(is_listed=True)
    response = client.get(reverse("partners:ask_to_join", args=[organisation.slug]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    text = response.content.decode()
    assert "<h1" in text
    assert 'href="/"' in text or f'href="{reverse("home")}"' in text


def test_signing_in_with_next_on_a_form_only_address_lands_on_a_page(client):
    person = UserFactory(password=PASSWORD)
    organisation = OrganisationFactory(is_listed=True)
    post_only = reverse("partners:ask_to_join", args=[organisation.slug])
    response = client.post(f"{reverse('account_login')}?next={post_only}",
                           {"login": person.email, "password": PASSWORD, "next": post_only})
    assert response.status_code == 302
    assert response["Location"] != post_only
    assert client.get(response["Location"]).status_code == 200
