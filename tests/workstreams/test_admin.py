"""The admin pages for programmes, workstreams, join requests and memberships: constant-cost
lists, decisions through the services, and decided requests that can no longer be changed."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Notification
from partners.models import OrganisationMembership
from tests.factories import (
    JoinRequestFactory,
    OrganisationMembershipFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from workstreams.admin import JOIN_REQUEST_DECLINE_REASON
from workstreams.models import (
    JoinRequest,
    Programme,
    ProgrammePhase,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMembership,
)
from workstreams.services import join_request_decline

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, mfa_admin_user):
    client.force_login(mfa_admin_user)
    return client


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:workstreams_{model}_{view}", args=args)


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, model: str, action: str, objects):
    return client.post(url(model), {"action": action,
                                    "_selected_action": [obj.pk for obj in objects]}, follow=True)


# --- Lists: every model, constant queries ------------------------------------------------------


def add_phases(n):
    for _ in range(n):
        programme = ProgrammeFactory()
        ProgrammePhase.objects.create(programme=programme, number=1, name="Phase 1",
                                      starts_on=timezone.localdate())


def add_meetings(n):
    for _ in range(n):
        WorkstreamMeeting.objects.create(workstream=WorkstreamFactory(), title="Steering",
                                         starts_at=timezone.now())


def add_documents(n):
    for _ in range(n):
        WorkstreamDocument.objects.create(
            workstream=WorkstreamFactory(), title="Roadmap", uploaded_by=UserFactory(),
            file=SimpleUploadedFile("roadmap.txt", b"Plans."))


@pytest.mark.parametrize("model, add", [
    ("programme", lambda n: ProgrammeFactory.create_batch(n)),
    ("programmephase", add_phases),
    ("workstream", lambda n: WorkstreamFactory.create_batch(
        n, lead=UserFactory(), parent=WorkstreamFactory())),
    ("joinrequest", lambda n: JoinRequestFactory.create_batch(n, decided_by=UserFactory())),
    ("workstreammembership", lambda n: WorkstreamMembershipFactory.create_batch(n)),
    ("workstreammeeting", add_meetings),
    ("workstreamdocument", add_documents),
])
def test_every_list_answers_with_the_same_number_of_queries_for_more_rows(office, model, add):
    add(2)
    office.get(url(model))  # warms per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        response = office.get(url(model))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 2
    add(4)
    with CaptureQueriesContext(connection) as many:
        response = office.get(url(model))
    assert response.context["cl"].result_count >= 6
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


# --- Join requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("action, role", [
    ("approve_as_core", "core"), ("approve_as_associate", "associate"),
    ("approve_as_observer", "observer"),
])
def test_approving_from_the_list_goes_through_the_service(office, mfa_admin_user, action, role):
    request = JoinRequestFactory()
    admin = OrganisationMembershipFactory(organisation=request.organisation,
                                          role=OrganisationMembership.Role.ADMIN).person
    response = run_action(office, "joinrequest", action, [request])

    membership = WorkstreamMembership.objects.get()
    assert (membership.organisation, membership.workstream, membership.role) == (
        request.organisation, request.workstream, role)
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.APPROVED and request.decided_by == mfa_admin_user
    assert AuditEvent.objects.get(action="join_request.approve").actor == mfa_admin_user
    assert Notification.objects.filter(recipient=admin,
                                       kind="join_request_decided").exists()
    assert any("Approved 1 request" in text for text in page_messages(response))


def test_a_decided_request_in_the_selection_is_reported_and_left_alone(office, mfa_admin_user):
    pending, decided = JoinRequestFactory(), JoinRequestFactory()
    join_request_decline(actor=mfa_admin_user, join_request=decided, reason="Full.")
    response = run_action(office, "joinrequest", "approve_as_core", [pending, decided])
    texts = page_messages(response)
    assert any(f"{decided.organisation}" in text and "already declined" in text
               for text in texts)
    assert WorkstreamMembership.objects.get().organisation == pending.organisation
    assert JoinRequest.objects.get(pk=decided.pk).status == JoinRequest.Status.DECLINED


def test_declining_from_the_list_gives_the_standard_reason(office):
    request = JoinRequestFactory()
    run_action(office, "joinrequest", "decline_selected", [request])
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.DECLINED
    assert request.decision_reason == JOIN_REQUEST_DECLINE_REASON
    assert not WorkstreamMembership.objects.exists()


def test_a_decided_request_is_read_only(office, mfa_admin_user):
    request = JoinRequestFactory()
    join_request_decline(actor=mfa_admin_user, join_request=request, reason="Full this year.")
    page = office.get(url("joinrequest", "change", request.pk))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in content and "Full this year." in content
    response = office.post(url("joinrequest", "change", request.pk),
                           {"decision_reason": "Rewritten."})
    assert response.status_code == 403
    assert JoinRequest.objects.get(pk=request.pk).decision_reason == "Full this year."


def test_join_requests_are_neither_added_nor_deleted_in_the_admin(office):
    request = JoinRequestFactory()
    assert office.get(url("joinrequest", "add")).status_code == 403
    assert office.get(url("joinrequest", "delete", request.pk)).status_code == 403


# --- Memberships and workstreams ---------------------------------------------------------------


def test_ending_a_membership_from_the_list_goes_through_the_service(office, mfa_admin_user):
    membership = WorkstreamMembershipFactory()
    assert office.get(url("workstreammembership", "add")).status_code == 403
    page = office.get(url("workstreammembership", "change", membership.pk))
    assert 'name="_save"' not in page.content.decode()

    run_action(office, "workstreammembership", "end_selected", [membership])
    membership.refresh_from_db()
    assert membership.until == timezone.localdate() and membership.ended_by == mfa_admin_user
    assert AuditEvent.objects.get(action="workstream_membership.end").actor == mfa_admin_user
    response = run_action(office, "workstreammembership", "end_selected", [membership])
    assert any("already ended" in text for text in page_messages(response))
    active = office.get(url("workstreammembership"), {"active": "yes"})
    assert active.context["cl"].result_count == 0


def test_activating_a_planned_platform_from_the_list(office, mfa_admin_user):
    platform = WorkstreamFactory(kind="platform", status=Workstream.Status.PLANNED)
    run_action(office, "workstream", "activate_selected", [platform])
    assert Workstream.objects.get(pk=platform.pk).status == Workstream.Status.ACTIVE
    assert AuditEvent.objects.get(action="workstream.activate").actor == mfa_admin_user


def test_a_sub_workstream_is_added_through_workstream_create(office):
    parent = WorkstreamFactory(name="Continuous Manufacturing")
    response = office.post(url("workstream", "add"), {
        "programme": parent.programme.pk, "parent": parent.pk, "kind": "theme",
        "status": "planned", "name": "Continuous Crystallisation", "code": "cc",
        "summary": "Crystallisation in flow.", "description": "", "lead": "",
        "display_order": 20,
    })
    assert response.status_code == 302
    theme = Workstream.objects.get(code="CC")
    assert theme.slug == "continuous-crystallisation"
    assert theme.parent == parent and theme.kind == "theme"


def test_a_name_whose_slug_is_taken_is_refused_with_a_message(office):
    existing = WorkstreamFactory(name="Analytics", slug="analytics")
    response = office.post(url("workstream", "add"), {
        "programme": existing.programme.pk, "kind": "platform", "status": "planned",
        "name": "Analytics", "code": "AN2", "summary": "Again.", "display_order": 10,
    }, follow=True)
    assert any("slug" in text.lower() for text in page_messages(response))
    assert Workstream.objects.filter(name="Analytics").count() == 1


def test_the_status_of_an_existing_workstream_changes_only_through_the_action(office):
    platform = WorkstreamFactory(kind="platform", status=Workstream.Status.PLANNED)
    response = office.post(url("workstream", "change", platform.pk), {
        "programme": platform.programme.pk, "kind": "platform", "status": "active",
        "name": platform.name, "code": platform.code, "summary": "New summary.",
        "display_order": 5,
    })
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.summary == "New summary."
    assert platform.status == Workstream.Status.PLANNED


def test_a_document_added_in_the_admin_records_who_uploaded_it(office, mfa_admin_user):
    workstream = WorkstreamFactory()
    response = office.post(url("workstreamdocument", "add"), {
        "workstream": workstream.pk, "title": "Roadmap",
        "file": SimpleUploadedFile("roadmap.txt", b"Plans for the year."),
    })
    assert response.status_code == 302
    assert WorkstreamDocument.objects.get().uploaded_by == mfa_admin_user


def programme_form(**changes) -> dict:
    return {"name": "Biologics Manufacturing Programme", "short_name": "BMP", "tagline": "",
            "description": "", "website": "", "phases-TOTAL_FORMS": 0,
            "phases-INITIAL_FORMS": 0} | changes


def test_a_programme_is_added_through_programme_create(office):
    response = office.post(url("programme", "add"), programme_form(feature_on_home_page="on"))
    assert response.status_code == 302
    programme = Programme.objects.get(short_name="BMP")
    assert programme.is_featured and programme.slug == "bmp"


def test_featuring_a_programme_in_the_admin_stops_featuring_the_other_as_the_service_does(
        office):
    first = ProgrammeFactory(is_featured=True, short_name="PIPS")
    response = office.post(url("programme", "add"), programme_form(feature_on_home_page="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    first.refresh_from_db()
    assert Programme.objects.get(short_name="BMP").is_featured and not first.is_featured
    office.post(url("programme", "change", first.pk),
                programme_form(name=first.name, short_name=first.short_name,
                               feature_on_home_page="on",
                               **{"phases-TOTAL_FORMS": "0", "phases-INITIAL_FORMS": "0"}))
    first.refresh_from_db()
    assert first.is_featured and not Programme.objects.get(short_name="BMP").is_featured
    # Each change went through the services, which recorded it.
    assert AuditEvent.objects.filter(action="programme.update", target_id=first.pk).exists()


@pytest.mark.parametrize("model, make", [
    ("programme", ProgrammeFactory),
    ("programmephase", lambda: ProgrammePhase.objects.create(
        programme=ProgrammeFactory(), number=1, name="One", starts_on=timezone.localdate())),
    ("workstream", WorkstreamFactory),
    ("joinrequest", JoinRequestFactory),
    ("workstreammembership", WorkstreamMembershipFactory),
    ("workstreammeeting", lambda: WorkstreamMeeting.objects.create(
        workstream=WorkstreamFactory(), title="Steering", starts_at=timezone.now())),
    ("workstreamdocument", lambda: WorkstreamDocument.objects.create(
        workstream=WorkstreamFactory(), title="Roadmap",
        file=SimpleUploadedFile("roadmap.txt", b"Plans."))),
])
def test_every_change_page_and_add_page_opens(office, model, make):
    obj = make()
    assert office.get(url(model, "change", obj.pk)).status_code == 200
    can_add = model not in {"joinrequest", "workstreammembership"}
    assert office.get(url(model, "add")).status_code == (200 if can_add else 403)


def test_the_update_services_refuse_what_they_do_not_change_in_words():
    from cluster_portal.core.actors import SYSTEM
    from cluster_portal.core.exceptions import ApplicationError
    from workstreams.services import programme_update

    programme = ProgrammeFactory(short_name="PIPS")
    with pytest.raises(ApplicationError, match="slug"):
        programme_update(actor=SYSTEM, programme=programme, slug="elsewhere")
    programme.refresh_from_db()
    assert programme.slug == "pips"
