from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils.timezone import localdate

from cluster_portal.accounts.models import User
from cluster_portal.accounts.permissions import is_programme_admin, is_programme_staff
from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Notification
from partners.entitlements import entitlements_of
from partners.models import (
    Agreement,
    Invitation,
    Organisation,
    OrganisationMembership,
    PersonRequest,
)
from partners.selectors import organisation_has_signed_consortium_agreement
from projects.models import (
    Contribution,
    Deliverable,
    Milestone,
    Project,
    ProjectTransition,
    StatusUpdate,
)
from projects.permissions import is_on_team, organisation_ids_of
from workstreams.models import (
    JoinRequest,
    Programme,
    ProgrammePhase,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMembership,
)

pytestmark = pytest.mark.django_db

MODELS = [User, EmailAddress, Organisation, OrganisationMembership, Programme, ProgrammePhase,
          Workstream, Agreement, Invitation, PersonRequest, JoinRequest, WorkstreamMembership,
          WorkstreamMeeting, WorkstreamDocument, Notification, AuditEvent, Project, Milestone,
          Deliverable, StatusUpdate, Contribution, ProjectTransition]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_gives_the_same_counts():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first

    assert first["Workstream"] == 10
    assert Workstream.objects.filter(status="active", kind="workstream").count() == 5
    assert Workstream.objects.filter(status="planned", kind="platform").count() == 5
    assert first["Organisation"] == 12
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind)
    assert "cluster-demo-2026" in output.getvalue()
    assert "3 join requests in the queue, 2 open invitations" in output.getvalue()


def test_seed_demo_sends_the_invitation_emails_once(django_capture_on_commit_callbacks):
    def invitations():
        return [message for message in mail.outbox if "/partners/invitations/" in message.body]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    assert sorted(message.to[0] for message in invitations()) == [
        "r.krishnan@example.org", "wei.ling.tan@example.org"]
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    assert len(mail.outbox) == sent  # a second run changes nothing, so it tells nobody


def test_seed_demo_gives_organisations_terms_agreements_and_admins():
    call_command("seed_demo", stdout=StringIO())
    approved = Organisation.objects.filter(status="approved")
    statuses = set(approved.values_list("tier_status", flat=True))
    assert {"new", "current", "grace", "expired"} <= statuses
    assert Organisation.objects.get(name="Lumen Bioprocess").tier_status == "grace"
    assert Organisation.objects.get(name="Northshore Polytechnic").tier_status == "expired"
    for organisation in approved.exclude(tier=""):
        assert organisation.tier_starts_on is not None
    signed = [o for o in approved if organisation_has_signed_consortium_agreement(organisation=o)]
    assert len(signed) >= 8
    assert Agreement.objects.filter(kind="nda", status="signed").count() >= 2
    # An organisation always has an admin, and the pending one's registrant is its admin.
    for organisation in Organisation.objects.all():
        assert organisation.memberships.filter(role="admin").exists(), organisation
    tessellate = Organisation.objects.get(name="Tessellate Data")
    assert tessellate.status == "pending"
    assert tessellate.created_by == tessellate.memberships.get().person


def test_seed_demo_fills_the_workstreams_and_the_queues():
    call_command("seed_demo", stdout=StringIO())
    active = Workstream.objects.filter(status="active", kind="workstream")
    for workstream in active:
        assert workstream.memberships.filter(until__isnull=True).exists(), workstream
    meridian = Organisation.objects.get(name="Meridian Pharma Asia")
    assert 2 <= meridian.workstream_memberships.filter(until__isnull=True).count() <= 3
    # Every membership is one the organisation's tier entitles it to.
    for membership in WorkstreamMembership.objects.select_related("organisation", "workstream"):
        kinds = entitlements_of(membership.organisation).workstream_kinds
        assert membership.workstream.kind in kinds, membership

    pending = JoinRequest.objects.filter(status="pending")
    assert pending.count() == 3
    assert pending.filter(organisation=meridian,
                          requested_by__email="partner.admin@example.org").exists()
    assert Invitation.objects.filter(organisation=meridian, accepted_at__isnull=True,
                                     revoked_at__isnull=True).count() == 2
    assert PersonRequest.objects.filter(organisation=meridian, status="pending",
                                        person__email="trainee@example.org").exists()
    assert Workstream.objects.filter(lead__email="staff@example.org").count() >= 2
    cm = Workstream.objects.get(code="CM")
    assert cm.meetings.count() == 2
    document = cm.documents.get()
    assert document.uploaded_by.email == "staff@example.org"
    assert b"roadmap" in document.file.read()
    # The demo staff have no authenticator yet (they set it up on first sign-in), so they may
    # not see requests and are not told of them; the queue holds them. Meridian's admin hears
    # of the trainee's request.
    assert Notification.objects.filter(recipient__email="staff@example.org",
                                       kind="join_request_submitted").count() == 0
    assert JoinRequest.objects.filter(status="pending").count() == 3
    assert Notification.objects.filter(recipient__email="partner.admin@example.org",
                                       kind="person_requested").count() == 1


def test_seed_demo_gives_one_person_per_role_who_can_sign_in(client):
    call_command("seed_demo", stdout=StringIO())
    assert is_programme_admin(User.objects.get(email="admin@example.org"))
    staff = User.objects.get(email="staff@example.org")
    assert is_programme_staff(staff) and not is_programme_admin(staff)
    partner_admin = OrganisationMembership.objects.get(person__email="partner.admin@example.org")
    assert partner_admin.role == "admin"
    response = client.post(
        "/accounts/login/", {"login": "trainee@example.org", "password": "cluster-demo-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"


@pytest.mark.parametrize("email", ["admin@example.org", "staff@example.org",
                                   "partner.admin@example.org"])
def test_seed_demo_people_still_sign_in_after_a_second_seed(client, email):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    response = client.post("/accounts/login/", {"login": email, "password": "cluster-demo-2026"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=email).pk


def test_seed_demo_refuses_with_debug_off_unless_told(settings):
    settings.TESTING = False
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0


def test_seed_demo_gives_projects_in_every_state_with_their_work():
    call_command("seed_demo", stdout=StringIO())
    projects = Project.objects.select_related("workstream")
    assert set(projects.values_list("status", flat=True)) == set(Project.Status.values)
    assert projects.filter(status="active").count() == 3
    assert {p.workstream.code for p in projects} == {"BC", "CM", "DF", "PE", "PO"}
    for project in projects:
        assert project.code.startswith(f"PIPS-{project.workstream.code}-"), project.code
        participants = set(project.participations.values_list("organisation_id", flat=True))
        members = set(project.workstream.memberships.filter(until__isnull=True)
                      .values_list("organisation_id", flat=True))
        assert participants <= members, project
        assert project.skill_needs.exists(), project
        assert is_on_team(project.principal_investigator, project)
        assert organisation_ids_of(project.principal_investigator) & participants
        assert project.officer.email == "staff@example.org"
    # Plans with overdue and reached milestones, deliverables in every acceptance state, each
    # handed over with its file.
    overdue = Milestone.objects.filter(completed_on__isnull=True, due_on__lt=localdate())
    assert overdue.filter(project__status="active").exists()
    assert Milestone.objects.filter(completed_on__isnull=False).exists()
    assert set(Deliverable.objects.values_list("status", flat=True)) == set(
        Deliverable.Status.values)
    for deliverable in Deliverable.objects.exclude(status="pending"):
        assert deliverable.file.read().startswith(b"%PDF-"), deliverable
    assert Deliverable.objects.filter(status="submitted", late_justification__gt="").exists()
    # Monthly updates with red, amber and green, the projects' TRL moved on by them.
    assert set(StatusUpdate.objects.values_list("overall", flat=True)) == {"red", "amber",
                                                                          "green"}
    for project in projects.filter(status__in=["active", "on_hold", "completed"]):
        latest = project.status_updates.order_by("-period").first()
        assert latest is not None, project
        assert project.latest_rag == latest.overall
        assert project.trl_current > project.trl_start, project
    # Contributions in cash and in kind, committed and partly given, from participants only.
    assert set(Contribution.objects.values_list("kind", flat=True)) == {"cash", "in_kind"}
    assert Contribution.objects.filter(actual_sgd__lt=F("committed_sgd")).exists()
    assert Contribution.objects.filter(actual_sgd=F("committed_sgd"), actual_sgd__gt=0).exists()
    for contribution in Contribution.objects.select_related("project"):
        assert contribution.project.participations.filter(
            organisation=contribution.organisation_id).exists()
    cancelled = projects.get(status="cancelled")
    assert cancelled.transitions.get(to_status="cancelled").reason
