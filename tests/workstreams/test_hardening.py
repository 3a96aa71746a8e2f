"""Workstreams rules that must hold whatever the order of events: members-only files are never
public, joining conditions are checked again at approval, an end reason stays private, and
malformed filters answer without error."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from rest_framework.test import APIClient

from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import NotAllowed
from cluster_portal.notifications.models import Notification
from partners.models import Agreement
from tests.factories import (
    JoinRequestFactory,
    OrganisationMembershipFactory,
    ProgrammeFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from workstreams.models import WorkstreamDocument, WorkstreamMembership
from workstreams.services import (
    join_request_approve,
    workstream_create,
    workstream_membership_end,
)

pytestmark = pytest.mark.django_db


def test_documents_are_kept_in_the_private_storage_never_under_media():
    workstream = WorkstreamFactory()
    document = WorkstreamDocument(workstream=workstream, title="Minutes")
    document.file.save("minutes.txt", ContentFile(b"confidential"), save=True)
    assert document.file.storage is storages["private"]
    assert storages["private"].exists(document.file.name)
    assert not default_storage.exists(document.file.name)


def test_approval_checks_the_joining_conditions_again(mfa_staff_user):
    join_request = JoinRequestFactory()
    Agreement.objects.filter(organisation=join_request.organisation).update(status="terminated")
    with pytest.raises(NotAllowed) as refused:
        join_request_approve(actor=mfa_staff_user, join_request=join_request, role="core")
    assert "consortium agreement" in refused.value.message
    join_request.refresh_from_db()
    assert join_request.status == "pending"
    assert not WorkstreamMembership.objects.exists()


def test_a_requester_who_has_left_hears_nothing_of_the_decision(mfa_staff_user):
    join_request = JoinRequestFactory()
    admin = OrganisationMembershipFactory(organisation=join_request.organisation,
                                          role="admin").person
    join_request_approve(actor=mfa_staff_user, join_request=join_request, role="core")
    told = set(Notification.objects.filter(kind="join_request_decided")
               .values_list("recipient", flat=True))
    assert told == {admin.pk}  # the requester was never a member of the organisation


def test_the_reason_a_membership_ended_is_not_in_the_api(mfa_staff_user):
    membership = WorkstreamMembershipFactory()
    workstream_membership_end(actor=mfa_staff_user, membership=membership,
                              reason="Breached the code of conduct")
    for client in (APIClient(), _signed_in(mfa_staff_user)):
        body = client.get("/api/v1/workstream-memberships/").content.decode()
        assert "Breached" not in body
        assert "end_reason" not in body


def test_a_nul_in_the_queue_filter_shows_the_whole_queue(client, mfa_staff_user):
    join_request = JoinRequestFactory()
    client.force_login(mfa_staff_user)
    response = client.get("/workstreams/queue/?workstream=%00")
    assert response.status_code == 200
    assert join_request.organisation.name in response.content.decode()


def test_a_workstream_never_takes_a_slug_the_urls_use():
    workstream = workstream_create(actor=SYSTEM, programme=ProgrammeFactory(), name="Queue",
                                   code="QU", summary="Queueing theory for plant logistics.")
    assert workstream.slug == "queue-workstream"


def _signed_in(person) -> APIClient:
    client = APIClient()
    client.force_login(person)
    return client


def test_the_join_page_says_why_instead_of_offering_a_form_that_must_refuse(client):
    membership = WorkstreamMembershipFactory(organisation__ready_to_join=True)
    admin = OrganisationMembershipFactory(organisation=membership.organisation,
                                          role="admin").person
    client.force_login(admin)
    response = client.get(f"/workstreams/{membership.workstream.slug}/join/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "is already a member of" in page
    assert "Send the request" not in page


def test_pages_never_load_the_debug_helper_that_would_replace_a_page_with_a_fragment(
        client, settings):
    settings.DEBUG = True
    page = client.get("/").content.decode()
    assert "django_htmx/htmx-2.min.js" in page
    assert "django-htmx.js" not in page


def test_the_members_area_marks_past_meetings(client, mfa_staff_user):
    import datetime

    from django.utils import timezone

    from workstreams.models import WorkstreamMeeting

    workstream = WorkstreamFactory()
    now = timezone.now()
    WorkstreamMeeting.objects.create(workstream=workstream, title="Kick-off",
                                     starts_at=now - datetime.timedelta(days=7))
    WorkstreamMeeting.objects.create(workstream=workstream, title="Review",
                                     starts_at=now + datetime.timedelta(days=7))
    client.force_login(mfa_staff_user)
    page = client.get(f"/workstreams/{workstream.slug}/members/").content.decode()
    assert page.count(">Past</span>") == 1
    assert page.index("Kick-off") < page.index(">Past</span>") < page.index("Review") or \
        page.index("Review") < page.index("Kick-off") < page.index(">Past</span>")


def test_a_refused_approval_shows_in_the_htmx_row(client, mfa_staff_user):
    join_request = JoinRequestFactory()
    Agreement.objects.filter(organisation=join_request.organisation).update(status="terminated")
    client.force_login(mfa_staff_user)
    response = client.post(f"/workstreams/requests/{join_request.pk}/approve/", {"role": "core"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 409  # one of the statuses htmx swaps in place
    assert "consortium agreement" in response.content.decode()
    assert not WorkstreamMembership.objects.exists()
