"""The workstreams API through the client: the whole join workflow, its refusals in the common
error format, concurrent decisions, query counts, and the OpenAPI schema."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS

from cluster_portal.notifications.models import Notification
from tests.conftest import activate_totp
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.api import assert_error, client_for
from tests.support.races import race
from workstreams.models import JoinRequest, WorkstreamMembership
from workstreams.services import join_request_approve, workstream_membership_end

pytestmark = pytest.mark.django_db


def admin_of(organisation):
    return OrganisationMembershipFactory(organisation=organisation, role="admin").person


def ask(client, organisation, workstream, overrides=None):
    return client.post(
        "/api/v1/join-requests/",
        {"organisation": organisation.slug, "workstream": workstream.slug,
         "motivation": "We bring a continuous pilot line.",
         "code_of_conduct_acknowledged": True, **(overrides or {})},
        format="json",
    )


def test_the_whole_join_workflow(mfa_staff_user):
    organisation = OrganisationFactory(ready_to_join=True, name="Helix")
    partner_admin = admin_of(organisation)
    workstream = WorkstreamFactory(slug="continuous-manufacturing", lead=mfa_staff_user)
    partner = client_for(partner_admin)
    staff = client_for(mfa_staff_user)

    # The partner admin asks; the workstream's lead is told.
    response = ask(partner, organisation, workstream)
    assert response.status_code == 201
    request_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert response.json()["requested_by"]["id"] == partner_admin.pk
    assert response.json()["code_of_conduct_acknowledged_at"]
    assert Notification.objects.filter(recipient=mfa_staff_user,
                                       kind="join_request_submitted").exists()

    # Staff see it in the queue and approve it with a role.
    queue = staff.get("/api/v1/join-requests/?status=pending").json()["results"]
    assert [r["id"] for r in queue] == [request_id]
    response = staff.post(f"/api/v1/join-requests/{request_id}/approve/",
                          {"role": "associate"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["granted_role"] == "associate"
    assert response.json()["decided_by"]["id"] == mfa_staff_user.pk
    assert staff.get("/api/v1/join-requests/?status=pending").json()["count"] == 0

    # The membership appears, to the partner and to anyone (the organisation is listed).
    for client in (partner, client_for()):
        memberships = client.get(
            f"/api/v1/workstream-memberships/?workstream={workstream.slug}&active=true"
        ).json()["results"]
        assert [(m["organisation"]["slug"], m["role"], m["active"]) for m in memberships] == [
            (organisation.slug, "associate", True)]
    membership_id = memberships[0]["id"]
    assert memberships[0]["join_request"] == request_id
    assert Notification.objects.filter(recipient=partner_admin,
                                       kind="join_request_decided").exists()

    # A decided request can no longer be withdrawn.
    response = partner.post(f"/api/v1/join-requests/{request_id}/withdraw/")
    body = assert_error(response, 409, "already_decided")
    assert body["message"] == "This request was already approved."

    # Staff end the membership, with a reason the organisation's admins are told.
    response = staff.post(f"/api/v1/workstream-memberships/{membership_id}/end/",
                          {"reason": "The organisation left the programme."}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert response.json()["until"] is not None
    assert partner.get("/api/v1/workstream-memberships/?active=true").json()["count"] == 0
    assert partner.get("/api/v1/workstream-memberships/?active=false").json()["count"] == 1
    assert_error(staff.post(f"/api/v1/workstream-memberships/{membership_id}/end/", {},
                            format="json"), 409, "already_ended")
    assert Notification.objects.filter(recipient=partner_admin,
                                       kind="workstream_membership_ended").exists()


def test_a_pending_request_is_withdrawn_by_its_organisation():
    join_request = JoinRequestFactory()
    partner = client_for(admin_of(join_request.organisation))

    response = partner.post(f"/api/v1/join-requests/{join_request.pk}/withdraw/")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_approving_an_already_decided_request_is_a_409_and_changes_nothing(mfa_staff_user):
    join_request = JoinRequestFactory()
    staff = client_for(mfa_staff_user)
    staff.post(f"/api/v1/join-requests/{join_request.pk}/decline/",
               {"reason": "Not a fit for this workstream."}, format="json")

    response = staff.post(f"/api/v1/join-requests/{join_request.pk}/approve/", {"role": "core"},
                          format="json")

    body = assert_error(response, 409, "already_decided")
    assert body == {"code": "already_decided", "message": "This request was already declined.",
                    "fields": {}}
    join_request.refresh_from_db()
    assert join_request.status == "declined"
    assert not WorkstreamMembership.objects.exists()


def test_declining_needs_a_reason_and_approving_a_known_role(mfa_staff_user):
    join_request = JoinRequestFactory()
    staff = client_for(mfa_staff_user)

    body = assert_error(staff.post(f"/api/v1/join-requests/{join_request.pk}/decline/",
                                   {"reason": ""}, format="json"), 400)
    assert "reason" in body["fields"]
    body = assert_error(staff.post(f"/api/v1/join-requests/{join_request.pk}/approve/",
                                   {"role": "chair"}, format="json"), 400)
    assert list(body["fields"]) == ["role"]
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_joining_a_workstream_the_organisation_is_already_in_is_a_409():
    organisation = OrganisationFactory(ready_to_join=True)
    workstream = WorkstreamFactory()
    WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)

    response = ask(client_for(admin_of(organisation)), organisation, workstream)

    body = assert_error(response, 409, "already_member")
    assert "already a member" in body["message"]
    assert not JoinRequest.objects.exists()


def test_asking_twice_is_a_409():
    organisation = OrganisationFactory(ready_to_join=True)
    workstream = WorkstreamFactory()
    partner = client_for(admin_of(organisation))
    assert ask(partner, organisation, workstream).status_code == 201

    assert_error(ask(partner, organisation, workstream), 409, "already_requested")
    assert JoinRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code_of_conduct_acknowledged": False}, "code_of_conduct_acknowledged"),
        ({"motivation": "  "}, "motivation"),
        ({"workstream": "no-such-workstream"}, "workstream"),
        ({"organisation": "no-such-organisation"}, "organisation"),
        ({"code_of_conduct_acknowledged": "maybe"}, "code_of_conduct_acknowledged"),
    ],
)
def test_a_bad_join_request_is_a_400_on_its_field(overrides, field):
    organisation = OrganisationFactory(ready_to_join=True)

    response = ask(client_for(admin_of(organisation)), organisation, WorkstreamFactory(),
                   overrides)

    body = assert_error(response, 400)
    assert list(body["fields"]) == [field]
    assert not JoinRequest.objects.exists()


def test_malformed_json_on_a_join_request_is_a_400():
    organisation = OrganisationFactory(ready_to_join=True)
    response = client_for(admin_of(organisation)).post(
        "/api/v1/join-requests/", data="{'organisation': 1}", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")
    assert not JoinRequest.objects.exists()


def test_the_services_refusals_reach_the_client():
    no_agreement = OrganisationFactory()  # approved, current tier, no consortium agreement
    ready = OrganisationFactory(ready_to_join=True, tier="associate")

    body = assert_error(ask(client_for(admin_of(no_agreement)), no_agreement,
                            WorkstreamFactory()), 403, "no_consortium_agreement")
    assert "consortium agreement" in body["message"]
    assert_error(ask(client_for(admin_of(ready)), ready, WorkstreamFactory()), 403,
                 "not_entitled")
    assert_error(ask(client_for(admin_of(ready)), ready,
                     WorkstreamFactory(status="planned", kind="platform")),
                 409, "workstream_not_active")
    assert not JoinRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_make_exactly_one_membership():
    join_request = JoinRequestFactory()
    reviewers = [UserFactory(role="programme_staff") for _ in range(2)]
    for reviewer in reviewers:
        activate_totp(reviewer)

    outcomes = race(*(
        lambda reviewer=reviewer: join_request_approve(
            actor=reviewer, join_request=join_request, role="core")
        for reviewer in reviewers
    ))

    memberships = [o for o in outcomes if isinstance(o, WorkstreamMembership)]
    refusals = [o for o in outcomes if not isinstance(o, WorkstreamMembership)]
    assert len(memberships) == 1
    assert [type(r).__name__ for r in refusals] == ["Conflict"]
    assert refusals[0].code == "already_decided"
    assert WorkstreamMembership.objects.filter(
        organisation=join_request.organisation, workstream=join_request.workstream).count() == 1
    join_request.refresh_from_db()
    assert join_request.status == "approved"


# --- Workstreams ------------------------------------------------------------------------------


def test_a_programme_admin_activates_a_planned_platform(mfa_admin_user, mfa_staff_user):
    platform = WorkstreamFactory(status="planned", kind="platform")
    url = f"/api/v1/workstreams/{platform.slug}/activate/"

    assert_error(client_for(mfa_staff_user).post(url), 403, "permission_denied")
    response = client_for(mfa_admin_user).post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert_error(client_for(mfa_admin_user).post(url), 409)


def test_member_counts_count_only_organisations_the_caller_may_see(mfa_staff_user):
    workstream = WorkstreamFactory()
    WorkstreamMembershipFactory(workstream=workstream, organisation=OrganisationFactory())
    hidden = OrganisationFactory(is_listed=False)
    WorkstreamMembershipFactory(workstream=workstream, organisation=hidden)
    ended = WorkstreamMembershipFactory(workstream=workstream)
    workstream_membership_end(actor=mfa_staff_user, membership=ended)
    hidden_member = OrganisationMembershipFactory(organisation=hidden).person
    url = f"/api/v1/workstreams/{workstream.slug}/"

    assert client_for().get(url).json()["member_count"] == 1
    assert client_for(hidden_member).get(url).json()["member_count"] == 2
    assert client_for(mfa_staff_user).get(url).json()["member_count"] == 2


def test_workstreams_filter_and_search():
    parent = WorkstreamFactory(name="Digital Factory", slug="digital-factory")
    child = WorkstreamFactory(name="Advanced Process Control", parent=parent, kind="theme",
                              status="planned", summary="Model-predictive control.")
    WorkstreamFactory(name="Biocatalysis", kind="workstream")
    client = client_for()

    def slugs(query):
        return [w["slug"] for w in client.get(f"/api/v1/workstreams/{query}").json()["results"]]

    assert slugs("?parent=digital-factory") == [child.slug]
    assert slugs("?kind=theme&status=planned") == [child.slug]
    assert slugs("?search=predictive") == [child.slug]
    body = client.get(f"/api/v1/workstreams/{child.slug}/").json()
    assert body["parent"] == "digital-factory"
    assert_error(client.get("/api/v1/workstreams/no-such-thing/"), 404, "not_found")


def test_join_requests_and_memberships_filter(mfa_staff_user):
    first, second = OrganisationFactory(ready_to_join=True), OrganisationFactory(ready_to_join=True)
    cm, df = WorkstreamFactory(), WorkstreamFactory()
    wanted = JoinRequestFactory(organisation=first, workstream=cm)
    JoinRequestFactory(organisation=second, workstream=cm)
    JoinRequestFactory(organisation=first, workstream=df)
    core = WorkstreamMembershipFactory(organisation=first, workstream=df, role="core")
    WorkstreamMembershipFactory(organisation=second, workstream=df, role="observer")
    staff = client_for(mfa_staff_user)

    requests = staff.get(f"/api/v1/join-requests/?organisation={first.slug}"
                         f"&workstream={cm.slug}&status=pending").json()["results"]
    memberships = staff.get(f"/api/v1/workstream-memberships/?workstream={df.slug}"
                            f"&role=core&organisation={first.slug}").json()["results"]

    assert [r["id"] for r in requests] == [wanted.pk]
    assert [m["id"] for m in memberships] == [core.pk]
    assert_error(staff.get("/api/v1/join-requests/?status=maybe"), 400)


# --- Query counts -----------------------------------------------------------------------------


def _count_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


def _assert_constant(client, url, add_rows):
    add_rows(3)
    few, count_few = _count_queries(client, url)
    add_rows(6)
    many, count_many = _count_queries(client, url)
    assert count_many == count_few + 6
    assert many == few, f"{url}: {few} queries for {count_few} rows, {many} for {count_many}"


@pytest.mark.parametrize("viewer", ["visitor", "member", "staff"])
def test_the_workstream_list_costs_the_same_queries_for_more_rows(viewer, mfa_staff_user):
    own = OrganisationFactory(is_listed=False)
    person = {"visitor": None, "member": admin_of(own), "staff": mfa_staff_user}[viewer]

    parent = WorkstreamFactory(kind="workstream")

    def add_rows(n):
        for _ in range(n):
            workstream = WorkstreamFactory(lead=UserFactory(), parent=parent, kind="theme")
            WorkstreamMembershipFactory(workstream=workstream, organisation=own)
            WorkstreamMembershipFactory(workstream=workstream)

    _assert_constant(client_for(person), "/api/v1/workstreams/?kind=theme", add_rows)


@pytest.mark.parametrize("viewer", ["partner_admin", "staff"])
def test_the_join_request_list_costs_the_same_queries_for_more_rows(viewer, mfa_staff_user):
    own = OrganisationFactory(ready_to_join=True)
    person = {"partner_admin": admin_of(own), "staff": mfa_staff_user}[viewer]

    def add_rows(n):
        JoinRequestFactory.create_batch(n, organisation=own, decided_by=UserFactory())

    _assert_constant(client_for(person), "/api/v1/join-requests/", add_rows)


@pytest.mark.parametrize("viewer", ["visitor", "member", "staff"])
def test_the_workstream_membership_list_costs_the_same_queries_for_more_rows(
        viewer, mfa_staff_user):
    own = OrganisationFactory()
    person = {"visitor": None, "member": admin_of(own), "staff": mfa_staff_user}[viewer]

    def add_rows(n):
        for _ in range(n):
            WorkstreamMembershipFactory(organisation=own, join_request=JoinRequestFactory(
                organisation=own, status="approved"))

    _assert_constant(client_for(person), "/api/v1/workstream-memberships/", add_rows)


# --- The schema -------------------------------------------------------------------------------


def test_the_openapi_schema_builds_without_warnings_and_documents_the_api(tmp_path):
    GENERATOR_STATS.reset()  # count only this build's warnings
    schema_file = tmp_path / "schema.json"

    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
                 "--file", str(schema_file))

    schema = json.loads(schema_file.read_text())
    paths = schema["paths"]
    for path in [
        "/api/v1/organisations/", "/api/v1/organisations/{slug}/",
        "/api/v1/organisations/{slug}/approve/", "/api/v1/organisations/{slug}/decline/",
        "/api/v1/organisation-memberships/{id}/", "/api/v1/invitations/",
        "/api/v1/invitations/accept/", "/api/v1/invitations/import/",
        "/api/v1/invitations/{id}/revoke/", "/api/v1/person-requests/{id}/approve/",
        "/api/v1/agreements/", "/api/v1/workstreams/{slug}/activate/",
        "/api/v1/join-requests/", "/api/v1/join-requests/{id}/approve/",
        "/api/v1/join-requests/{id}/decline/", "/api/v1/join-requests/{id}/withdraw/",
        "/api/v1/workstream-memberships/{id}/end/", "/api/v1/notifications/{id}/mark-read/",
    ]:
        assert path in paths, path
    approve = paths["/api/v1/join-requests/{id}/approve/"]["post"]
    assert approve["summary"] == "Approve a join request"
    # Its own errors, and those every operation that reads a body can answer (413, 415, 429).
    assert set(approve["responses"]) == {"200", "400", "401", "403", "404", "409", "413", "415",
                                         "429"}
    conflict = approve["responses"]["409"]["content"]["application/json"]
    assert conflict["schema"] == {"$ref": "#/components/schemas/Error"}
    assert conflict["examples"]["AlreadyDecided"]["value"]["code"] == "already_decided"
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {
        "code", "message", "fields"}
    register = paths["/api/v1/organisations/"]["post"]["requestBody"]["content"]
    assert register["application/json"]["examples"]["RegisterAnOrganisation"]["value"]["uen"]
    accept = paths["/api/v1/invitations/accept/"]["post"]
    assert "token" in accept["requestBody"]["content"]["application/json"]["examples"][
        "AcceptAnInvitation"]["value"]
    assert {"invitation_used", "invitation_expired"} <= {
        example["value"]["code"] for example in
        accept["responses"]["409"]["content"]["application/json"]["examples"].values()}
    join = paths["/api/v1/join-requests/"]["post"]["requestBody"]["content"]
    assert join["application/json"]["examples"]["AskToJoinAWorkstream"]["value"][
        "code_of_conduct_acknowledged"] is True
    logo = paths["/api/v1/organisations/{slug}/"]["patch"]["requestBody"]["content"]
    assert "multipart/form-data" in logo


def test_the_schema_endpoint_serves_the_new_paths(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/join-requests/{id}/approve/" in response.json()["paths"]


def test_join_requests_are_ordered_by_when_they_were_asked_under_the_apis_name(mfa_staff_user):
    older, newer = JoinRequestFactory(), JoinRequestFactory()
    JoinRequest.objects.filter(pk=older.pk).update(created_at="2026-01-05T09:00:00+08:00")
    client = client_for(mfa_staff_user)
    oldest_first = client.get("/api/v1/join-requests/?ordering=requested_at").json()["results"]
    newest_first = client.get("/api/v1/join-requests/?ordering=-requested_at").json()["results"]
    assert [r["id"] for r in oldest_first] == [older.pk, newer.pk]
    assert [r["id"] for r in newest_first] == [newer.pk, older.pk]
    assert oldest_first[0]["requested_at"] == "2026-01-05T09:00:00+08:00"
