"""Asking first: every destructive or irreversible action of the partners and workstreams pages
answers GET at its own address with a page that says what will happen and holds the form, and
the pages that list it link there (includes/confirm_button.html) rather than acting in one
click. Without JavaScript that page is the confirmation; static/js/confirm.js shows the same,
fetched with HX-Request, in a dialog. The POST is the old one and still acts by itself."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from partners.models import (
    Invitation,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    RenewalRequest,
)
from partners.services import invitation_create, person_request_create, renewal_request_create
from tests.conftest import activate_totp
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from workstreams.models import (
    JoinRequest,
    MeetingCalendarFeed,
    Workstream,
    WorkstreamMeeting,
    WorkstreamMeetingFile,
    WorkstreamMembership,
)
from workstreams.services import meeting_calendar_feed_renew

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Action:
    """One destructive action, made ready: who may do it, at which address, from which page,
    what the form sends, and whether it happened."""

    person: object
    url: str
    listed_on: str  # the page that offers it
    data: dict
    done: Callable[[], bool]
    words: list[str]  # what its confirmation must say


def _partner_admin(organisation):
    return OrganisationMembershipFactory(organisation=organisation, role="admin").person


def _staff(role="programme_staff"):
    person = UserFactory(role=role)
    activate_totp(person)
    return person


def leave():
    organisation = OrganisationFactory(name="Acme Pharma")
    _partner_admin(organisation)  # someone stays to administer it
    membership = OrganisationMembershipFactory(organisation=organisation)
    return Action(
        membership.person,
        reverse("partners:membership_remove", args=[organisation.slug, membership.pk]),
        reverse("partners:people", args=[organisation.slug]), {},
        lambda: not OrganisationMembership.objects.filter(pk=membership.pk).exists(),
        ["Leave Acme Pharma?", "You will no longer act for Acme Pharma"])


def remove_colleague():
    organisation = OrganisationFactory(name="Acme Pharma")
    colleague = OrganisationMembershipFactory(
        organisation=organisation, person=UserFactory(full_name="Ann Lee"))
    return Action(
        _partner_admin(organisation),
        reverse("partners:membership_remove", args=[organisation.slug, colleague.pk]),
        reverse("partners:people", args=[organisation.slug]), {},
        lambda: not OrganisationMembership.objects.filter(pk=colleague.pk).exists(),
        ["Remove Ann Lee from Acme Pharma?", "will no longer act for Acme Pharma"])


def revoke_invitation():
    organisation = OrganisationFactory()
    admin = _partner_admin(organisation)
    invitation, _ = invitation_create(actor=admin, organisation=organisation,
                                      email="new.colleague@example.org")
    return Action(
        admin, reverse("partners:invitation_revoke", args=[organisation.slug, invitation.pk]),
        reverse("partners:people", args=[organisation.slug]), {},
        lambda: Invitation.objects.get(pk=invitation.pk).revoked_at is not None,
        ["Revoke the invitation of new.colleague@example.org?", "stops working"])


def withdraw_person_request():
    organisation = OrganisationFactory(name="Acme Pharma")
    _partner_admin(organisation)
    person_request = person_request_create(actor=UserFactory(), organisation=organisation)
    return Action(
        person_request.person,
        reverse("partners:person_request_withdraw", args=[person_request.pk]),
        reverse("partners:my_organisations"), {},
        lambda: PersonRequest.objects.get(pk=person_request.pk).status == "withdrawn",
        ["Withdraw your request to join Acme Pharma?", "You can ask again later."])


def decline_person_request():
    organisation = OrganisationFactory(name="Acme Pharma")
    admin = _partner_admin(organisation)
    person_request = person_request_create(
        actor=UserFactory(full_name="Ben Ong"), organisation=organisation)
    return Action(
        admin,
        reverse("partners:person_request_decline", args=[organisation.slug, person_request.pk]),
        reverse("partners:people", args=[organisation.slug]), {"reason": "Not one of ours."},
        lambda: PersonRequest.objects.get(pk=person_request.pk).status == "declined",
        ["Decline Ben Ong's request to join Acme Pharma?", "with your reason"])


def decline_registration():
    organisation = OrganisationFactory(name="Vague Ventures", status="pending")
    return Action(
        _staff("programme_admin"), reverse("partners:decline", args=[organisation.slug]),
        reverse("partners:approvals"), {"reason": "No UEN match."},
        lambda: Organisation.objects.get(pk=organisation.pk).status == "declined",
        ["Decline the registration of Vague Ventures?", "A decline is final"])


def withdraw_join_request():
    organisation = OrganisationFactory(name="Acme Pharma", ready_to_join=True)
    admin = _partner_admin(organisation)
    join_request = JoinRequestFactory(organisation=organisation, requested_by=admin,
                                      workstream=WorkstreamFactory(name="Biocatalysis"))
    return Action(
        admin, reverse("workstreams:join_request_withdraw", args=[join_request.pk]),
        reverse("organisation_workstreams", args=[organisation.slug]), {},
        lambda: JoinRequest.objects.get(pk=join_request.pk).status == "withdrawn",
        ["Withdraw Acme Pharma's request to join Biocatalysis?", "ask to join Biocatalysis again"])


def decline_join_request():
    join_request = JoinRequestFactory(organisation__name="Acme Pharma",
                                      workstream__name="Biocatalysis")
    return Action(
        _staff(), reverse("workstreams:join_request_decline", args=[join_request.pk]),
        reverse("workstreams:queue"), {"reason": "Not this year."},
        lambda: JoinRequest.objects.get(pk=join_request.pk).status == "declined",
        ["Decline Acme Pharma's request to join Biocatalysis?", "with your reason"])


def end_workstream_membership():
    membership = WorkstreamMembershipFactory(organisation__name="Acme Pharma",
                                             workstream__name="Biocatalysis")
    workstream = membership.workstream
    return Action(
        _staff(), reverse("workstreams:membership_end", args=[workstream.slug, membership.pk]),
        reverse("workstreams:members", args=[workstream.slug]), {"reason": "Left the field."},
        lambda: WorkstreamMembership.objects.get(pk=membership.pk).until is not None,
        ["End Acme Pharma's membership of Biocatalysis?", "no longer see the members' area"])


def activate_workstream():
    workstream = WorkstreamFactory(name="Analytics", kind="platform", status="planned")
    return Action(
        _staff("programme_admin"), reverse("workstreams:activate", args=[workstream.slug]),
        workstream.get_absolute_url(), {},
        lambda: Workstream.objects.get(pk=workstream.pk).status == "active",
        ["Activate Analytics?", "can't be undone"])


def withdraw_renewal_request():
    organisation = OrganisationFactory(name="Acme Pharma")
    admin = _partner_admin(organisation)
    renewal_request = renewal_request_create(actor=admin, organisation=organisation)
    return Action(
        admin,
        reverse("partners:renewal_request_withdraw", args=[organisation.slug, renewal_request.pk]),
        reverse("partners:membership", args=[organisation.slug]), {},
        lambda: RenewalRequest.objects.get(pk=renewal_request.pk).status == "withdrawn",
        ["Withdraw Acme Pharma's request to renew?", "You can ask again."])


def decline_renewal_request():
    organisation = OrganisationFactory(name="Acme Pharma")
    renewal_request = renewal_request_create(actor=_partner_admin(organisation),
                                             organisation=organisation)
    return Action(
        _staff("programme_admin"),
        reverse("partners:renewal_request_decline", args=[organisation.slug, renewal_request.pk]),
        reverse("partners:renewals"), {"reason": "The invoice is still open."},
        lambda: RenewalRequest.objects.get(pk=renewal_request.pk).status == "declined",
        ["Decline Acme Pharma's request to renew?", "with your reason"])


def remove_meeting_file():
    workstream = WorkstreamFactory(name="Biocatalysis")
    meeting = WorkstreamMeeting.objects.create(workstream=workstream, title="Kick-off",
                                               starts_at=timezone.now())
    meeting_file = WorkstreamMeetingFile.objects.create(
        meeting=meeting, kind="agenda", file=ContentFile(b"%PDF-1.4", name="agenda.pdf"))
    return Action(
        _staff(), reverse("workstreams:meeting_file_remove", args=[workstream.slug,
                                                                   meeting_file.pk]),
        reverse("workstreams:members", args=[workstream.slug]), {},
        lambda: not WorkstreamMeetingFile.objects.filter(pk=meeting_file.pk).exists(),
        ["Remove agenda", "from “Kick-off”?", "no longer in the members' area"])


def turn_calendar_link_off():
    membership = WorkstreamMembershipFactory()
    person = OrganisationMembershipFactory(organisation=membership.organisation).person
    meeting_calendar_feed_renew(actor=person)
    return Action(
        person, reverse("workstreams:calendar_feed_revoke"),
        reverse("workstreams:members", args=[membership.workstream.slug]), {},
        lambda: not MeetingCalendarFeed.objects.filter(person=person).exists(),
        ["Turn your calendar link off?", "stop updating"])


# Every destructive or irreversible action of the partners and workstreams pages.
ACTIONS = [leave, remove_colleague, revoke_invitation, withdraw_person_request,
           decline_person_request, decline_registration, withdraw_join_request,
           decline_join_request, end_workstream_membership, activate_workstream,
           withdraw_renewal_request, decline_renewal_request, remove_meeting_file,
           turn_calendar_link_off]
DESTRUCTIVE = {"partners:membership_remove", "partners:invitation_revoke",
               "partners:person_request_withdraw", "partners:person_request_decline",
               "partners:decline", "workstreams:join_request_withdraw",
               "workstreams:join_request_decline", "workstreams:membership_end",
               "workstreams:activate", "partners:renewal_request_withdraw",
               "partners:renewal_request_decline", "workstreams:meeting_file_remove",
               "workstreams:calendar_feed_revoke"}


@pytest.fixture(params=ACTIONS, ids=lambda make: make.__name__)
def action(request, db) -> tuple[Action, Client]:
    made = request.param()
    client = Client()
    client.force_login(made.person)
    return made, client


def _url_name(path: str) -> str:
    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def test_every_destructive_address_is_among_the_actions_checked_here():
    made = {_url_name(make_and_reset().url) for make_and_reset in ACTIONS}
    assert made == DESTRUCTIVE


def test_its_get_is_a_page_that_says_what_will_happen_and_changes_nothing(action):
    made, client = action
    response = client.get(made.url)
    assert response.status_code == 200
    assert "core/confirm_page.html" in [template.name for template in response.templates]
    html = response.content.decode()
    for words in made.words:
        assert words in html.replace("&#x27;", "'")
    assert re.search(rf'<form method="post" action="{re.escape(made.url)}"', html)
    assert "csrfmiddlewaretoken" in html
    assert not made.done()


def test_the_form_of_its_page_does_it_and_redirects(action):
    made, client = action
    page = client.get(made.url).content.decode()
    form = page[page.index(f'action="{made.url}"'):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken", None)
    response = client.post(made.url, {**fields, **made.data})
    assert response.status_code == 302
    assert made.done()


def test_the_old_one_step_post_still_does_it(action):
    made, client = action
    response = client.post(made.url, made.data)
    assert response.status_code == 302
    assert made.done()


def test_the_page_that_offers_it_links_to_its_confirmation_and_has_no_one_click_form(action):
    made, client = action
    html = client.get(made.listed_on).content.decode()
    assert re.search(rf'href="{re.escape(made.url)}(\?next=[^"]*)?" data-confirm>', html)
    assert f'action="{made.url}"' not in html
    assert f'hx-post="{made.url}"' not in html


def test_no_page_that_offers_these_actions_posts_one_in_a_single_click(action):
    """Every form on the page (whatever else the page offers), not only the action's own."""
    made, client = action
    html = client.get(made.listed_on).content.decode()
    posted_to = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)
    posted_to += re.findall(r'hx-post="([^"]+)"', html)
    one_click = sorted({path for path in posted_to if _url_name(path) in DESTRUCTIVE})
    assert not one_click, f"{made.listed_on} acts without asking: {one_click}"


def test_in_the_dialog_its_confirmation_is_a_labelled_fragment(action):
    made, client = action
    response = client.get(made.url, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the dialog's content, not a page
    # confirm.js labels and describes the dialog by these ids.
    assert 'id="confirm-title"' in html and 'id="confirm-what"' in html
    assert "data-confirm-cancel" in html
    assert not made.done()


@pytest.mark.parametrize(("make", "target", "swap"), [
    (revoke_invitation, "#invitations-region", "innerHTML"),
    (decline_registration, "#approval-", "outerHTML"),
    (decline_join_request, "#join-request-", "outerHTML"),
])
def test_an_htmx_row_keeps_working_through_the_dialog(client, make, target, swap):
    made = make()
    client.force_login(made.person)
    fragment = client.get(made.url, **HTMX).content.decode()
    assert f'hx-post="{made.url}"' in fragment
    assert re.search(rf'hx-target="{re.escape(target)}[0-9]*" hx-swap="{swap}"', fragment)
    # What the dialog's form posts, through htmx: the row (or region) comes back in place.
    row = client.post(made.url, made.data, **HTMX)
    assert row.status_code == 200
    assert "<html" not in row.content.decode()
    assert made.done()


def test_a_plain_action_posts_plainly_from_the_dialog(client):
    made = leave()
    client.force_login(made.person)
    fragment = client.get(made.url, **HTMX).content.decode()
    assert "hx-post" not in fragment  # leaving changes the whole page: it reloads (PRG)


def test_a_reason_asked_for_is_asked_on_the_confirmation_and_required_where_it_must_be(client):
    made = decline_join_request()
    client.force_login(made.person)
    page = client.get(made.url).content.decode()
    assert re.search(r'<textarea name="reason"[^>]*required', page)
    response = client.post(made.url, {"reason": ""})
    assert response.status_code == 302 and not made.done()  # told why, nothing declined


def test_cancel_goes_back_where_the_person_came_from_on_this_site_only(client):
    made = decline_join_request()
    client.force_login(made.person)
    queue = reverse("workstreams:queue") + "?workstream=" + "biocatalysis"
    page = client.get(made.url, {"next": queue}).content.decode()
    assert f'href="{queue}" data-confirm-cancel' in page
    assert f'name="next" value="{queue}"' in page
    assert 'name="queue_workstream" value="biocatalysis"' in page
    elsewhere = client.get(made.url, {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in elsewhere
    assert f'href="{reverse("workstreams:queue")}" data-confirm-cancel' in elsewhere


def test_the_confirmation_is_refused_to_whoever_may_not_act():
    made = remove_colleague()
    organisation = OrganisationMembership.objects.get(person=made.person).organisation
    client = Client()
    client.force_login(OrganisationMembershipFactory(organisation=organisation).person)
    response = client.get(made.url)  # a member, not an admin: the page would only lead to a 403
    assert response.status_code == 403
    assert "Only the organisation&#x27;s admins remove people." in response.content.decode()


def test_the_dialog_script_is_a_file_on_every_page_and_nothing_runs_inline(client):
    made = leave()
    client.force_login(made.person)
    html = client.get(made.url).content.decode()
    assert re.search(r'<script src="/static/js/confirm.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # the CSP allows none
    script = (Path(settings.BASE_DIR) / "static" / "js" / "confirm.js").read_text()
    for behaviour in ("showModal", "aria-labelledby", "confirm-what", "htmx:afterRequest",
                      "data-confirm-cancel", "HX-Request"):
        assert behaviour in script


def test_no_template_posts_a_destructive_action_in_one_click():
    """The template sources too, so a page no test renders can't slip back to a one-click
    form: an action on DESTRUCTIVE is reached through includes/confirm_button.html only."""
    templates = Path(settings.BASE_DIR) / "templates"
    one_click = []
    for path in [*templates.glob("partners/**/*.html"), *templates.glob("workstreams/**/*.html")]:
        source = path.read_text()
        for name in DESTRUCTIVE:
            if re.search(rf"""(action|hx-post)="{{% url '{name}'""", source):
                one_click.append(f"{path.relative_to(templates)}: {name}")
    assert not one_click, one_click
