"""Every kind's e-mail, rendered from its templates inside the layout, and the e-mails the real
services send to the people concerned (tasks eager, the outbox's hand-off run after commit)."""

import copy
import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import resolve, reverse
from django.utils import timezone

from cluster_portal.core.links import portal_url
from cluster_portal.notifications.kinds import kind_get, kinds_all
from cluster_portal.notifications.models import Delivery, Notification, OutgoingEmail
from cluster_portal.notifications.rendering import notification_email
from cluster_portal.notifications.unsubscribe import unsubscribe_token_read
from partners.models import Organisation, OrganisationMembership
from partners.services import (
    organisation_approve,
    organisation_decline,
    organisation_register,
    organisation_tier_statuses_refresh,
    person_request_approve,
    person_request_create,
    person_request_decline,
)
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from workstreams.services import join_request_approve, join_request_decline

pytestmark = pytest.mark.django_db

# Collected at import: pytest-django has run django.setup(), so every app has registered its kinds.
KIND_KEYS = [kind.key for kind in kinds_all()]
PREFIX = "[Cluster Portal] "
MARK = "<script>x</script>"
ESCAPED_MARK = "&lt;script&gt;x&lt;/script&gt;"
FOOTER_WHY = "You received this e-mail because"
LINK = re.compile(r"https?://[^\s<>\"]+")
ADMIN = OrganisationMembership.Role.ADMIN


def links_in(text: str) -> list[str]:
    return [link.rstrip(".,;)") for link in LINK.findall(text)]


def path_of(link: str) -> str:
    return urlsplit(link).path


def html_of(message) -> str:
    [html] = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


def mails_to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def assert_every_name_given(messages) -> None:
    """With `strict_templates`: the service gave the kind's templates every name they use."""
    assert messages
    for message in messages:
        for part in (message.subject, message.body, html_of(message)):
            assert "INVALID[" not in part, part


def full_context(*, approved: bool) -> dict:
    """Every name a kind's templates use, with a hostile organisation name and address."""
    return {
        "organisation": MARK, "workstream": "Continuous Manufacturing",
        "reason": "The consortium agreement is not signed yet.", "role": "admin",
        "requester": "Tan Mei Ling", "requester_email": "mei.ling@example.org",
        "request_message": "I run the pilot plant.", "motivation": "Pilot-plant data.",
        "tier": "core", "ends_on": "31 December 2026", "status": "in grace period",
        "approved": approved, "is_admin": True, "address": f"{MARK}@example.org",
        "subject": f"Invitation to {MARK}", "error": f"550 {MARK} refused",
        "ip": "203.0.113.9", "user_agent": "Firefox/128.0",
        "agreement": "consortium agreement", "review_days": 5,
        "expected_by": "Friday 06 March 2026",
        # A document shared in a members' area; a member's message to a workstream's lead.
        "title": f"Roadmap of {MARK}", "body": f"A question from {MARK}.",
        "sender_name": "Tan Mei Ling", "sender_email": "mei.ling@example.org",
        "organisations": MARK, "to_office": not approved,
        # Training: a course run, a place on it, how it ended, a certificate.
        "course": f"CM-101 {MARK}", "dates": "2 Mar 2026 to 3 Mar 2026", "venue": "Biopolis",
        "position": 3, "expires": "30 June 2027", "promoted": approved, "by_staff": approved,
        "attended": 3, "sessions": 4, "threshold": 75, "achievement": f"CM-101 {MARK}",
        "serial": "MFRGGZDFMZTW",
        "verify_url": portal_url("/courses/certificates/MFRGGZDFMZTW/"),
        # Projects: a move of its lifecycle, a deliverable decided, a month reported, overdue
        # work.
        "code": "PIPS-CM-2026-003", "from_status": "proposed", "by": "Tan Mei Ling",
        "deliverable": f"Control strategy of {MARK}", "late": not approved,
        "due_on": "30 Oct 2026", "late_justification": "The rig arrived late.",
        "decision": "approved" if approved else "returned with comments",
        "comments": "Add the validation runs.", "period": "October 2026", "overall": "amber",
        "schedule": "green", "budget": "red", "milestones": 1, "deliverables": 2,
        "overdue": ["milestone “Rig built”, due 1 Oct 2026"],
        # Reports: one ready to download, or one that failed.
        "report": f"Programme report {MARK}", "rows": 1200, "days": 7,
    }


@pytest.fixture
def strict_templates(settings):
    """A name missing from a template's context shows as INVALID[name] instead of nothing."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = "INVALID[%s]"
    settings.TEMPLATES = templates


def test_every_app_registers_its_kinds_once():
    assert len(KIND_KEYS) == len(set(KIND_KEYS)) >= 20
    assert {"password_changed", "organisation_approved", "join_request_submitted",
            "email_failed"} <= set(KIND_KEYS)


def test_strict_templates_reveal_a_missing_name(strict_templates):
    # The fixture works: without the names it needs, a kind's template shows the gap.
    draft = notification_email(kind=kind_get("organisation_approved"), person=UserFactory(),
                               message="Approved.")
    assert "INVALID[organisation]" in draft.subject


@pytest.mark.parametrize("approved", [True, False], ids=["approved", "declined"])
@pytest.mark.parametrize("key", KIND_KEYS)
def test_every_kind_renders_subject_text_and_html(key, approved, strict_templates):
    kind = kind_get(key)
    person = UserFactory(full_name="Tan Mei Ling")
    actor = UserFactory(full_name="Lim Wei Jie")
    url = reverse("workstreams:queue")
    draft = notification_email(kind=kind, person=person, message=f"{MARK} happened.", url=url,
                               actor=actor, context=full_context(approved=approved))

    assert draft.to == person.email and draft.recipient == person and draft.kind == key
    # No template uses a name the context lacks.
    for part in (draft.subject, draft.body_text, draft.body_html):
        assert "INVALID[" not in part
    assert draft.subject.startswith(PREFIX) and len(draft.subject) > len(PREFIX)
    assert "\n" not in draft.subject and "\r" not in draft.subject

    text, html = draft.body_text, draft.body_html
    assert text.startswith("Dear Tan Mei Ling,")
    assert MARK in text  # plain text is not HTML: shown as typed
    assert f"{FOOTER_WHY} {kind.reason}." in text
    assert FOOTER_WHY in html
    # The HTML escapes what people typed, in the body and in the title.
    assert "<script" not in html and ESCAPED_MARK in html

    links = links_in(text)
    action = portal_url(url)
    assert action in links and f'href="{action}"' in html
    base = settings.PORTAL_BASE_URL.rstrip("/") + "/"
    for link in links:
        assert link.startswith(base), link
        resolve(path_of(link))  # every link leads to a page of the portal

    unsubscribe_links = [link for link in links
                         if resolve(path_of(link)).view_name == "notifications:unsubscribe"]
    if kind.locked:
        assert draft.headers == {}
        assert unsubscribe_links == []
        assert portal_url(reverse("account_reset_password")) in links
    else:
        [unsubscribe] = unsubscribe_links
        assert draft.headers == {"List-Unsubscribe": f"<{unsubscribe}>",
                                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        assert f'href="{unsubscribe}"' in html
        token = resolve(path_of(unsubscribe)).kwargs["token"]
        assert unsubscribe_token_read(token) == (person, key)
        assert portal_url(reverse("account_notifications")) in links


def test_a_notification_without_a_url_links_to_the_notifications_page():
    draft = notification_email(kind=kind_get("removed"), person=UserFactory(),
                               message="You were removed.", context={"organisation": "Acme"})
    assert portal_url(reverse("notifications:list")) in links_in(draft.body_text)
    assert "See your notifications" in draft.body_text


# --- The real services mail the people concerned ----------------------------------------------
# Each runs with `strict_templates`, so a name a service forgot to give its templates shows.


def test_approving_an_organisation_mails_its_registrant_and_not_the_deciding_admin(
        mfa_admin_user, django_capture_on_commit_callbacks, strict_templates):
    registrant = UserFactory()
    organisation = organisation_register(actor=registrant, name="Tessellate Data",
                                         uen="202400008H", kind=Organisation.Kind.START_UP)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_approve(actor=mfa_admin_user, organisation=organisation)
    assert_every_name_given(mail.outbox)

    [message] = mail.outbox
    assert message.to == [registrant.email]
    assert message.subject == f"{PREFIX}Tessellate Data is approved"
    assert "The programme office approved the registration of Tessellate Data" in message.body
    assert portal_url(organisation.get_absolute_url()) in links_in(message.body)
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    email = OutgoingEmail.objects.get(kind="organisation_approved")
    assert email.status == OutgoingEmail.Status.SENT and email.recipient == registrant
    assert Notification.objects.get(kind="organisation_approved").email == email


def test_declining_an_organisation_mails_its_admins_the_reason(
        mfa_admin_user, django_capture_on_commit_callbacks, strict_templates):
    registrant = UserFactory()
    organisation = organisation_register(actor=registrant, name="Tessellate Data",
                                         uen="202400008H", kind=Organisation.Kind.START_UP)
    colleague = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    with django_capture_on_commit_callbacks(execute=True):
        organisation_decline(actor=mfa_admin_user, organisation=organisation,
                             reason="We could not verify the UEN.")
    assert_every_name_given(mail.outbox)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([registrant.email, colleague.email])
    for message in mail.outbox:
        assert message.subject == f"{PREFIX}The registration of Tessellate Data was declined"
        assert "The reason given: We could not verify the UEN." in message.body
        assert "We could not verify the UEN." in html_of(message)
    assert not mails_to(mfa_admin_user)


@pytest.fixture
def join_request(mfa_staff_user):
    """A pending request of an organisation with two admins (one asked) and a plain member."""
    organisation = OrganisationFactory(ready_to_join=True, name="Helix Biologics")
    admins = [OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
              for _ in range(2)]
    member = OrganisationMembershipFactory(organisation=organisation).person
    request = JoinRequestFactory(organisation=organisation, requested_by=admins[0],
                                 workstream=WorkstreamFactory(name="Biocatalysis"))
    return request, admins, member


def test_approving_a_join_request_mails_each_admin_exactly_once(
        join_request, mfa_staff_user, django_capture_on_commit_callbacks, strict_templates):
    request, admins, member = join_request
    with django_capture_on_commit_callbacks(execute=True):
        join_request_approve(actor=mfa_staff_user, join_request=request)
    assert_every_name_given(mail.outbox)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(admin.email for admin in admins)
    for admin in admins:
        [message] = mails_to(admin)
        assert message.subject == f"{PREFIX}Helix Biologics joined Biocatalysis"
        assert "Helix Biologics is now a member of Biocatalysis, as core member" in message.body
    assert not mails_to(mfa_staff_user) and not mails_to(member)


def test_declining_a_join_request_mails_each_admin_the_reason_once(
        join_request, mfa_staff_user, django_capture_on_commit_callbacks, strict_templates):
    request, admins, member = join_request
    with django_capture_on_commit_callbacks(execute=True):
        join_request_decline(actor=mfa_staff_user, join_request=request,
                             reason="The workstream is full this phase.")
    assert_every_name_given(mail.outbox)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(admin.email for admin in admins)
    for admin in admins:
        [message] = mails_to(admin)
        assert message.subject == (
            f"{PREFIX}The request of Helix Biologics to join Biocatalysis was declined")
        assert "The reason given: The workstream is full this phase." in message.body
    assert not mails_to(mfa_staff_user) and not mails_to(member)


def test_a_staff_member_who_administers_the_organisation_is_not_mailed_their_own_decision(
        join_request, mfa_staff_user, django_capture_on_commit_callbacks):
    request, admins, _member = join_request
    OrganisationMembershipFactory(organisation=request.organisation, person=mfa_staff_user,
                                  role=ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        join_request_approve(actor=mfa_staff_user, join_request=request)
    assert not mails_to(mfa_staff_user)
    assert len(mail.outbox) == len(admins)


@pytest.fixture
def person_request():
    organisation = OrganisationFactory(name="Acme Pharma")
    deciding, other = (OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
                       for _ in range(2))
    asker = UserFactory()
    request = person_request_create(actor=asker, organisation=organisation, message="Hello")
    return request, asker, deciding, other


def test_approving_a_person_request_mails_the_person(
        person_request, django_capture_on_commit_callbacks, strict_templates):
    request, asker, deciding, other = person_request
    with django_capture_on_commit_callbacks(execute=True):
        membership = person_request_approve(actor=deciding, person_request=request)
    assert_every_name_given(mail.outbox)

    [message] = mail.outbox
    assert message.to == [asker.email]
    assert message.subject == f"{PREFIX}You now act for Acme Pharma"
    role = membership.get_role_display().lower()
    assert f"{deciding.full_name} approved your request: you now act for Acme Pharma on the " \
           f"portal, as {role}." in message.body
    assert not mails_to(deciding) and not mails_to(other)


def test_declining_a_person_request_mails_the_person_the_reason(
        person_request, django_capture_on_commit_callbacks, strict_templates):
    request, asker, deciding, other = person_request
    with django_capture_on_commit_callbacks(execute=True):
        person_request_decline(actor=deciding, person_request=request, reason="We don't know you.")
    assert_every_name_given(mail.outbox)

    [message] = mail.outbox
    assert message.to == [asker.email]
    assert not mails_to(deciding) and not mails_to(other)
    assert message.subject == f"{PREFIX}Your request to join Acme Pharma was declined"
    assert "The reason given: We don't know you." in message.body
    assert "We don&#x27;t know you." in html_of(message)


def test_the_renewal_reminder_mails_the_admins_once(django_capture_on_commit_callbacks,
                                                    strict_templates):
    ends_on = timezone.localdate() + datetime.timedelta(days=30)
    organisation = OrganisationFactory(name="Acme Pharma", tier="core", tier_ends_on=ends_on)
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    member = OrganisationMembershipFactory(organisation=organisation).person
    OrganisationFactory(tier="core")  # its term ends in a year: no reminder yet
    with django_capture_on_commit_callbacks(execute=True):
        assert organisation_tier_statuses_refresh() == {"changed": 0, "reminded": 1}
    assert_every_name_given(mail.outbox)

    [message] = mail.outbox
    assert message.to == [admin.email]
    assert message.subject == (
        f"{PREFIX}Acme Pharma's programme membership ends on {ends_on:%d %B %Y}")
    assert f"The core membership of Acme Pharma in the programme ends on {ends_on:%d %B %Y}" in (
        message.body)
    assert not mails_to(member)
    notice = Notification.objects.get(kind="tier_renewal_due")
    assert notice.delivery == Delivery.IMMEDIATELY and notice.email is not None

    with django_capture_on_commit_callbacks(execute=True):
        organisation_tier_statuses_refresh()  # run again: no second reminder this term
    assert len(mail.outbox) == 1
