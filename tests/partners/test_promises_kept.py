"""What the portal tells a partner is true for that partner: the approval notice promises only
what the organisation can do (no workstreams before a tier and an agreement), and registering
an organisation one already registered leads back to it instead of telling its own admin to
ask a colleague for an invitation."""

import pytest
from django.core import mail
from django.urls import reverse

from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.notifications.models import Notification
from partners.models import Organisation
from partners.services import organisation_approve, organisation_register
from partners.services.organisations import AlreadyActsFor
from tests.factories import AgreementFactory, UserFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db

REGISTRATION = {"name": "Kinetic Bioprocess", "uen": "201912345K", "kind": "biotech",
                "country": "SG", "description": "Continuous downstream processing."}
SAYS_JOIN = "ask to join workstreams"


def _approved(mfa_admin_user, django_capture_on_commit_callbacks, *, agreement=False,
              **tier) -> tuple[Organisation, Notification, str]:
    registrant = UserFactory()
    organisation = organisation_register(actor=registrant, **REGISTRATION)
    if agreement:
        AgreementFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        organisation = organisation_approve(actor=mfa_admin_user, organisation=organisation,
                                            **tier)
    notice = Notification.objects.get(recipient=registrant, kind="organisation_approved")
    [email] = [message for message in mail.outbox if registrant.email in message.to]
    return organisation, notice, email.body


# --- The approval notice ------------------------------------------------------------------------


def test_without_a_tier_the_notice_says_the_tier_comes_next_and_promises_no_workstream(
        mfa_admin_user, django_capture_on_commit_callbacks):
    _, notice, email = _approved(mfa_admin_user, django_capture_on_commit_callbacks)
    for text in (notice.message, email):
        assert "You can now invite colleagues" in text or "invite your colleagues" in text
        assert "programme office sets" in text
        assert SAYS_JOIN not in text
        assert "a signed consortium agreement" in text
    assert "(up to 3 people in all until a tier is set)" in notice.message
    assert "- ask to join workstreams" not in email


def test_with_a_tier_but_no_agreement_it_names_the_agreement_only(
        mfa_admin_user, django_capture_on_commit_callbacks):
    _, notice, email = _approved(mfa_admin_user, django_capture_on_commit_callbacks,
                                 tier="member")
    for text in (notice.message, email):
        assert SAYS_JOIN not in text
        assert "Joining workstreams waits for a signed consortium agreement" in text
        assert "programme office sets" not in text


def test_with_a_tier_and_an_agreement_it_says_both_can_be_done_now(
        mfa_admin_user, django_capture_on_commit_callbacks):
    organisation, notice, email = _approved(mfa_admin_user, django_capture_on_commit_callbacks,
                                            tier="member", agreement=True)
    assert notice.message == (f"{organisation.name} is approved. You can now invite colleagues "
                              "and ask to join workstreams.")
    assert "- ask to join workstreams from the organisation's Workstreams page" in email
    assert "waits for" not in email


def test_the_promise_matches_what_the_join_page_then_allows(
        client, mfa_admin_user, django_capture_on_commit_callbacks):
    """No tier: the notice promises no workstream, and the join page indeed refuses."""
    _, notice, _ = _approved(mfa_admin_user, django_capture_on_commit_callbacks)
    assert SAYS_JOIN not in notice.message
    client.force_login(notice.recipient)
    workstream = WorkstreamFactory()
    page = client.get(reverse("workstreams:join", args=[workstream.slug])).content.decode()
    assert "Send the request" not in page
    assert "no programme membership tier yet" in page


# --- Registering again -------------------------------------------------------------------------


def test_sending_the_registration_again_leads_to_the_organisation_it_made(client, user):
    client.force_login(user)
    first = client.post(reverse("partners:register"), REGISTRATION)
    organisation = Organisation.objects.get(uen=REGISTRATION["uen"])
    assert first.status_code == 302

    again = client.post(reverse("partners:register"), REGISTRATION, follow=True)
    assert again.redirect_chain[0] == (organisation.get_absolute_url(), 302)
    text = again.content.decode().replace("&#x27;", "'")
    assert f"You have already registered {organisation.name}" in text
    assert "waiting for the programme office's approval" in text
    assert "ask a colleague" not in text
    assert Organisation.objects.filter(uen=REGISTRATION["uen"]).count() == 1


def test_after_approval_its_admin_is_sent_to_it_not_told_to_ask_for_an_invitation(
        client, user, mfa_admin_user):
    organisation = organisation_register(actor=user, **REGISTRATION)
    organisation_approve(actor=mfa_admin_user, organisation=organisation)
    client.force_login(user)
    response = client.post(reverse("partners:register"), {**REGISTRATION,
                                                          "uen": " 201912345k "})
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    message = str(next(iter(response.wsgi_request._messages)))
    assert message.startswith(f"{organisation.name} is already registered, and you administer it")
    assert "ask a colleague" not in message


def test_the_service_says_so_to_the_api_as_well(user):
    organisation = organisation_register(actor=user, **REGISTRATION)
    with pytest.raises(AlreadyActsFor) as already:
        organisation_register(actor=user, **REGISTRATION)
    assert already.value.status_code == 409 and already.value.code == "already_yours"
    assert already.value.organisation == organisation


def test_someone_else_with_a_listed_organisations_uen_is_still_told_it_is_taken(
        user, mfa_admin_user):
    organisation = organisation_register(actor=user, **REGISTRATION, is_listed=True)
    organisation_approve(actor=mfa_admin_user, organisation=organisation)
    with pytest.raises(ApplicationError) as refused:
        organisation_register(actor=UserFactory(), **REGISTRATION)
    assert not isinstance(refused.value, AlreadyActsFor)
    assert refused.value.code == "duplicate_uen"
