"""Writing to a workstream's lead from its members' area: the message reaches the lead (or the
programme office when there is none) through the outbox with Reply-To the sender; the page never
shows the lead's address; it is audited and limited to a few messages an hour."""

import pytest
from django.core import mail
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, NotAllowed, RateLimited
from cluster_portal.notifications.models import Notification, OutgoingEmail
from tests.conftest import activate_totp
from tests.factories import (
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from workstreams import notification_kinds
from workstreams.services import CONTACT_LIMIT, workstream_lead_contact

pytestmark = pytest.mark.django_db

CONTACTED = notification_kinds.WORKSTREAM_LEAD_CONTACTED.key


def url(name, *args):
    return reverse(f"workstreams:{name}", args=args)


def staff_with_mfa(**fields):
    person = UserFactory(role="programme_staff", **fields)
    activate_totp(person)
    return person


@pytest.fixture
def lead(db):
    return staff_with_mfa(full_name="Dr Lena Lead", email="lena.lead@programme.example")


@pytest.fixture
def membership(lead):
    return WorkstreamMembershipFactory(
        workstream=WorkstreamFactory(name="Continuous Manufacturing", lead=lead))


@pytest.fixture
def workstream(membership):
    return membership.workstream


@pytest.fixture
def member(membership):
    return OrganisationMembershipFactory(
        organisation=membership.organisation, person__full_name="Mei Member",
        person__email="mei@acme.example").person


def write(client, workstream, subject="Pilot line data", message="Could we present on 3 May?"):
    return client.post(url("contact_lead", workstream.slug),
                       {"subject": subject, "message": message})


def test_a_member_writes_to_the_lead_who_can_reply_straight_to_them(
        client, workstream, member, lead, membership, django_capture_on_commit_callbacks):
    client.force_login(member)
    members_area = client.get(url("members", workstream.slug)).content.decode()
    assert url("contact_lead", workstream.slug) in members_area
    page = client.get(url("contact_lead", workstream.slug)).content.decode()
    assert "Dr Lena Lead" in page
    assert lead.email not in page and lead.email not in members_area

    with django_capture_on_commit_callbacks(execute=True):
        response = write(client, workstream)

    assert response.status_code == 302 and response["Location"] == url("members",
                                                                        workstream.slug)
    [message] = mail.outbox
    assert message.to == [lead.email]
    assert message.reply_to == [member.email]
    assert "Continuous Manufacturing: Pilot line data" in message.subject
    assert "Could we present on 3 May?" in message.body
    assert f"Mei Member (mei@acme.example, {membership.organisation.name})" in message.body
    assert OutgoingEmail.objects.get(kind=CONTACTED).reply_to == member.email
    notice = Notification.objects.get(kind=CONTACTED)
    assert notice.recipient == lead and notice.actor == member
    event = AuditEvent.objects.get(action="workstream.lead_contact")
    assert event.actor == member and event.target_id == workstream.pk
    assert event.changes == {"subject": "Pilot line data", "to": "lead",
                             "recipients": [lead.pk]}
    # The page that follows thanks the sender without naming the lead's address either.
    followed = client.get(response["Location"]).content.decode()
    assert "Your message is on its way" in followed and lead.email not in followed


def test_without_a_lead_the_programme_office_reads_it(client, member, workstream, lead):
    workstream.lead = None
    workstream.save(update_fields=["lead"])
    office = [staff_with_mfa(), staff_with_mfa()]
    UserFactory(role="programme_staff")  # without a second factor: not told

    client.force_login(member)
    assert "the programme office" in client.get(url("contact_lead",
                                                    workstream.slug)).content.decode()
    write(client, workstream)

    notices = Notification.objects.filter(kind=CONTACTED)
    # Every programme staff member who may act: the former lead among them.
    assert {notice.recipient for notice in notices} == {*office, lead}
    assert set(OutgoingEmail.objects.filter(kind=CONTACTED).values_list("reply_to", flat=True)) \
        == {member.email}
    assert "which has no lead" in OutgoingEmail.objects.filter(kind=CONTACTED).first().body_text


def test_a_lead_without_a_second_factor_is_replaced_by_the_programme_office(member, workstream,
                                                                            lead):
    without_mfa = UserFactory(role="programme_staff")
    workstream.lead = without_mfa
    workstream.save(update_fields=["lead"])
    office = staff_with_mfa()
    workstream_lead_contact(actor=member, workstream=workstream, subject="Hello",
                            message="A question.")
    recipients = {notice.recipient for notice in Notification.objects.filter(kind=CONTACTED)}
    assert recipients == {office, lead} and without_mfa not in recipients


def test_a_person_may_write_a_few_times_an_hour_and_then_is_asked_to_wait(client, member,
                                                                         workstream):
    client.force_login(member)
    for number in range(CONTACT_LIMIT):
        assert write(client, workstream, subject=f"Question {number}").status_code == 302

    response = write(client, workstream, subject="One more")

    assert response.status_code == 429
    assert "Please write again later." in response.content.decode()
    assert "One more" in response.content.decode()  # what they typed is kept
    assert Notification.objects.filter(kind=CONTACTED).count() == CONTACT_LIMIT
    assert AuditEvent.objects.filter(action="workstream.lead_contact").count() == CONTACT_LIMIT
    with pytest.raises(RateLimited):
        workstream_lead_contact(actor=member, workstream=workstream, subject="Again",
                                message="Again.")
    # Another member of the same organisation has their own allowance.
    colleague = OrganisationMembershipFactory(organisation=member.organisation_memberships
                                              .get().organisation).person
    workstream_lead_contact(actor=colleague, workstream=workstream, subject="Mine",
                            message="My own question.")


@pytest.mark.parametrize("subject, message, field, text", [
    ("", "A question.", "subject", "This field is required."),
    ("Hello", "", "message", "This field is required."),
    ("Hello", "x" * 5001, "message", "at most 5000 characters"),
    ("Hello", "Bell \x07 inside", "message", "Remove the control characters"),
])
def test_what_is_wrong_is_said_beside_the_field(client, member, workstream, lead, subject,
                                                message, field, text):
    client.force_login(member)
    response = write(client, workstream, subject=subject, message=message)
    assert response.status_code == 400
    assert text in " ".join(response.context["form"].errors[field])
    assert lead.email not in response.content.decode()
    assert not Notification.objects.filter(kind=CONTACTED).exists()


def test_the_service_refuses_a_line_break_in_the_subject(member, workstream):
    with pytest.raises(ApplicationError) as refused:
        workstream_lead_contact(actor=member, workstream=workstream,
                                subject="Hello\nBcc: everyone@example.org", message="Hi.")
    assert "subject" in refused.value.fields
    assert not Notification.objects.filter(kind=CONTACTED).exists()


def test_only_the_people_of_member_organisations_write(client, workstream, mfa_staff_user):
    outsider = OrganisationMembershipFactory().person
    for person in (outsider, mfa_staff_user, UserFactory()):
        with pytest.raises(NotAllowed):
            workstream_lead_contact(actor=person, workstream=workstream, subject="Hi",
                                    message="Hello.")
        client.force_login(person)
        assert client.get(url("contact_lead", workstream.slug)).status_code == 403
        assert write(client, workstream).status_code == 403
    client.logout()
    assert client.get(url("contact_lead", workstream.slug)).status_code == 302  # sign in first
    assert not Notification.objects.filter(kind=CONTACTED).exists()
