"""The site's access table: every URL pattern, every role, the exact answer.

One row per URL pattern of the site, keyed by its namespace-qualified name ("partners:detail",
"api:join-requests-detail", "account_login"; an unnamed pattern by its route). A row holds one
or more cases: the objects of the world its arguments name (`kwargs`), the method and body to
send, and for each of the eight ROLES the expected answer: a status, a redirect to a named page,
or, for a list, exactly which rows come back. The Django admin's patterns are not written out one
by one: `admin_rows()` generates them from the admin site's registry and ADMIN_MODELS, the
declared capabilities of each model admin (so a model registered without a declaration has no
row, and the completeness test fails).

IDOR cases (`idor=True`) name an object the caller may not see: another organisation's
invitation, a hidden organisation, someone else's notification or API token. They expect 404
wherever the caller gets past the role's check that comes before any lookup, and the sweep also
checks that the answer is exactly the answer for an object that does not exist at all, so an
answer never tells a hidden object from a missing one.

The world (build_world) is the partners world of tests/partners/test_api_permissions.py (Xylo
Bio, approved and listed, with an admin, a member and a colleague; Other Hidden, approved but
unlisted, with its own admin and member; Pending Co, waiting for approval; Public Co, listed with
nobody of ours) plus workstreams (Continuous Manufacturing with Xylo and Other Hidden as members,
Digital Factory with a pending request from each, Biocatalysis open, Analytics a planned
platform), members-only documents, meetings with their files and calendar links, logos, a
notification and an API token for every person, training (a course, its runs, seats, a
certificate), the projects of Continuous Manufacturing (build_projects: public, members-only,
participants-only, joint and draft, with a plan, reports and each organisation's contribution),
and a row for every model the admin shows.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from PIL import Image

from cluster_portal.accounts.models import ApiToken, User
from cluster_portal.accounts.services import api_token_create
from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.notifications.models import Notification, OutgoingEmail, SuppressedAddress
from cluster_portal.notifications.services.notify import notify
from cluster_portal.notifications.unsubscribe import unsubscribe_token
from cluster_portal.reports.models import ReportJob
from partners import notification_kinds
from partners.models import (
    Agreement,
    Invitation,
    InvitationImport,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    RenewalRequest,
)
from partners.services import (
    agreement_record,
    agreement_upload_signed_copy,
    invitation_create,
    organisation_update_profile,
    renewal_request_create,
)
from projects.models import Contribution, Deliverable, Milestone, Project, StatusUpdate
from projects.services import (
    contribution_record,
    deliverable_create,
    deliverable_save_draft,
    deliverable_submit,
    milestone_create,
    project_create,
    project_transition,
    status_update_post,
)
from talent.credentials import credential_sign
from talent.models import (
    Attendance,
    Certificate,
    Course,
    CourseRun,
    Enrolment,
    LearningPath,
    LearningPathStep,
    Skill,
    WorkstreamSkillNeed,
)
from talent.services import enrolment_create, prerequisite_waive
from tests.factories import WorkstreamFactory, WorkstreamMembershipFactory
from tests.support.worlds import build_world as build_partners_world
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    SessionFactory,
    SkillFactory,
    in_days,
)
from workstreams.calendars import FEED_SALT, feed_token
from workstreams.models import (
    JoinRequest,
    ProgrammePhase,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMeetingFile,
    WorkstreamMembership,
)
from workstreams.services import join_request_create, meeting_calendar_feed_renew

ROLES = (
    "visitor",            # not signed in
    "trainee",            # signed in, acts for no organisation
    "partner_member",     # member of Xylo Bio
    "partner_admin",      # admin of Xylo Bio, the world's main organisation
    "other_org_admin",    # admin of Other Hidden (approved, unlisted): ANOTHER organisation
    "staff_without_mfa",  # programme staff who have not set up an authenticator
    "staff",              # programme staff with TOTP
    "programme_admin",    # programme admin with TOTP
)
SIGNED_IN = ROLES[1:]
PARTNERS = ("partner_member", "partner_admin", "other_org_admin")
OUTSIDERS = ("trainee", *PARTNERS)  # signed in, no programme role
STAFF = ("staff", "programme_admin")  # programme roles with MFA

MISSING_ID = 2_000_000_000
MISSING_SLUG = "no-such-thing"


# --- The world --------------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, Any]
    objects: dict[str, Any]
    tokens: dict[str, str]
    secrets: dict[str, frozenset[str]]
    _labels: dict[tuple[type, Any], str] = field(default_factory=dict)

    def __post_init__(self):
        self._labels = {(type(obj), obj.pk): label for label, obj in self.objects.items()
                        if hasattr(obj, "pk")}

    def __getitem__(self, label: str):
        return self.objects[label]

    def pk(self, label: str) -> int:
        return self.objects[label].pk

    def slug(self, label: str) -> str:
        return self.objects[label].slug

    def label_of(self, obj) -> str:
        """The world's name for `obj`; an object the world did not make is shown as such."""
        return self._labels.get((type(obj), obj.pk), f"<unlabelled {type(obj).__name__} "
                                                      f"{obj.pk}: {obj}>")

    def label_by(self, model: type, key: str, value) -> str:
        for (kind, _pk), label in self._labels.items():
            if kind is model and getattr(self.objects[label], key) == value:
                return label
        return f"<unlabelled {model.__name__} {key}={value}>"


def agreement_pdf(name: str = "agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def png_bytes(colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(out, format="PNG")
    return out.getvalue()


def build_world() -> World:
    base = build_partners_world()
    people = {
        "visitor": None,
        "trainee": base.people["trainee"],
        "partner_member": base.people["member"],
        "partner_admin": base.people["partner_admin"],
        "other_org_admin": base.memberships["hidden:admin"].person,
        "staff_without_mfa": base.people["staff_without_mfa"],
        "staff": base.people["staff"],
        "programme_admin": base.people["admin"],
    }
    xylo, hidden, pending, public = base.xylo, base.hidden, base.pending, base.public

    cm = WorkstreamFactory(name="Continuous Manufacturing", slug="cm", code="CM")
    df = WorkstreamFactory(name="Digital Factory", slug="df", programme=cm.programme)
    bc = WorkstreamFactory(name="Biocatalysis", slug="bc", programme=cm.programme)
    analytics = WorkstreamFactory(name="Analytics", slug="analytics", programme=cm.programme,
                                  kind="platform", status="planned")
    phase = ProgrammePhase.objects.create(programme=cm.programme, number=1, name="Phase one",
                                          starts_on=datetime.date(2026, 1, 1))
    ws_memberships = {
        "xylo@cm": WorkstreamMembershipFactory(organisation=xylo, workstream=cm),
        "hidden@cm": WorkstreamMembershipFactory(organisation=hidden, workstream=cm),
    }
    join_requests = {
        "xylo->df": join_request_create(
            actor=people["partner_admin"], organisation=xylo, workstream=df,
            motivation="Digital twins of our pilot line.", code_of_conduct_acknowledged=True),
        "hidden->df": join_request_create(
            actor=people["other_org_admin"], organisation=hidden, workstream=df,
            motivation="Plant historians.", code_of_conduct_acknowledged=True),
    }
    documents = {
        "cm-roadmap": WorkstreamDocument.objects.create(
            workstream=cm, title="CM roadmap", file=ContentFile(b"cm", name="cm-roadmap.pdf")),
        "df-roadmap": WorkstreamDocument.objects.create(
            workstream=df, title="DF roadmap", file=ContentFile(b"df", name="df-roadmap.pdf")),
    }
    meeting = WorkstreamMeeting.objects.create(workstream=cm, title="CM quarterly",
                                               starts_at=timezone.now())
    df_meeting = WorkstreamMeeting.objects.create(workstream=df, title="DF kick-off",
                                                  starts_at=timezone.now())
    meeting_files = {
        "cm-agenda": WorkstreamMeetingFile.objects.create(
            meeting=meeting, kind="agenda", file=ContentFile(b"%PDF-1.4", name="cm-agenda.pdf")),
        "df-minutes": WorkstreamMeetingFile.objects.create(
            meeting=df_meeting, kind="minutes",
            file=ContentFile(b"%PDF-1.4", name="df-minutes.pdf")),
    }
    # The partner member's calendar link; the partner admin's first link, replaced since; and
    # the partner member's key under another person's id, signed as the portal would.
    member_feed = meeting_calendar_feed_renew(actor=people["partner_member"])
    replaced_link = feed_token(meeting_calendar_feed_renew(actor=people["partner_admin"]))
    meeting_calendar_feed_renew(actor=people["partner_admin"])
    borrowed_key = signing.Signer(salt=FEED_SALT).sign(
        f"{people['other_org_admin'].pk}.{member_feed.key}")
    # Logos through the service, as a partner admin uploads them.
    for organisation, admin_person in ((xylo, people["partner_admin"]),
                                       (hidden, people["other_org_admin"]),
                                       (pending, base.memberships["pending:registrant"].person)):
        organisation_update_profile(
            actor=admin_person, organisation=organisation,
            logo=SimpleUploadedFile(f"{organisation.slug}.png", png_bytes(),
                                    content_type="image/png"))

    # An NDA of each organisation sent for signature with its PDF, its signed copy uploaded by
    # the organisation's admin (so there is a file to download and a copy to confirm), and a
    # request to renew from each.
    signing_and_renewals = {}
    for key, organisation, admin_person in (("xylo", xylo, people["partner_admin"]),
                                            ("hidden", hidden, people["other_org_admin"])):
        nda = agreement_record(actor=SYSTEM, organisation=organisation, kind=Agreement.Kind.NDA,
                               status=Agreement.Status.SENT, document=agreement_pdf())
        signing_and_renewals[f"agreement:{key}-nda"] = agreement_upload_signed_copy(
            actor=admin_person, agreement=nda, upload=agreement_pdf())
        signing_and_renewals[f"renewal:{key}"] = renewal_request_create(
            actor=admin_person, organisation=organisation)

    bc_membership = WorkstreamMembershipFactory(organisation=public, workstream=bc)
    # Training: a published course with a run where the partner member and the other
    # organisation's admin each have a seat, and a run of a course not yet published.
    course = CourseFactory(code="CM-101", slug="cm-101", title="Flow chemistry basics")
    course_run = CourseRunFactory(course=course, capacity=5)
    draft_run = CourseRunFactory(course=CourseFactory(code="DRAFT-1", slug="draft-1",
                                                      is_published=False))
    enrolments = {
        "enrol:member": enrolment_create(actor=people["partner_member"], run=course_run),
        "enrol:other": enrolment_create(actor=people["other_org_admin"], run=course_run),
    }
    # A session of the run, for the staff pages that change its timetable.
    run_session = SessionFactory(run=course_run, title="Day 1")
    # A certificate of the partner member's, to download, verify and revoke: a learning path's,
    # made directly, since its service issues one only after the path's runs were completed,
    # whose runs and enrolments every list of them would then show; and a mark on the run's
    # register (made directly too: the service marks a session only from its day on).
    flow_path = LearningPath.objects.create(slug="flow-path", name="Flow chemistry path")
    LearningPathStep.objects.create(path=flow_path, course=course, order=1)
    talent_records = {
        "certificate:member": Certificate.objects.create(
            serial="MEMBERCERT23", person=people["partner_member"], learning_path=flow_path,
            issued_on=timezone.localdate()),
        "attendance": Attendance.objects.create(session=run_session, present=True,
                                                enrolment=enrolments["enrol:member"]),
    }
    skill = SkillFactory(code="flow", name="Flow chemistry")
    talent_reference = {
        "skill": skill,
        "skill-need": WorkstreamSkillNeed.objects.create(workstream=cm, skill=skill, level=3),
        "waiver": prerequisite_waive(actor=SYSTEM, person=people["trainee"], course=course,
                                     reason="Years of flow chemistry at a CMO."),
    }
    projects = build_projects(cm=cm, xylo=xylo, hidden=hidden, base=base)
    signed_in = {role: person for role, person in people.items() if person is not None}
    api_tokens = {f"token:{role}": api_token_create(actor=person, name=f"{role} script")[0]
                  for role, person in signed_in.items()}
    # The services told staff of the requests above, and everyone of their new API token; the
    # world keeps exactly one notice per person, so a list of notifications is known row for
    # row.
    Notification.objects.all().delete()
    notifications = {
        f"notice:{role}": notify(recipients=[person], kind=notification_kinds.ROLE_CHANGED,
                                 message=f"A notice for the {role}.")[0]
        for role, person in signed_in.items()
    }
    # The database keeps only an invitation's digest: this one is made here to keep its link.
    link_invitation, link_token = invitation_create(
        actor=people["partner_admin"], organisation=xylo, email="link.holder@example.org")
    beat = {
        "beat:interval": IntervalSchedule.objects.create(every=10, period="minutes"),
        "beat:crontab": CrontabSchedule.objects.create(minute="15", hour="3"),
        "beat:solar": SolarSchedule.objects.create(event="sunrise", latitude=1.35,
                                                   longitude=103.8),
        "beat:clocked": ClockedSchedule.objects.create(clocked_time=timezone.now()),
    }
    beat["beat:task"] = PeriodicTask.objects.create(name="Tidy up", task="tidy",
                                                    interval=beat["beat:interval"])
    superuser = User.objects.create_superuser(email="root@example.org",
                                              password="a-Long-root-pass-phrase-9")
    suppressed = SuppressedAddress.objects.create(address="bounced@example.org",
                                                  reason="550 no such mailbox")
    # The report of a CSV import by Xylo's admin: theirs alone to read (it invited nobody, so
    # every list of invitations stays as it is).
    import_report = InvitationImport.objects.create(
        organisation=xylo, imported_by=people["partner_admin"], file_name="people.csv",
        rows=[{"line": 2, "email": "x", "outcome": "refused", "message": "Not an address."}],
        refused=1, expires_at=timezone.now() + datetime.timedelta(days=7))

    objects = {
        "xylo": xylo, "hidden": hidden, "pending": pending, "public": public,
        **base.memberships,
        **{f"invite:{key}": value for key, value in base.invitations.items()},
        **base.person_requests,
        **{f"agreement:{key}": value for key, value in base.agreements.items()},
        **signing_and_renewals,
        "cm": cm, "df": df, "bc": bc, "analytics": analytics,
        "programme": cm.programme, "phase": phase,
        **ws_memberships, "public@bc": bc_membership, **join_requests, **documents,
        "meeting": meeting, "df-meeting": df_meeting, **meeting_files,
        **notifications, **api_tokens,
        **{f"person:{role}": person for role, person in signed_in.items()},
        "requester": base.person_requests["requester->xylo"].person,
        "superuser": superuser,
        "registrant": base.memberships["pending:registrant"].person,
        "group:staff": Group.objects.get(name="Programme staff"),
        "totp:staff": Authenticator.objects.filter(user=people["staff"]).first(),
        "email:trainee": EmailAddress.objects.get(user=people["trainee"]),
        "outgoing": OutgoingEmail.objects.order_by("pk").first(),
        "suppressed": suppressed, "invite:xylo-link": link_invitation, **beat,
        "import:xylo": import_report,
        "audit": AuditEvent.objects.order_by("pk").first(),
        # A report staff asked for, still queued: theirs and the programme admins' alone.
        "report-job": ReportJob.objects.create(kind="audit_trail", format="csv",
                                               fingerprint="access-table",
                                               requester=people["staff"]),
        "course": course, "course-run": course_run, "draft-run": draft_run, **enrolments,
        "draft-course": draft_run.course, "session:course-run": run_session,
        **talent_reference, **talent_records, **projects,
    }
    tokens = {
        "invitation:xylo": link_token,
        "unsubscribe:trainee": unsubscribe_token(person=people["trainee"],
                                                 kind_key=notification_kinds.ROLE_CHANGED.key),
        "calendar:partner_member": feed_token(member_feed),
        "calendar:replaced": replaced_link,
        "calendar:borrowed_key": borrowed_key,
    }
    return World(people=people, objects=objects, tokens=tokens,
                 secrets=_secrets(base, people, objects))


# Text that marks what only some people may read of the world's projects (see _secrets).
PRIVATE_TITLE = "Confidential enzyme cascade for a hidden API"
DRAFT_TITLE = "Unannounced draft: solvent-free crystallisation"
PUBLIC_OBJECTIVES = "Halve the solvent used by the pilot crystalliser by year two."
MEMBERS_NARRATIVE = "Seed crystals arrived late from the supplier in Jurong."
HIDDEN_AMOUNT, XYLO_AMOUNT = 7_654_321, 1_000  # committed in SGD to the joint project
JOINT_TOTAL = HIDDEN_AMOUNT + XYLO_AMOUNT


def pdf_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def build_projects(*, cm, xylo, hidden, base) -> dict[str, Any]:
    """The projects of Continuous Manufacturing (Xylo and Other Hidden its members), built
    through the services by the portal itself: one of each visibility, one both organisations
    take part in, a draft. The principal investigators are people of the organisations who hold
    none of the table's roles, so no role sees a project as its team does."""
    today = timezone.localdate()
    colleague = base.memberships["xylo:colleague"].person
    hidden_member = base.memberships["hidden:other_member"].person
    dates = {"starts_on": today - datetime.timedelta(days=90),
             "ends_on": today + datetime.timedelta(days=640), "trl_start": 3, "trl_target": 6}

    def project(title: str, *, lead, investigator, visibility: str, status: str,
                participants=(), objectives: str = "") -> Project:
        made = project_create(actor=SYSTEM, workstream=cm, title=title,
                              summary=f"{title}: a pilot of the workstream.",
                              objectives=objectives or f"What {title} sets out to show.",
                              lead_organisation=lead, principal_investigator=investigator,
                              participants=participants, visibility=visibility, **dates)
        for step in PROJECT_PATH[status]:
            made = project_transition(actor=SYSTEM, project=made, to=step,
                                      reason="Set up for the access table.")
        return made

    active = Project.Status.ACTIVE
    made = {
        "project:public": project("Continuous crystallisation pilot", lead=xylo,
                                  investigator=colleague, visibility="public", status=active,
                                  objectives=PUBLIC_OBJECTIVES),
        "project:members": project("Flow hydrogenation at scale", lead=xylo,
                                   investigator=colleague, visibility="members", status=active),
        "project:private": project(PRIVATE_TITLE, lead=hidden, investigator=hidden_member,
                                   visibility="participants", status=active),
        "project:joint": project("Shared soft sensors for drying", lead=xylo,
                                 investigator=colleague, visibility="members", status=active,
                                 participants=[hidden]),
        "project:draft": project(DRAFT_TITLE, lead=xylo, investigator=colleague,
                                 visibility="members", status=Project.Status.DRAFT),
    }
    members, private, joint = (made["project:members"], made["project:private"],
                               made["project:joint"])
    due = today + datetime.timedelta(days=60)
    made["milestone:members"] = milestone_create(
        actor=SYSTEM, project=members, title="Pilot line commissioned",
        due_on=today + datetime.timedelta(days=30))
    made["milestone:private"] = milestone_create(
        actor=SYSTEM, project=private, title="Enzyme panel screened",
        due_on=today + datetime.timedelta(days=30))
    # Submitted by the lead organisation's own person, as only they may.
    made["deliverable:submitted"] = deliverable_submit(
        actor=colleague, file=pdf_file("hydrogenation-report.pdf"),
        deliverable=deliverable_create(actor=SYSTEM, project=members, title="Scale-up report",
                                       kind="report", due_on=due))
    made["deliverable:pending"] = deliverable_create(
        actor=SYSTEM, project=members, title="Kinetics dataset", kind="dataset", due_on=due)
    made["deliverable:private"] = deliverable_save_draft(
        actor=SYSTEM, file=pdf_file("enzyme-panel.pdf"),
        deliverable=deliverable_create(actor=SYSTEM, project=private, title="Enzyme panel",
                                       kind="report", due_on=due))
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    made["update:members"] = status_update_post(
        actor=SYSTEM, project=members, period=last_month, overall="amber", schedule="amber",
        budget="green", narrative=MEMBERS_NARRATIVE)
    for label, organisation, amount in (("contribution:xylo", xylo, XYLO_AMOUNT),
                                        ("contribution:hidden", hidden, HIDDEN_AMOUNT)):
        made[label] = contribution_record(actor=SYSTEM, project=joint, organisation=organisation,
                                          year=today.year, kind="cash", committed_sgd=amount)
    # The services hand back the objects they locked; the world keeps fresh copies.
    for label, obj in made.items():
        made[label] = type(obj).objects.get(pk=obj.pk)
    return made


PROJECT_PATH = {
    Project.Status.DRAFT: (),
    Project.Status.ACTIVE: (Project.Status.PROPOSED, Project.Status.APPROVED,
                            Project.Status.ACTIVE),
}


def _secrets(base, people, objects) -> dict[str, frozenset[str]]:
    """Text that only some roles may ever read, with those roles. No answer to anyone else may
    contain it: a list, a count's label, a search result, an error message, a redirect page."""
    hidden_side = frozenset({"other_org_admin", *STAFF})
    staff_only = frozenset(STAFF)
    xylo_people = frozenset({"partner_member", "partner_admin", *STAFF})
    xylo_admins = frozenset({"partner_admin", *STAFF})
    secrets = {
        base.hidden.name: hidden_side, base.hidden.slug: hidden_side, base.hidden.uen: hidden_side,
        base.pending.name: staff_only, base.pending.slug: staff_only,
        base.pending.uen: staff_only,
        base.memberships["hidden:other_member"].person.email: hidden_side,
        people["other_org_admin"].email: hidden_side,
        base.invitations["hidden"].email: hidden_side,
        base.memberships["pending:registrant"].person.email: staff_only,
        base.memberships["xylo:colleague"].person.email: xylo_people,
        base.invitations["xylo"].email: xylo_admins,
        base.person_requests["requester->xylo"].person.email: xylo_admins,
        # Projects: a participants-only project of Other Hidden's; a draft, staff's alone; what
        # only a project's members see beyond its public summary, and only its participants
        # beyond that; one organisation's figures, never another's, and totals that include
        # both, for staff only.
        PRIVATE_TITLE: hidden_side, objects["project:private"].code: hidden_side,
        DRAFT_TITLE: staff_only, objects["project:draft"].code: staff_only,
        PUBLIC_OBJECTIVES: frozenset({*PARTNERS, *STAFF}),
        MEMBERS_NARRATIVE: xylo_people,
        str(HIDDEN_AMOUNT): hidden_side, f"{HIDDEN_AMOUNT:,}": hidden_side,
        str(JOINT_TOTAL): staff_only, f"{JOINT_TOTAL:,}": staff_only,
    }
    return secrets


# --- How a cell is written --------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """An argument taken from the world: an object's pk or slug, or a secret link's token."""

    label: str
    attr: str = "pk"

    def resolve(self, world: World):
        if self.attr == "token":
            return world.tokens[self.label]
        return getattr(world[self.label], self.attr)


def pk(label: str) -> Ref:
    return Ref(label, "pk")


def slug(label: str) -> Ref:
    return Ref(label, "slug")


def token(label: str) -> Ref:
    return Ref(label, "token")


def resolved(value, world: World):
    if isinstance(value, Ref):
        return value.resolve(world)
    if isinstance(value, dict):
        return {key: resolved(item, world) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [resolved(item, world) for item in value]
    if callable(value):
        return value(world)
    return value


@dataclass(frozen=True)
class Redirect:
    """A 302 to the page named (and, when given, with these arguments)."""

    name: str
    kwargs: tuple[tuple[str, Any], ...] = ()

    def __str__(self):
        arguments = ", ".join(f"{key}={value}" for key, value in self.kwargs)
        return f"302 -> {self.name}({arguments})"


def to(name: str, **kwargs) -> Redirect:
    return Redirect(name, tuple(sorted(kwargs.items())))


LOGIN = to("account_login")
MFA_SETUP = to("mfa_activate_totp")
REAUTHENTICATE = to("account_reauthenticate")
HOME = to("home")
MY_PORTAL = to("my_portal")  # where signing in leads (LOGIN_REDIRECT_URL)
DASHBOARD = to("dashboard")  # where it leads programme staff (the account adapter)
ADMIN_LOGIN = to("admin:login")


Rows = frozenset  # a 200 whose rows are exactly these labels


@dataclass(frozen=True)
class Case:
    """One request and every role's expected answer to it.

    `expect[role]` is a status code, a Redirect, or a set of labels (a 200 listing exactly those
    rows, read from the answer by `rows`). `idor` names the argument (in `kwargs` or `data`)
    that points at an object some callers may not see: the same request with that argument
    naming nothing at all must get the very same answer from every role.
    """

    expect: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    data: Any = None
    body: str = "form"  # form | json | multipart
    query: Any = ""  # or a function of the world, for a query naming its objects
    htmx: bool = False
    note: str = ""
    idor: str = ""
    absent: Any = None  # what names nothing, when MISSING_ID / MISSING_SLUG would not do
    rows: Callable | None = None
    check: Callable | None = None
    # (object label, roles): that object's name and slug may appear in this answer to those
    # roles, though they are secrets elsewhere (a partner named to its co-participants).
    discloses: tuple[tuple[str, frozenset[str]], ...] = ()

    def title(self, name: str) -> str:
        parts = [name, self.method, self.note or ", ".join(
            f"{key}={value.label if isinstance(value, Ref) else value}"
            for key, value in self.kwargs.items())]
        if self.query:
            parts.append(f"?{self.query}" if isinstance(self.query, str) else "?(query)")
        if self.htmx:
            parts.append("(htmx)")
        return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class Row:
    name: str
    cases: tuple[Case, ...]


_GROUPS = {
    "everyone": ROLES,
    "signed_in": SIGNED_IN,
    "outsiders": OUTSIDERS,
    "partners": PARTNERS,
    "programme": STAFF,  # programme staff and programme admins, both with MFA
}


def cells(defaults: dict | None = None, **given) -> dict[str, Any]:
    """Every role's answer. Groups (everyone, signed_in, outsiders, partners, programme) first,
    then `defaults` (the rule of the kind of address), then roles named one by one."""
    answer: dict[str, Any] = {}
    for group, roles in _GROUPS.items():
        if group in given:
            answer.update(dict.fromkeys(roles, given.pop(group)))
    answer.update(defaults or {})
    unknown = set(given) - set(ROLES)
    if unknown:
        raise ValueError(f"not roles: {sorted(unknown)}")
    answer.update(given)
    missing = set(ROLES) - set(answer)
    if missing:
        raise ValueError(f"no answer for {sorted(missing)}")
    return answer


def page(**given) -> dict[str, Any]:
    """A page that asks a visitor to sign in first."""
    return cells({"visitor": LOGIN}, **given)


def api(**given) -> dict[str, Any]:
    """/api/v1/: a visitor gets 401, staff without MFA 403 (code mfa_required) everywhere."""
    return cells({"visitor": 401, "staff_without_mfa": 403}, **given)


def public_api(**given) -> dict[str, Any]:
    """/api/v1/ read by anyone; staff without MFA are still told to set it up first."""
    return cells({"staff_without_mfa": 403}, **given)


# Staff pages (the queue, the members' area for staff, staff actions) send staff without a
# second factor to set one up; pages of the programme office refuse them (they are not admins).
STAFF_PAGE = {"visitor": LOGIN, "staff_without_mfa": MFA_SETUP}


# --- Reading rows from an answer --------------------------------------------------------------


def _page_items(value) -> tuple[list, list[str]]:
    from django.core.paginator import Page

    if isinstance(value, Page):
        items = list(value.object_list)
        problems = []
        if value.paginator.num_pages == 1 and value.paginator.count != len(items):
            problems.append(f"count says {value.paginator.count}, the page lists {len(items)}")
        return items, problems
    if isinstance(value, dict):
        return [value.get("workstream") or value.get("organisation")], []
    return list(value or []), []


def context_rows(*keys: str, count_of: str = "") -> Callable:
    """Rows of a page: the objects under these context keys (a Page's object_list, a list or a
    queryset), by their labels. With `count_of`, each label carries that attribute as well
    (`cm:1`: Continuous Manufacturing, one member organisation the caller may see)."""

    def read(world: World, response) -> tuple[set[str], list[str]]:
        labels, problems = set(), []
        context = response.context
        for key in keys:
            if context is None or key not in context:
                continue
            items, found = _page_items(context[key])
            problems += [f"{key}: {problem}" for problem in found]
            for item in items:
                label = world.label_of(item)
                labels.add(f"{label}:{getattr(item, count_of)}" if count_of else label)
        return labels, problems

    return read


def api_rows(model: type, key: str = "id", count_of: str = "") -> Callable:
    """Rows of an API list, by label; the page's `count` must agree with its rows."""

    def read(world: World, response) -> tuple[set[str], list[str]]:
        body = response.json()
        rows = body["results"]
        problems = []
        if body["count"] != len(rows):
            problems.append(f"count says {body['count']}, the answer lists {len(rows)}")
        labels = set()
        for row in rows:
            label = world.label_by(model, key, row[key])
            labels.add(f"{label}:{row[count_of]}" if count_of else label)
        return labels, problems

    return read


# --- The rows ---------------------------------------------------------------------------------

ORGS_PUBLIC = Rows({"xylo", "public"})
ORGS_ALL = Rows({"xylo", "public", "hidden", "pending"})
XYLO_PEOPLE = Rows({"xylo:partner_admin", "xylo:member", "xylo:colleague"})
HIDDEN_PEOPLE = Rows({"hidden:admin", "hidden:other_member"})
ALL_PEOPLE = XYLO_PEOPLE | HIDDEN_PEOPLE | {"pending:registrant"}
XYLO_MANAGED = XYLO_PEOPLE | {"invite:xylo", "invite:xylo-link", "requester->xylo"}
# Workstreams with the number of member organisations the caller may see.
COUNTS_PUBLIC = Rows({"cm:1", "df:0", "bc:1", "analytics:0"})
COUNTS_ALL = Rows({"cm:2", "df:0", "bc:1", "analytics:0"})
NOTHING = Rows()


def own(prefix: str) -> dict[str, Rows]:
    """Each signed-in role sees exactly its own one (its notification, its API token)."""
    return {role: Rows({f"{prefix}:{role}"}) for role in SIGNED_IN}


def own_api(prefix: str) -> dict[str, Any]:
    """As `own`, through the API, which refuses staff without MFA even their own."""
    return {**own(prefix), "staff_without_mfa": 403}


def still_unread(label: str) -> Callable:
    def check(world: World, response, role: str) -> list[str]:
        notice = Notification.objects.get(pk=world.pk(label))
        return [] if notice.read_at is None else [f"{label} was marked read"]
    return check


def not_accepted(label: str) -> Callable:
    def check(world: World, response, role: str) -> list[str]:
        invitation = Invitation.objects.get(pk=world.pk(label))
        return [] if invitation.accepted_at is None else [f"{label} was accepted"]
    return check


def same_workstream_choices(world: World, response, role: str) -> list[str]:
    """The directory's workstream filter offers the active workstreams (a planned platform has
    no members to find), the same to everyone: its choices never depend on which organisations
    the caller may see."""
    choices = {value for value, _ in response.context["filter_form"].fields["workstream"].choices}
    expected = {"", "cm", "df", "bc"}
    return [] if choices == expected else [f"workstream filter offers {sorted(choices)}"]


def panel_rows(world: World, response) -> tuple[set[str], list[str]]:
    """Rows of the person's own page (/me/): every object listed in any of its panels."""
    labels = set()
    for shown in (response.context or {}).get("panels", []):
        for value in shown["context"].values():
            if isinstance(value, list):
                labels |= {world.label_of(item) for item in value}
    return labels, []


def waiting_counts(world: World, response, role: str) -> list[str]:
    """What /me/ says waits on each role: the staff queue, the approvals, the people asking to
    join the organisation the person decides for (Xylo: one)."""
    if response.context is None:  # a visitor is sent to sign in
        return []
    panels = {shown["key"]: shown["context"] for shown in response.context["panels"]}
    queue = panels.get("workstreams", {}).get("queue_waiting")
    approvals = panels.get("partners", {}).get("approvals_waiting")
    to_decide = sorted(m.requests_to_decide for m in panels.get("partners", {})
                       .get("memberships", []))
    expected = {
        "staff": (2, None, []), "programme_admin": (2, 1, []),
        "partner_admin": (None, None, [1]), "partner_member": (None, None, [0]),
        "other_org_admin": (None, None, [0]),
    }.get(role, (None, None, []))
    found = (queue, approvals, to_decide)
    return [] if found == expected else [f"waiting: {found}, expected {expected}"]


def csv_upload(world: World) -> dict:
    return {"organisation": "xylo", "file": SimpleUploadedFile(
        "people.csv", b"name,email,role\nAng,ang@example.org,member\n", content_type="text/csv")}


def csv_upload_page(world: World) -> dict:
    return {"file": SimpleUploadedFile(
        "people.csv", b"name,email,role\nAng,ang@example.org,member\n", content_type="text/csv")}


REGISTRATION = {"name": "Helix Bioprocess Pte Ltd", "uen": "202612345K", "kind": "biotech",
                "country": "SG", "description": "Continuous downstream processing."}
JOIN = {"organisation": "xylo", "workstream": "bc", "motivation": "Enzyme screening.",
        "code_of_conduct_acknowledged": True}
APPROVE_ORGANISATION = {"tier": "member", "tier_starts_on": "2026-01-01",
                        "tier_ends_on": "2027-01-01"}

XYLO_TAKES_PART = ("project:public", "project:members", "project:joint")
# The projects of the world (build_projects) that each role may see at all.
ALL_PROJECTS = Rows({"project:public", "project:members", "project:private", "project:joint",
                     "project:draft"})
XYLO_PROJECTS = Rows(XYLO_TAKES_PART)
HIDDEN_PROJECTS = Rows({"project:public", "project:members", "project:private",
                        "project:joint"})

SITE: list[Row] = []


def row(name: str, *cases: Case) -> None:
    if any(existing.name == name for existing in SITE):
        raise ValueError(f"two rows for {name}")
    SITE.append(Row(name, cases))


# Site-wide pages.
row("home", Case(cells(everyone=Rows({"cm", "df", "bc", "analytics"})),
                 rows=context_rows("active_workstreams", "planned_platforms")),
    Case(cells(everyone=405), method="POST"))
row("health", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("privacy", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("terms", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("robots_txt", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("favicon", Case(cells(everyone=301)), Case(cells(everyone=405), method="POST"))
row("my_portal",
    Case(page(trainee=Rows({"trainee->public"}),
              # The partner member and the other organisation's admin each hold a seat on
              # the course run: the training panel lists it. The projects panel lists the
              # projects each takes part in through their organisation, and to staff the
              # deliverables waiting for their review.
              partner_member=Rows({"xylo:member", "xylo@cm", "xylo->df", "enrol:member",
                                   *XYLO_TAKES_PART}),
              partner_admin=Rows({"xylo:partner_admin", "xylo@cm", "xylo->df",
                                  *XYLO_TAKES_PART}),
              other_org_admin=Rows({"hidden:admin", "hidden@cm", "hidden->df", "enrol:other",
                                    "project:private", "project:joint"}),
              staff_without_mfa=NOTHING, programme=Rows({"deliverable:submitted"})),
         rows=panel_rows, check=waiting_counts),
    Case(page(signed_in=405), method="POST"))

# --- partners: pages ---------------------------------------------------------------------------

DIRECTORY_ROWS = context_rows("page")
row(
    "partners:directory",
    Case(cells(everyone=ORGS_PUBLIC, other_org_admin=ORGS_PUBLIC | {"hidden"},
               programme=ORGS_ALL),
         rows=DIRECTORY_ROWS, check=same_workstream_choices),
    Case(cells(everyone=NOTHING, other_org_admin=Rows({"hidden"}), programme=Rows({"hidden"})),
         query="q=hidden", rows=DIRECTORY_ROWS, note="search for the hidden one"),
    Case(cells(everyone=NOTHING, programme=Rows({"pending"})), query="q=pending",
         rows=DIRECTORY_ROWS, note="search for the pending one"),
    Case(cells(everyone=Rows({"xylo"}), other_org_admin=Rows({"xylo", "hidden"}),
               programme=Rows({"xylo", "hidden"})),
         query="workstream=cm", rows=DIRECTORY_ROWS, check=same_workstream_choices,
         note="filtered by workstream"),
    Case(cells(everyone=405), method="POST"),
)
row("partners:register",
    Case(page(signed_in=200)),
    Case(page(signed_in=to("partners:detail")), method="POST", data=REGISTRATION),
    # Its own admin registering it again is sent to it; staff see it and are refused.
    Case(page(signed_in=to("partners:detail"),
              other_org_admin=to("partners:detail", slug="other-hidden"), programme=400),
         method="POST",
         data={**REGISTRATION, "uen": Ref("hidden", "uen")}, idor="uen", absent="209999999Z",
         note="with the hidden organisation's UEN"))
row(
    "partners:my_organisations",
    Case(page(trainee=Rows({"trainee->public"}), partner_member=Rows({"xylo:member"}),
              partner_admin=Rows({"xylo:partner_admin"}),
              other_org_admin=Rows({"hidden:admin"}), staff_without_mfa=NOTHING,
              staff=NOTHING, programme_admin=NOTHING),
         rows=context_rows("memberships", "invitations", "pending_requests")),
    # Accepting by id an invitation addressed to someone else changes nothing.
    Case(page(signed_in=to("partners:my_organisations")), method="POST",
         data={"invitation": pk("invite:hidden")}, check=not_accepted("invite:hidden"),
         idor="invitation", note="accept someone else's invitation"),
)
row("partners:approvals",
    Case(page(signed_in=403, programme_admin=Rows({"pending"})), rows=context_rows("page")),
    Case(page(signed_in=403, programme_admin=405), method="POST"))
row(
    "partners:invitation",
    # The e-mailed link is the credential: whoever holds it sees what it offers.
    Case(cells(everyone=200), kwargs={"token": token("invitation:xylo")}),
    Case(cells(everyone=404), kwargs={"token": "not-a-real-token"}),
    Case(cells(visitor=LOGIN, signed_in=403), method="POST",
         kwargs={"token": token("invitation:xylo")}, note="accept with the wrong account"),
)
row(
    "partners:person_request_withdraw",
    Case(page(signed_in=404, trainee=to("partners:my_organisations")), method="POST",
         kwargs={"pk": pk("trainee->public")}, idor="pk"),
    Case(page(signed_in=404), method="POST", kwargs={"pk": pk("requester->xylo")}, idor="pk",
         note="someone else's request"),
    # GET is the page that asks first (cluster_portal/core/confirmation.py); it changes nothing.
    Case(page(signed_in=404, trainee=200), kwargs={"pk": pk("trainee->public")}, idor="pk",
         note="asks first"),
)
DETAIL_ROWS = context_rows("workstream_memberships", "people")
row(
    "partners:detail",
    Case(cells(everyone=Rows({"xylo@cm"}), partner_member=XYLO_PEOPLE | {"xylo@cm"},
               partner_admin=XYLO_PEOPLE | {"xylo@cm"}, programme=XYLO_PEOPLE | {"xylo@cm"}),
         kwargs={"slug": "xylo"}, rows=DETAIL_ROWS),
    Case(cells(everyone=404, other_org_admin=HIDDEN_PEOPLE | {"hidden@cm"},
               programme=HIDDEN_PEOPLE | {"hidden@cm"}),
         kwargs={"slug": slug("hidden")}, rows=DETAIL_ROWS, idor="slug"),
    Case(cells(everyone=404, programme=Rows({"pending:registrant"})),
         kwargs={"slug": slug("pending")}, rows=DETAIL_ROWS, idor="slug"),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "xylo"}),
)
row(
    "partners:edit",
    Case(page(signed_in=403, partner_admin=200, programme_admin=200), kwargs={"slug": "xylo"}),
    Case(page(signed_in=404, other_org_admin=200, staff=403, programme_admin=200),
         kwargs={"slug": slug("hidden")}, idor="slug"),
    Case(page(signed_in=404, staff=403, programme_admin=200), kwargs={"slug": slug("pending")},
         idor="slug"),
    Case(page(signed_in=403, partner_admin=400, programme_admin=400), method="POST",
         kwargs={"slug": "xylo"}, data={"name": ""}, note="an empty name"),
    Case(page(signed_in=404, other_org_admin=400, staff=403, programme_admin=400),
         method="POST", kwargs={"slug": slug("hidden")}, data={"name": ""}, idor="slug"),
)
row(
    "partners:logo",
    Case(cells(everyone=200), kwargs={"slug": "xylo"}),
    Case(cells(everyone=404, other_org_admin=200, programme=200), kwargs={"slug": slug("hidden")},
         idor="slug"),
    Case(cells(everyone=404, programme=200), kwargs={"slug": slug("pending")}, idor="slug"),
    Case(cells(everyone=404), kwargs={"slug": "public"}, note="public, without a logo"),
)
row(
    "partners:approve",
    Case(page(signed_in=403, programme_admin=to("partners:approvals")), method="POST",
         kwargs={"slug": slug("pending")}, data=APPROVE_ORGANISATION, idor="slug"),
    Case(page(signed_in=403, programme_admin=200), method="POST", htmx=True,
         kwargs={"slug": slug("pending")}, data=APPROVE_ORGANISATION, idor="slug"),
    Case(page(signed_in=403, programme_admin=405), kwargs={"slug": slug("pending")}),
)
row(
    "partners:decline",
    Case(page(signed_in=403, programme_admin=to("partners:approvals")), method="POST",
         kwargs={"slug": slug("pending")}, data={"reason": "Out of scope."}, idor="slug"),
    Case(page(signed_in=403, programme_admin=200), method="POST", htmx=True,
         kwargs={"slug": slug("pending")}, data={"reason": "Out of scope."}, idor="slug"),
    Case(page(signed_in=403, programme_admin=200), kwargs={"slug": slug("pending")},
         idor="slug", note="asks first"),
    Case(page(signed_in=403, programme_admin=200), htmx=True, kwargs={"slug": slug("pending")},
         idor="slug", note="asks first, in the dialog"),
)
row(
    "partners:ask_to_join",
    # Asking (or being told why not) ends on the organisation's page; a hidden one is a 404.
    # Programme admins are not offered it: the service refuses them, a 403 as in the API.
    Case(page(signed_in=to("partners:detail", slug="xylo"), programme_admin=403),
         method="POST", kwargs={"slug": "xylo"}),
    Case(page(signed_in=404, other_org_admin=to("partners:detail", slug="other-hidden"),
              programme=to("partners:detail", slug="other-hidden"), programme_admin=403),
         method="POST", kwargs={"slug": slug("hidden")}, idor="slug"),
    Case(page(signed_in=405), kwargs={"slug": "xylo"}),
)
PEOPLE_ROWS = context_rows("page", "open_invitations", "person_requests")
row(
    "partners:people",
    Case(page(signed_in=403, partner_member=XYLO_PEOPLE, partner_admin=XYLO_MANAGED,
              staff=XYLO_PEOPLE, programme_admin=XYLO_MANAGED),
         kwargs={"slug": "xylo"}, rows=PEOPLE_ROWS),
    Case(page(signed_in=404, other_org_admin=HIDDEN_PEOPLE | {"invite:hidden"},
              staff=HIDDEN_PEOPLE, programme_admin=HIDDEN_PEOPLE | {"invite:hidden"}),
         kwargs={"slug": slug("hidden")}, rows=PEOPLE_ROWS, idor="slug"),
    Case(page(signed_in=404, programme=Rows({"pending:registrant"})),
         kwargs={"slug": slug("pending")}, rows=PEOPLE_ROWS, idor="slug"),
    Case(page(signed_in=405), method="POST", kwargs={"slug": "xylo"}),
)
row(
    "partners:membership_role",
    Case(page(signed_in=403, partner_admin=to("partners:people", slug="xylo"),
              programme_admin=to("partners:people", slug="xylo")),
         method="POST", kwargs={"slug": "xylo", "pk": pk("xylo:colleague")},
         data={"role": "admin"}),
    Case(page(signed_in=403, partner_admin=200, programme_admin=200), method="POST", htmx=True,
         kwargs={"slug": "xylo", "pk": pk("xylo:colleague")}, data={"role": "admin"}),
    # A person of another organisation, addressed under one's own organisation.
    Case(page(signed_in=403, partner_admin=404, programme_admin=404), method="POST",
         kwargs={"slug": "xylo", "pk": pk("hidden:other_member")}, data={"role": "admin"},
         idor="pk"),
    Case(page(signed_in=403, partner_admin=404, programme_admin=404), method="POST", htmx=True,
         kwargs={"slug": "xylo", "pk": pk("hidden:other_member")}, data={"role": "admin"},
         idor="pk"),
    Case(page(signed_in=404, other_org_admin=to("partners:people", slug="other-hidden"),
              staff=403, programme_admin=to("partners:people", slug="other-hidden")),
         method="POST", kwargs={"slug": slug("hidden"), "pk": pk("hidden:other_member")},
         data={"role": "admin"}, idor="slug"),
    Case(page(signed_in=405), kwargs={"slug": "xylo", "pk": pk("xylo:colleague")}),
)
row(
    "partners:membership_remove",
    Case(page(signed_in=403, partner_admin=to("partners:people", slug="xylo"),
              programme_admin=to("partners:people", slug="xylo")),
         method="POST", kwargs={"slug": "xylo", "pk": pk("xylo:colleague")}),
    Case(page(signed_in=403, partner_member=404, partner_admin=404, staff=404,
              programme_admin=404),
         method="POST", kwargs={"slug": "xylo", "pk": pk("hidden:other_member")}, idor="pk"),
    Case(page(signed_in=404, other_org_admin=to("partners:people", slug="other-hidden"),
              staff=403, programme_admin=to("partners:people", slug="other-hidden")),
         method="POST", kwargs={"slug": slug("hidden"), "pk": pk("hidden:other_member")},
         idor="slug"),
    Case(page(signed_in=403, partner_admin=200, programme_admin=200),
         kwargs={"slug": "xylo", "pk": pk("xylo:colleague")}, note="asks first"),
    # Leaving: one's own membership, asked of anyone who acts for the organisation.
    Case(page(signed_in=403, partner_member=200, partner_admin=200, programme_admin=200),
         kwargs={"slug": "xylo", "pk": pk("xylo:member")}, note="asks first, to leave"),
    Case(page(signed_in=403, partner_member=404, partner_admin=404, staff=404,
              programme_admin=404),
         kwargs={"slug": "xylo", "pk": pk("hidden:other_member")}, idor="pk",
         note="asks first, someone of another organisation"),
)
row(
    "partners:invitation_create",
    Case(page(signed_in=403, partner_admin=to("partners:people", slug="xylo"),
              programme_admin=to("partners:people", slug="xylo")),
         method="POST", kwargs={"slug": "xylo"}, data={"email": "ang@example.org",
                                                     "role": "member"}),
    Case(page(signed_in=403, partner_admin=200, programme_admin=200), method="POST", htmx=True,
         kwargs={"slug": "xylo"}, data={"email": "ang@example.org", "role": "member"}),
    Case(page(signed_in=404, other_org_admin=to("partners:people", slug="other-hidden"),
              staff=403, programme_admin=to("partners:people", slug="other-hidden")),
         method="POST", kwargs={"slug": slug("hidden")},
         data={"email": "ang@example.org", "role": "member"}, idor="slug"),
    Case(page(signed_in=405), kwargs={"slug": "xylo"}),
)
row(
    "partners:invitation_import",
    # Post, redirect, get: the report is at its own address.
    Case(page(signed_in=403, partner_admin=to("partners:invitation_import_report", slug="xylo"),
              programme_admin=to("partners:invitation_import_report", slug="xylo")),
         method="POST", kwargs={"slug": "xylo"}, data=csv_upload_page, body="multipart"),
    Case(page(signed_in=404,
              other_org_admin=to("partners:invitation_import_report", slug="other-hidden"),
              staff=403,
              programme_admin=to("partners:invitation_import_report", slug="other-hidden")),
         method="POST", kwargs={"slug": slug("hidden")}, data=csv_upload_page,
         body="multipart", idor="slug"),
    Case(page(signed_in=405), kwargs={"slug": "xylo"}),
)
row(
    "partners:invitation_import_report",
    # Only the person who imported reads the report, not even the programme office.
    Case(page(signed_in=403, partner_admin=200, programme_admin=404),
         kwargs={"slug": "xylo", "pk": pk("import:xylo")}, idor="pk"),
    Case(page(signed_in=404, other_org_admin=404, staff=403, programme_admin=404),
         kwargs={"slug": slug("hidden"), "pk": pk("import:xylo")}, idor="slug",
         note="under another organisation's address"),
    Case(page(signed_in=405), method="POST", kwargs={"slug": "xylo", "pk": pk("import:xylo")}),
)
row(
    "partners:invitation_resend",
    # Sent moments ago, the world's invitation is not sent again: a refusal in words, after
    # the same checks of who may.
    Case(page(signed_in=403, partner_admin=to("partners:people", slug="xylo"),
              programme_admin=to("partners:people", slug="xylo")),
         method="POST", kwargs={"slug": "xylo", "pk": pk("invite:xylo")}),
    Case(page(signed_in=403, partner_admin=409, programme_admin=409), method="POST", htmx=True,
         kwargs={"slug": "xylo", "pk": pk("invite:xylo")}),
    Case(page(signed_in=403, partner_admin=404, programme_admin=404), method="POST",
         kwargs={"slug": "xylo", "pk": pk("invite:hidden")}, idor="pk"),
    Case(page(signed_in=404, other_org_admin=to("partners:people", slug="other-hidden"),
              staff=403, programme_admin=to("partners:people", slug="other-hidden")),
         method="POST", kwargs={"slug": slug("hidden"), "pk": pk("invite:hidden")},
         idor="slug"),
    Case(page(signed_in=405), kwargs={"slug": "xylo", "pk": pk("invite:xylo")}),
)
row(
    "partners:people_export",
    Case(page(signed_in=403, partner_admin=200, programme_admin=200), kwargs={"slug": "xylo"}),
    Case(page(signed_in=404, other_org_admin=200, staff=403, programme_admin=200),
         kwargs={"slug": slug("hidden")}, idor="slug"),
    Case(page(signed_in=405), method="POST", kwargs={"slug": "xylo"}),
)
row(
    "partners:invitation_revoke",
    Case(page(signed_in=403, partner_admin=to("partners:people", slug="xylo"),
              programme_admin=to("partners:people", slug="xylo")),
         method="POST", kwargs={"slug": "xylo", "pk": pk("invite:xylo")}),
    Case(page(signed_in=403, partner_admin=200, programme_admin=200), method="POST", htmx=True,
         kwargs={"slug": "xylo", "pk": pk("invite:xylo")}),
    # Another organisation's invitation under one's own organisation's address.
    Case(page(signed_in=403, partner_admin=404, programme_admin=404), method="POST",
         kwargs={"slug": "xylo", "pk": pk("invite:hidden")}, idor="pk"),
    Case(page(signed_in=403, partner_admin=404, programme_admin=404), method="POST", htmx=True,
         kwargs={"slug": "xylo", "pk": pk("invite:hidden")}, idor="pk"),
    Case(page(signed_in=404, other_org_admin=to("partners:people", slug="other-hidden"),
              staff=403, programme_admin=to("partners:people", slug="other-hidden")),
         method="POST", kwargs={"slug": slug("hidden"), "pk": pk("invite:hidden")},
         idor="slug"),
    Case(page(signed_in=403, partner_admin=200, programme_admin=200),
         kwargs={"slug": "xylo", "pk": pk("invite:xylo")}, note="asks first"),
    Case(page(signed_in=403, partner_admin=200, programme_admin=200), htmx=True,
         kwargs={"slug": "xylo", "pk": pk("invite:xylo")}, note="asks first, in the dialog"),
    Case(page(signed_in=403, partner_admin=404, programme_admin=404),
         kwargs={"slug": "xylo", "pk": pk("invite:hidden")}, idor="pk",
         note="asks first, another organisation's invitation"),
)
for _decision in ("approve", "decline"):
    row(
        f"partners:person_request_{_decision}",
        Case(page(signed_in=403, partner_admin=to("partners:people", slug="xylo"),
                  programme_admin=to("partners:people", slug="xylo")),
             method="POST", kwargs={"slug": "xylo", "pk": pk("requester->xylo")}),
        # A request to another organisation, under one's own organisation's address.
        Case(page(signed_in=403, partner_admin=404, programme_admin=404), method="POST",
             kwargs={"slug": "xylo", "pk": pk("trainee->public")}, idor="pk"),
        Case(page(signed_in=404, staff=403), method="POST",
             kwargs={"slug": slug("hidden"), "pk": pk("requester->xylo")},
             note="a hidden organisation, a request that is not its own", idor="slug"),
        # Declining asks first (a GET page); approving is a form on the people page only.
        Case(page(signed_in=403, partner_admin=200, programme_admin=200)
             if _decision == "decline" else page(signed_in=405),
             kwargs={"slug": "xylo", "pk": pk("requester->xylo")}),
    )
XYLO_AGREEMENTS = Rows({"agreement:xylo", "agreement:xylo-nda"})
HIDDEN_AGREEMENTS = Rows({"agreement:hidden", "agreement:hidden-nda"})
row(
    "partners:agreements",
    Case(page(signed_in=403, partner_admin=XYLO_AGREEMENTS, programme=XYLO_AGREEMENTS),
         kwargs={"slug": "xylo"}, rows=context_rows("page")),
    Case(page(signed_in=404, other_org_admin=HIDDEN_AGREEMENTS, programme=HIDDEN_AGREEMENTS),
         kwargs={"slug": slug("hidden")}, rows=context_rows("page"), idor="slug"),
    Case(page(signed_in=405), method="POST", kwargs={"slug": "xylo"}),
)
# An agreement's files: to the organisation's admins and programme staff, as the list is.
for _file in ("document", "signed_copy"):
    row(
        f"partners:agreement_{_file}",
        Case(page(signed_in=403, partner_admin=200, programme=200),
             kwargs={"slug": "xylo", "pk": pk("agreement:xylo-nda")}),
        Case(page(signed_in=404, other_org_admin=200, programme=200),
             kwargs={"slug": slug("hidden"), "pk": pk("agreement:hidden-nda")}, idor="slug"),
        # Another organisation's agreement under this one's address.
        Case(page(signed_in=403, partner_admin=404, programme=404),
             kwargs={"slug": "xylo", "pk": pk("agreement:hidden-nda")}, idor="pk"),
        Case(page(signed_in=403, partner_admin=404, programme=404),
             kwargs={"slug": "xylo", "pk": pk("agreement:xylo")}, note="an agreement without "
             "files"),
        Case(page(signed_in=405), method="POST",
             kwargs={"slug": "xylo", "pk": pk("agreement:xylo-nda")}),
    )


def signed_pdf(world: World) -> dict:
    return {"file": agreement_pdf("signed.pdf")}


row(
    "partners:agreement_upload",
    # The organisation's admins upload; staff see the page but the service refuses them.
    Case(page(signed_in=403, partner_admin=to("partners:agreements", slug="xylo")),
         method="POST", kwargs={"slug": "xylo", "pk": pk("agreement:xylo-nda")},
         data=signed_pdf),
    Case(page(signed_in=404, other_org_admin=to("partners:agreements", slug="other-hidden"),
              programme=403),
         method="POST", kwargs={"slug": slug("hidden"), "pk": pk("agreement:hidden-nda")},
         data=signed_pdf, idor="slug"),
    Case(page(signed_in=403, partner_admin=404, programme=404), method="POST",
         kwargs={"slug": "xylo", "pk": pk("agreement:hidden-nda")}, data=signed_pdf,
         idor="pk"),
    Case(page(signed_in=405), kwargs={"slug": "xylo", "pk": pk("agreement:xylo-nda")}),
)
CONFIRM_AGREEMENT = {"signed_on": "2026-03-02"}
row(
    "partners:agreement_confirm",
    Case(page(signed_in=403, programme_admin=to("partners:agreements", slug="xylo")),
         method="POST", kwargs={"slug": "xylo", "pk": pk("agreement:xylo-nda")},
         data=CONFIRM_AGREEMENT),
    Case(page(signed_in=403, programme_admin=to("partners:agreements", slug="other-hidden")),
         method="POST", kwargs={"slug": slug("hidden"), "pk": pk("agreement:hidden-nda")},
         data=CONFIRM_AGREEMENT, idor="pk"),
    Case(page(signed_in=403, programme_admin=404), method="POST",
         kwargs={"slug": "xylo", "pk": pk("agreement:hidden-nda")}, data=CONFIRM_AGREEMENT,
         note="another organisation's agreement"),
    Case(page(signed_in=403, programme_admin=405),
         kwargs={"slug": "xylo", "pk": pk("agreement:xylo-nda")}),
)
# The programme membership and its renewal: each organisation has a request to renew waiting.
MEMBERSHIP_ROWS = context_rows("page")
row(
    "partners:membership",
    Case(page(signed_in=403, partner_member=Rows({"renewal:xylo"}),
              partner_admin=Rows({"renewal:xylo"}), programme=Rows({"renewal:xylo"})),
         kwargs={"slug": "xylo"}, rows=MEMBERSHIP_ROWS),
    Case(page(signed_in=404, other_org_admin=Rows({"renewal:hidden"}),
              programme=Rows({"renewal:hidden"})),
         kwargs={"slug": slug("hidden")}, rows=MEMBERSHIP_ROWS, idor="slug"),
    Case(page(signed_in=405), method="POST", kwargs={"slug": "xylo"}),
)
row(
    "partners:renewals",
    Case(cells(STAFF_PAGE, outsiders=403, programme=Rows({"renewal:xylo", "renewal:hidden"})),
         rows=context_rows("waiting", "due", "lapsed")),
    Case(cells(STAFF_PAGE, outsiders=403, programme=405), method="POST"),
)
row(
    "partners:renewal_request_create",
    # Xylo's request already waits: its admin is told so on the membership page.
    Case(page(signed_in=403, partner_admin=to("partners:membership", slug="xylo")),
         method="POST", kwargs={"slug": "xylo"}, data={"tier": "core"}),
    Case(page(signed_in=404, other_org_admin=to("partners:membership", slug="other-hidden"),
              programme=403),
         method="POST", kwargs={"slug": slug("hidden")}, data={"tier": "core"}, idor="slug"),
    Case(page(signed_in=405), kwargs={"slug": "xylo"}),
)
row(
    "partners:renewal_request_withdraw",
    Case(page(signed_in=403, partner_member=403,
              partner_admin=to("partners:membership", slug="xylo"), programme=403),
         method="POST", kwargs={"slug": "xylo", "pk": pk("renewal:xylo")}, idor="pk"),
    # Another organisation's request under this one's address.
    Case(page(signed_in=403, partner_member=404, partner_admin=404, programme=404),
         method="POST", kwargs={"slug": "xylo", "pk": pk("renewal:hidden")}, idor="pk"),
    Case(page(signed_in=403, partner_admin=200), kwargs={"slug": "xylo", "pk": pk("renewal:xylo")},
         idor="pk", note="asks first"),
)
DECLINE_RENEWAL = {"reason": "The invoice is still open."}
row(
    "partners:renewal_request_decline",
    Case(page(signed_in=403, programme_admin=to("partners:renewals")), method="POST",
         kwargs={"slug": "xylo", "pk": pk("renewal:xylo")}, data=DECLINE_RENEWAL),
    Case(page(signed_in=403, programme_admin=to("partners:renewals")), method="POST",
         kwargs={"slug": slug("hidden"), "pk": pk("renewal:hidden")}, data=DECLINE_RENEWAL,
         idor="slug"),
    Case(page(signed_in=403, programme_admin=404), method="POST",
         kwargs={"slug": "xylo", "pk": pk("renewal:hidden")}, data=DECLINE_RENEWAL,
         note="another organisation's request"),
    Case(page(signed_in=403, programme_admin=200),
         kwargs={"slug": "xylo", "pk": pk("renewal:xylo")}, note="asks first"),
)


def renewal_of(label: str) -> Callable:
    def data(world: World) -> dict:
        return {"term_ends_on": world[label].tier_ends_on.isoformat(), "tier": "member",
                "ends_on": (world[label].tier_ends_on + datetime.timedelta(days=365)).isoformat()}
    return data


row(
    "partners:renew",
    Case(page(signed_in=403, programme_admin=to("partners:renewals")), method="POST",
         kwargs={"slug": "xylo"}, data=renewal_of("xylo")),
    Case(page(signed_in=403, programme_admin=to("partners:renewals")), method="POST",
         kwargs={"slug": slug("hidden")}, data=renewal_of("hidden"), idor="slug"),
    Case(page(signed_in=403, programme_admin=405), kwargs={"slug": "xylo"}),
)
ORG_WORKSTREAM_ROWS = context_rows("memberships", "requests_page")
row(
    "organisation_workstreams",
    Case(page(signed_in=403, partner_member=Rows({"xylo@cm"}),
              partner_admin=Rows({"xylo@cm", "xylo->df"}),
              programme=Rows({"xylo@cm", "xylo->df"})),
         kwargs={"slug": "xylo"}, rows=ORG_WORKSTREAM_ROWS),
    Case(page(signed_in=404, other_org_admin=Rows({"hidden@cm", "hidden->df"}),
              programme=Rows({"hidden@cm", "hidden->df"})),
         kwargs={"slug": slug("hidden")}, rows=ORG_WORKSTREAM_ROWS, idor="slug"),
    Case(page(signed_in=405), method="POST", kwargs={"slug": "xylo"}),
)

# --- talent: pages -----------------------------------------------------------------------------

RUN_PAGE = to("talent:run", pk=pk("course-run"))
row("talent:catalogue", Case(cells(everyone=200)), Case(cells(everyone=200), query="q=flow"),
    Case(cells(everyone=405), method="POST"))
row(
    "talent:course",
    Case(cells(everyone=200), kwargs={"slug": "cm-101"}),
    # A course not yet published is not found, as one that does not exist.
    Case(cells(everyone=404), kwargs={"slug": "draft-1"}),
    Case(cells(everyone=404), kwargs={"slug": MISSING_SLUG}),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "cm-101"}),
)
row(
    "talent:run",
    Case(cells(everyone=200), kwargs={"pk": pk("course-run")}),
    Case(cells(everyone=404, programme=200), kwargs={"pk": pk("draft-run")}, idor="pk"),
    Case(cells(everyone=405), method="POST", kwargs={"pk": pk("course-run")}),
)
row(
    "talent:enrol",
    # Everyone signed in is sent back to the run: with a seat, or told they have one already.
    Case(page(signed_in=RUN_PAGE), method="POST", kwargs={"pk": pk("course-run")}),
    Case(page(signed_in=404, programme=to("talent:run", pk=pk("draft-run"))), method="POST",
         kwargs={"pk": pk("draft-run")}, idor="pk"),
    Case(page(signed_in=405), kwargs={"pk": pk("course-run")}),
)
row(
    "talent:enrolment_cancel",
    Case(page(signed_in=404, partner_member=200, programme=200),
         kwargs={"pk": pk("enrol:member")}, idor="pk", note="asks first"),
    Case(page(signed_in=404, partner_member=RUN_PAGE, programme=RUN_PAGE), method="POST",
         kwargs={"pk": pk("enrol:member")}, idor="pk"),
)
row(
    "talent:offer_accept",
    # No seat is offered: its person is told so on the run's page; nobody else finds it.
    Case(page(signed_in=404, partner_member=RUN_PAGE), method="POST",
         kwargs={"pk": pk("enrol:member")}, idor="pk"),
    Case(page(signed_in=405), kwargs={"pk": pk("enrol:member")}),
)
row(
    "talent:offer_decline",
    Case(page(signed_in=404, partner_member=200), kwargs={"pk": pk("enrol:member")}, idor="pk",
         note="asks first"),
    Case(page(signed_in=404, partner_member=RUN_PAGE), method="POST",
         kwargs={"pk": pk("enrol:member")}, idor="pk"),
)
for _training in ("organisation_training", "organisation_training_csv"):
    row(
        _training,
        # The organisation's admins and programme staff; its members and other partners are
        # refused; a hidden organisation is not found by those who may not see it.
        Case(page(signed_in=403, partner_admin=200, programme=200), kwargs={"slug": "xylo"}),
        Case(page(signed_in=404, other_org_admin=200, programme=200, staff_without_mfa=404),
             kwargs={"slug": slug("hidden")}, idor="slug"),
        Case(page(signed_in=405), method="POST", kwargs={"slug": "xylo"}),
    )
row("talent:my_learning", Case(page(signed_in=200)), Case(page(signed_in=405), method="POST"))
row("talent:skills_profile", Case(page(signed_in=200)),
    Case(page(signed_in=405), method="POST"))
row("talent:skills_profile_pdf", Case(page(signed_in=200), note="the person's own"),
    Case(page(signed_in=405), method="POST"))
# A run's sessions as an .ics file: the people with a seat on it (the partner member and the
# other organisation's admin); a run not yet published is not found, as elsewhere.
row(
    "talent:run_calendar",
    Case(page(signed_in=403, partner_member=200, other_org_admin=200),
         kwargs={"pk": pk("course-run")}),
    Case(page(signed_in=404, programme=403), kwargs={"pk": pk("draft-run")}, idor="pk"),
    Case(page(signed_in=405), method="POST", kwargs={"pk": pk("course-run")}),
)

# --- talent: attendance, completion and certificates -------------------------------------------
# A run's registers are its trainers' (the world's run has none) and programme staff's: anyone
# else finds no such run; staff without a second factor are sent to set one up. Completing a
# run and issuing its certificates are programme staff's. A certificate downloads to its holder
# (the partner member) and staff; anyone verifies one by its serial.

TRAINING_PAGE = {"visitor": LOGIN, "staff_without_mfa": MFA_SETUP}
REGISTER = to("talent:session_attendance", pk=pk("session:course-run"))
RUN_CERTIFICATES = to("talent:run_certificates", pk=pk("course-run"))
MEMBER_CERTIFICATE = {"serial": Ref("certificate:member", "serial")}
NO_SUCH_SERIAL = {"serial": "not-a-serial"}
row(
    "talent:run_attendance",
    Case(cells(TRAINING_PAGE, outsiders=404, programme=200), kwargs={"pk": pk("course-run")}),
    Case(cells(TRAINING_PAGE, outsiders=404, programme=404), kwargs={"pk": MISSING_ID}),
    Case(page(signed_in=405), method="POST", kwargs={"pk": pk("course-run")}),
)
row(
    "talent:session_attendance",
    Case(cells(TRAINING_PAGE, outsiders=404, programme=200),
         kwargs={"pk": pk("session:course-run")}),
    Case(cells(TRAINING_PAGE, outsiders=404, programme=404), kwargs={"pk": MISSING_ID}),
    # The session is a month away: the mark is refused in words, on the register or in its row.
    Case(cells(TRAINING_PAGE, outsiders=404, programme=REGISTER), method="POST",
         kwargs={"pk": pk("session:course-run")},
         data=lambda w: {"enrolment": w.pk("enrol:member"), "present": "1"}),
    Case(cells(TRAINING_PAGE, outsiders=404, programme=409), method="POST", htmx=True,
         kwargs={"pk": pk("session:course-run")},
         data=lambda w: {"enrolment": w.pk("enrol:member"), "present": "1"}),
)
row(
    "talent:run_complete",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), kwargs={"pk": pk("course-run")},
         note="asks first"),
    # The run is a month away: staff are told it can't be completed yet.
    Case(cells(STAFF_PAGE, outsiders=403, programme=RUN_CERTIFICATES), method="POST",
         kwargs={"pk": pk("course-run")}, data={"attendance_threshold": "75"}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), kwargs={"pk": MISSING_ID}),
)
row(
    "talent:run_certificates",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), kwargs={"pk": pk("course-run")}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), htmx=True,
         kwargs={"pk": pk("course-run")}, note="the progress, asked again"),
    # Not completed yet: nothing to issue, and staff are told so.
    Case(cells(STAFF_PAGE, outsiders=403, programme=RUN_CERTIFICATES), method="POST",
         kwargs={"pk": pk("course-run")}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), kwargs={"pk": MISSING_ID}),
)
row("talent:my_certificates",
    Case(page(signed_in=NOTHING, partner_member=Rows({"certificate:member"})),
         rows=context_rows("certificates")),
    Case(page(signed_in=405), method="POST"))
row(
    "talent:certificate",
    Case(cells(everyone=200), kwargs=MEMBER_CERTIFICATE),
    Case(cells(everyone=404), kwargs=NO_SUCH_SERIAL),
    Case(cells(everyone=405), method="POST", kwargs=MEMBER_CERTIFICATE),
)
row(
    "talent:credential_check",
    Case(cells(everyone=200)),
    Case(cells(everyone=400), method="POST", data={"credential": "not.a.credential"},
         note="not a credential of the portal's"),
)
for _copy in ("pdf", "credential"):
    row(
        f"talent:certificate_{_copy}",
        Case(page(signed_in=404, partner_member=200, programme=200), kwargs=MEMBER_CERTIFICATE,
             idor="serial", absent="NOSUCHSERIAL"),
        Case(page(signed_in=405), method="POST", kwargs=MEMBER_CERTIFICATE),
    )
row(
    "talent:certificate_revoke",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), kwargs=MEMBER_CERTIFICATE,
         note="asks first"),
    Case(cells(STAFF_PAGE, outsiders=403,
               programme=to("talent:certificate", serial="MEMBERCERT23")),
         method="POST", kwargs=MEMBER_CERTIFICATE, data={"reason": "Issued in error."}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=400), method="POST",
         kwargs=MEMBER_CERTIFICATE, data={"reason": ""}, note="without a reason"),
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), kwargs=NO_SUCH_SERIAL),
)
row("jwks", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))

# Programme staff run the catalogue from pages of their own (they are not admin-site users):
# partners and trainees are refused before anything is looked up, staff without a second
# factor are sent to set one up, and staff see every course and run, published or not.
MANAGE_RUN = to("talent:manage_run", pk=pk("course-run"))
MANAGE_CM = to("talent:manage_course", slug="cm-101")


def staff_page(**given) -> dict[str, Any]:
    return cells(STAFF_PAGE, outsiders=403, **given)


COURSE_FIELDS = {"title": "Flow chemistry basics", "summary": "Flow, from the start.",
                 "mode": "classroom", "hours": "14", "fee": "0", "is_published": "on",
                 "skills-TOTAL_FORMS": "0", "skills-INITIAL_FORMS": "0"}


def run_fields(world: World, **changes) -> dict:
    run = world["course-run"]
    return {"starts_on": run.starts_on.isoformat(), "ends_on": run.ends_on.isoformat(),
            "venue": "Biopolis", "capacity": "6",
            "enrolment_opens_at": f"{in_days(-1).isoformat()}T09:00",
            "enrolment_closes_at": f"{in_days(10).isoformat()}T17:00", "promotion": "confirm",
            "offer_hours": "48", **changes}


def session_fields(world: World) -> dict:
    day = world["course-run"].starts_on.isoformat()
    return {"title": "Day 1", "starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00"}


row(
    "talent:manage_courses",
    Case(staff_page(programme=Rows({"course", "draft-course"})), rows=context_rows("page")),
    Case(staff_page(programme=Rows({"draft-course"})), query="published=no",
         rows=context_rows("page"), note="not published"),
    Case(cells(everyone=405), method="POST"),
)
SKILL_NEEDS = to("talent:manage_skill_needs")
row(
    "talent:manage_skill_needs",
    Case(staff_page(programme=200)),
    Case(staff_page(programme=SKILL_NEEDS), method="POST",
         data=lambda w: {"workstream": w.pk("cm"), "skill": w.pk("skill"), "level": "4"}),
    Case(staff_page(programme=400), method="POST", data={"level": "9"}, note="invalid"),
)
row(
    "talent:manage_skill_create",
    Case(staff_page(programme=SKILL_NEEDS), method="POST",
         data={"name": "Aseptic processing", "category": "quality"}),
    Case(staff_page(programme=405)),
)
row(
    "talent:manage_skill_need_remove",
    Case(staff_page(programme=200), kwargs={"pk": pk("skill-need")}, note="asks first"),
    Case(staff_page(programme=SKILL_NEEDS), method="POST", kwargs={"pk": pk("skill-need")}),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID}),
)
row(
    "talent:manage_course_create",
    Case(staff_page(programme=200)),
    Case(staff_page(programme=to("talent:manage_course", slug="new-101")), method="POST",
         data={**COURSE_FIELDS, "code": "NEW-101"}),
    Case(staff_page(programme=400), method="POST", data={**COURSE_FIELDS, "code": "CM-101"},
         note="a code in use"),
)
row(
    "talent:manage_course",
    Case(staff_page(programme=200), kwargs={"slug": "cm-101"}),
    Case(staff_page(programme=200), kwargs={"slug": "draft-1"}, note="not published"),
    Case(staff_page(programme=404), kwargs={"slug": MISSING_SLUG}),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "cm-101"}),
)
row(
    "talent:manage_course_edit",
    Case(staff_page(programme=200), kwargs={"slug": "cm-101"}),
    Case(staff_page(programme=MANAGE_CM), method="POST", kwargs={"slug": "cm-101"},
         data=COURSE_FIELDS),
    Case(staff_page(programme=404), method="POST", kwargs={"slug": MISSING_SLUG},
         data=COURSE_FIELDS),
)
row(
    "talent:manage_run_create",
    Case(staff_page(programme=200), kwargs={"slug": "cm-101"}),
    Case(staff_page(programme=to("talent:manage_run")), method="POST", kwargs={"slug": "cm-101"},
         data=run_fields),
    Case(staff_page(programme=404), method="POST", kwargs={"slug": MISSING_SLUG},
         data=run_fields),
)
row(
    "talent:manage_run",
    Case(staff_page(programme=200), kwargs={"pk": pk("course-run")}),
    Case(staff_page(programme=200), kwargs={"pk": pk("draft-run")}, idor="pk"),
    Case(cells(everyone=405), method="POST", kwargs={"pk": pk("course-run")}),
)
row(
    "talent:manage_run_edit",
    Case(staff_page(programme=200), kwargs={"pk": pk("course-run")}),
    Case(staff_page(programme=MANAGE_RUN), method="POST", kwargs={"pk": pk("course-run")},
         data=run_fields),
    # Two seats are taken: fewer is refused beside the field.
    Case(staff_page(programme=400), method="POST", kwargs={"pk": pk("course-run")},
         data=lambda world: run_fields(world, capacity="1"), note="fewer seats than taken"),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID}, data=run_fields),
)
row(
    "talent:manage_run_cancel",
    Case(staff_page(programme=200), kwargs={"pk": pk("course-run")}, note="asks first"),
    Case(staff_page(programme=MANAGE_RUN), method="POST", kwargs={"pk": pk("course-run")},
         data={"reason": "The trainer is ill."}),
    Case(staff_page(programme=400), method="POST", kwargs={"pk": pk("course-run")},
         data={"reason": ""}, note="without a reason"),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID},
         data={"reason": "The trainer is ill."}),
)
row(
    "talent:manage_session_create",
    Case(staff_page(programme=200), kwargs={"pk": pk("course-run")}),
    Case(staff_page(programme=MANAGE_RUN), method="POST", kwargs={"pk": pk("course-run")},
         data=session_fields),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID},
         data=session_fields),
)
row(
    "talent:manage_session_edit",
    Case(staff_page(programme=200), kwargs={"pk": pk("session:course-run")}),
    Case(staff_page(programme=MANAGE_RUN), method="POST",
         kwargs={"pk": pk("session:course-run")}, data=session_fields),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID},
         data=session_fields),
)
row(
    "talent:manage_session_remove",
    Case(staff_page(programme=200), kwargs={"pk": pk("session:course-run")}, note="asks first"),
    Case(staff_page(programme=MANAGE_RUN), method="POST",
         kwargs={"pk": pk("session:course-run")}),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID}),
)
row(
    "talent:manage_enrol",
    Case(staff_page(programme=MANAGE_RUN), method="POST", kwargs={"pk": pk("course-run")},
         data=lambda world: {"email": world.people["trainee"].email}),
    # The partner member has a seat already: told so beside the address.
    Case(staff_page(programme=400), method="POST", kwargs={"pk": pk("course-run")},
         data=lambda world: {"email": world.people["partner_member"].email},
         note="enrolled already"),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID},
         data={"email": "nobody@example.org"}),
    Case(cells(everyone=405), kwargs={"pk": pk("course-run")}),
)
row(
    "talent:manage_waive",
    Case(staff_page(programme=MANAGE_RUN), method="POST", kwargs={"pk": pk("course-run")},
         data=lambda world: {"email": world.people["partner_admin"].email,
                             "reason": "Years of flow chemistry."}),
    Case(staff_page(programme=400), method="POST", kwargs={"pk": pk("course-run")},
         data={"email": "nobody@example.org", "reason": "Experience."},
         note="an address without an account"),
    Case(staff_page(programme=404), method="POST", kwargs={"pk": MISSING_ID},
         data={"email": "nobody@example.org", "reason": "Experience."}),
    Case(cells(everyone=405), kwargs={"pk": pk("course-run")}),
)
row(
    "talent:manage_enrolment_cancel",
    Case(staff_page(programme=200), kwargs={"pk": pk("enrol:member")}, idor="pk",
         note="asks first"),
    Case(staff_page(programme=MANAGE_RUN), method="POST", kwargs={"pk": pk("enrol:member")},
         data={"reason": "Asked by their manager."}, idor="pk"),
    Case(staff_page(programme=400), method="POST", kwargs={"pk": pk("enrol:member")},
         data={"reason": ""}, note="without a reason"),
)

# --- talent: API -------------------------------------------------------------------------------

ENROLMENT_ROWS = api_rows(Enrolment)


def learning_rows(world: World, response) -> tuple[set[str], list[str]]:
    """Rows of the caller's learning (/api/v1/me/learning/): the enrolments of every group."""
    groups = response.json().values()
    return {world.label_by(Enrolment, "id", row["id"]) for rows in groups for row in rows}, []


row(
    "api:skills-list",
    Case(public_api(everyone=Rows({"skill"})), query="page_size=100",
         rows=api_rows(Skill, key="code")),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:courses-list",
    Case(public_api(everyone=Rows({"course"})), query="page_size=100",
         rows=api_rows(Course, key="slug")),
    # The catalogue's search never finds a course not yet published, for staff either.
    Case(public_api(everyone=NOTHING), query="search=draft", rows=api_rows(Course, key="slug"),
         note="search for the unpublished course"),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:courses-detail",
    Case(public_api(everyone=200), kwargs={"slug": "cm-101"}),
    Case(public_api(everyone=404), kwargs={"slug": "draft-1"}, note="not yet published"),
    Case(public_api(everyone=404), kwargs={"slug": MISSING_SLUG}),
    Case(api(signed_in=405), method="DELETE", kwargs={"slug": "cm-101"}),
)
row(
    "api:course-runs-list",
    Case(public_api(everyone=Rows({"course-run"}), programme=Rows({"course-run", "draft-run"})),
         query="page_size=100", rows=api_rows(CourseRun)),
    Case(public_api(everyone=NOTHING, programme=Rows({"draft-run"})), query="course=draft-1",
         rows=api_rows(CourseRun), note="filtered to the unpublished course"),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:course-runs-detail",
    Case(public_api(everyone=200), kwargs={"pk": pk("course-run")}),
    Case(public_api(everyone=404, programme=200), kwargs={"pk": pk("draft-run")}, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("course-run")}),
)
row(
    "api:course-runs-enrol",
    # A seat for everyone signed in, but the two who hold one already are told so.
    Case(api(signed_in=201, partner_member=409, other_org_admin=409), method="POST",
         kwargs={"pk": pk("course-run")}, body="json", data={}),
    Case(api(signed_in=404, programme=201), method="POST", kwargs={"pk": pk("draft-run")},
         body="json", data={}, idor="pk"),
    # A sponsor the caller may not see is no organisation at all (400 on the field).
    Case(api(signed_in=400, other_org_admin=409, programme=201), method="POST",
         kwargs={"pk": pk("course-run")}, body="json", data={"sponsor": slug("hidden")},
         idor="sponsor", note="sponsored by the hidden organisation"),
    Case(api(signed_in=405), kwargs={"pk": pk("course-run")}),
)
row(
    "api:enrolments-list",
    Case(api(signed_in=NOTHING, partner_member=Rows({"enrol:member"}),
             other_org_admin=Rows({"enrol:other"}),
             programme=Rows({"enrol:member", "enrol:other"})),
         query="page_size=100", rows=ENROLMENT_ROWS),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:enrolments-detail",
    Case(api(signed_in=404, partner_member=200, programme=200),
         kwargs={"pk": pk("enrol:member")}, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("enrol:member")}),
)
row(
    "api:enrolments-cancel",
    Case(api(signed_in=404, partner_member=200, programme=200), method="POST",
         kwargs={"pk": pk("enrol:member")}, body="json", data={"reason": "Another commitment."},
         idor="pk"),
    Case(api(signed_in=405), kwargs={"pk": pk("enrol:member")}),
)
for _answer in ("accept-offer", "decline-offer"):
    row(
        f"api:enrolments-{_answer}",
        # No seat is offered: its person is told so; staff find it but do not answer for them.
        Case(api(signed_in=404, partner_member=409, programme=403), method="POST",
             kwargs={"pk": pk("enrol:member")}, idor="pk"),
        Case(api(signed_in=405), kwargs={"pk": pk("enrol:member")}),
    )
row(
    "api:me-learning",
    Case(api(signed_in=NOTHING, partner_member=Rows({"enrol:member"}),
             other_org_admin=Rows({"enrol:other"})), rows=learning_rows),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
# A session's register: the run's trainers' (the world's run has none) and programme staff's;
# who sees the run but does not train it is refused, a run they may not see is not found.
RUN_SESSION = {"pk": pk("course-run"), "session_id": pk("session:course-run")}
row(
    "api:course-runs-attendance",
    Case(api(signed_in=403, programme=Rows({"enrol:member", "enrol:other"})),
         kwargs=RUN_SESSION, query="page_size=100", rows=ENROLMENT_ROWS),
    Case(api(signed_in=404), kwargs={"pk": pk("draft-run"),
                                     "session_id": pk("session:course-run")},
         idor="pk", note="under a run of which it is no session"),
    Case(api(signed_in=403, programme=404),
         kwargs={"pk": pk("course-run"), "session_id": MISSING_ID}),
    # The session is a month away: the mark is refused in the service's words.
    Case(api(signed_in=403, programme=409), method="POST", kwargs=RUN_SESSION, body="json",
         data=lambda w: {"enrolment": w.pk("enrol:member"), "present": True}),
    Case(api(signed_in=405), method="DELETE", kwargs=RUN_SESSION),
)
row(
    "api:me-certificates",
    Case(api(signed_in=NOTHING, partner_member=Rows({"certificate:member"})),
         rows=api_rows(Certificate, key="serial")),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:me-skills",
    Case(api(signed_in=200), note="the caller's own"),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
# Verifying a certificate is public, as its page is (and throttled per address).
row(
    "api:certificate-verify",
    Case(public_api(everyone=200), method="POST", body="json",
         data=lambda w: {"credential": credential_sign(w["certificate:member"])}),
    Case(public_api(everyone=400), method="POST", body="json",
         data={"credential": "not.a.credential"}, note="not a credential of the portal's"),
    Case(public_api(everyone=405)),
)
row(
    "api:certificate-verify-serial",
    Case(public_api(everyone=200), kwargs=MEMBER_CERTIFICATE),
    Case(public_api(everyone=404), kwargs=NO_SUCH_SERIAL),
    Case(public_api(everyone=405), method="POST", body="json", data={},
         kwargs=MEMBER_CERTIFICATE),
)

# --- workstreams: pages ------------------------------------------------------------------------

WORKSTREAM_MEMBERS = context_rows("members")
MEMBERS_AREA = context_rows("members", "documents", "meetings")
CM_AREA = Rows({"xylo@cm", "cm-roadmap", "meeting"})
row(
    "workstreams:list",
    Case(cells(everyone=COUNTS_PUBLIC, other_org_admin=COUNTS_ALL, programme=COUNTS_ALL),
         rows=context_rows("active_workstreams", "planned_platforms", count_of="member_count")),
    Case(cells(everyone=405), method="POST"),
)
def with_projects_section(members: Callable) -> Callable:
    """Rows of a workstream's page: its members (`members`) and the projects its projects
    section lists to the person."""

    def read(world: World, response) -> tuple[set[str], list[str]]:
        labels, problems = members(world, response)
        for shown in (response.context or {}).get("sections", []):
            if shown["key"] == "projects":
                labels |= {world.label_of(project) for project in shown["context"]["projects"]}
        return labels, problems
    return read


WORKSTREAM_PAGE_ROWS = with_projects_section(WORKSTREAM_MEMBERS)
row(
    "workstreams:detail",
    # Its projects section lists the workstream's projects each person may see (projects:list).
    Case(cells(everyone=Rows({"xylo@cm", "project:public"}),
               partner_member=Rows({"xylo@cm", *XYLO_PROJECTS}),
               partner_admin=Rows({"xylo@cm", *XYLO_PROJECTS}),
               other_org_admin=Rows({"xylo@cm", "hidden@cm", *HIDDEN_PROJECTS}),
               programme=Rows({"xylo@cm", "hidden@cm", *ALL_PROJECTS})),
         kwargs={"slug": "cm"}, rows=WORKSTREAM_PAGE_ROWS),
    # Requests to join are pending from Xylo and Other Hidden: the public page shows neither.
    Case(cells(everyone=NOTHING), kwargs={"slug": "df"}, rows=WORKSTREAM_MEMBERS),
    Case(cells(everyone=404), kwargs={"slug": MISSING_SLUG}),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "cm"}),
)
row(
    "workstreams:join",
    # Partner admins of approved organisations ask; Xylo is already in Continuous
    # Manufacturing, so the page says why instead of offering a form that can only refuse.
    Case(page(signed_in=403, partner_admin=200, other_org_admin=200), kwargs={"slug": "bc"}),
    Case(page(signed_in=403, partner_admin=to("organisation_workstreams", slug="xylo"),
              other_org_admin=400),
         method="POST", kwargs={"slug": "bc"},
         data=lambda w: {"organisation": w.pk("xylo"), "motivation": "Enzymes.",
                         "code_of_conduct": "on"}),
    # Another organisation's id in the form: not one the caller may choose.
    Case(page(signed_in=403, partner_admin=400, other_org_admin=400), method="POST",
         kwargs={"slug": "bc"},
         data=lambda w: {"organisation": w.pk("pending"), "motivation": "Enzymes.",
                         "code_of_conduct": "on"},
         note="for an organisation the caller does not administer"),
    Case(page(signed_in=404), kwargs={"slug": MISSING_SLUG}),
)
row(
    "workstreams:queue",
    Case(cells(STAFF_PAGE, outsiders=403, programme=Rows({"xylo->df", "hidden->df"})),
         rows=context_rows("page", "recently_decided")),
    Case(cells(STAFF_PAGE, outsiders=403, programme=Rows({"xylo->df", "hidden->df"})),
         query="workstream=df", rows=context_rows("page"),
         note="filtered"),
    Case(cells(everyone=405), method="POST"),
)
for _decision, _body in (("approve", {"role": "core"}), ("decline", {"reason": "Not now."})):
    row(
        f"workstreams:join_request_{_decision}",
        Case(cells(STAFF_PAGE, outsiders=403, programme=to("workstreams:queue")),
             method="POST", kwargs={"pk": pk("xylo->df")}, data=_body),
        # Outsiders are refused before the request is looked up: a hidden organisation's
        # request and no request at all get the same 403.
        Case(cells(STAFF_PAGE, outsiders=403, programme=200), method="POST", htmx=True,
             kwargs={"pk": pk("hidden->df")}, data=_body, idor="pk"),
        Case(cells(STAFF_PAGE, outsiders=403, programme=404), method="POST",
             kwargs={"pk": MISSING_ID}, data=_body),
        # Declining asks first (a GET page, or the dialog's fragment); approving does not.
        Case(cells(STAFF_PAGE, outsiders=403, programme=200)
             if _decision == "decline" else cells(everyone=405),
             kwargs={"pk": pk("xylo->df")}),
    )
row(
    "workstreams:join_request_withdraw",
    Case(page(signed_in=404, partner_member=403,
              partner_admin=to("organisation_workstreams", slug="xylo"), programme=403),
         method="POST", kwargs={"pk": pk("xylo->df")}, idor="pk"),
    Case(page(signed_in=404, partner_member=403, partner_admin=200, programme=403),
         method="POST", htmx=True, kwargs={"pk": pk("xylo->df")}, idor="pk"),
    # Another organisation's request: not found, page or fragment.
    Case(page(signed_in=404, other_org_admin=to("organisation_workstreams", slug="other-hidden"),
              programme=403),
         method="POST", kwargs={"pk": pk("hidden->df")}, idor="pk"),
    Case(page(signed_in=404, other_org_admin=200, programme=403), method="POST", htmx=True,
         kwargs={"pk": pk("hidden->df")}, idor="pk"),
    Case(page(signed_in=404, partner_member=403, partner_admin=200, programme=403),
         kwargs={"pk": pk("xylo->df")}, idor="pk", note="asks first"),
)
row(
    "workstreams:activate",
    Case(page(signed_in=403, programme_admin=to("workstreams:detail", slug="analytics")),
         method="POST", kwargs={"slug": "analytics"}),
    Case(page(signed_in=403, programme_admin=404), method="POST",
         kwargs={"slug": MISSING_SLUG}),
    Case(page(signed_in=403, programme_admin=200), kwargs={"slug": "analytics"},
         note="asks first"),
)
row(
    "workstreams:members",
    Case(cells(STAFF_PAGE, outsiders=CM_AREA, trainee=403, other_org_admin=CM_AREA | {"hidden@cm"},
               programme=CM_AREA | {"hidden@cm"}),
         kwargs={"slug": "cm"}, rows=MEMBERS_AREA),
    # A workstream none of the caller's organisations belongs to.
    Case(cells(STAFF_PAGE, outsiders=403, programme=Rows({"df-roadmap", "df-meeting"})),
         kwargs={"slug": "df"}, rows=MEMBERS_AREA),
    Case(cells(everyone=404), kwargs={"slug": MISSING_SLUG}),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "cm"}),
)
row(
    "workstreams:document",
    Case(cells(STAFF_PAGE, outsiders=200, trainee=403, programme=200),
         kwargs={"slug": "cm", "pk": pk("cm-roadmap")}),
    # Another workstream's document under this one's address: members of this one get 404.
    Case(cells(STAFF_PAGE, outsiders=404, trainee=403, programme=404),
         kwargs={"slug": "cm", "pk": pk("df-roadmap")}, idor="pk"),
    # The members' area of a workstream the caller is not in: refused before any document is
    # looked up (the workstream is public; the document's existence is not told).
    Case(cells(STAFF_PAGE, outsiders=403, programme=200),
         kwargs={"slug": "df", "pk": pk("df-roadmap")}, idor="pk"),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "cm", "pk": pk("cm-roadmap")}),
)
def pdf_upload(name: str) -> Callable:
    def body(world: World) -> dict:
        return {"title": "Pilot results", "kind": "agenda",
                "file": SimpleUploadedFile(name, b"%PDF-1.4 shared",
                                           content_type="application/pdf")}
    return body


def calendar_events(*summaries: str) -> Callable:
    """A feed's answer lists exactly these meetings, whoever asks: the token says whose they are."""
    def check(world: World, response, role: str) -> list[str]:
        from icalendar import Calendar

        found = {str(event["SUMMARY"]) for event in
                 Calendar.from_ical(response.content).walk("VEVENT")}
        return [] if found == set(summaries) else [f"the feed lists {sorted(found)}"]
    return check


MEMBERS_AREA_BACK = to("workstreams:members", slug="cm")
row(
    "workstreams:meeting_calendar",
    Case(cells(STAFF_PAGE, outsiders=200, trainee=403, programme=200),
         kwargs={"slug": "cm", "pk": pk("meeting")}),
    # Another workstream's meeting under this one's address: members of this one get 404.
    Case(cells(STAFF_PAGE, outsiders=404, trainee=403, programme=404),
         kwargs={"slug": "cm", "pk": pk("df-meeting")}, idor="pk"),
    # A workstream the caller is not in: refused before the meeting is looked up.
    Case(cells(STAFF_PAGE, outsiders=403, programme=200),
         kwargs={"slug": "df", "pk": pk("df-meeting")}, idor="pk"),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "cm", "pk": pk("meeting")}),
)
row(
    "workstreams:meeting_file",
    Case(cells(STAFF_PAGE, outsiders=200, trainee=403, programme=200),
         kwargs={"slug": "cm", "pk": pk("cm-agenda")}),
    Case(cells(STAFF_PAGE, outsiders=404, trainee=403, programme=404),
         kwargs={"slug": "cm", "pk": pk("df-minutes")}, idor="pk"),
    Case(cells(STAFF_PAGE, outsiders=403, programme=200),
         kwargs={"slug": "df", "pk": pk("df-minutes")}, idor="pk"),
    Case(cells(everyone=405), method="POST", kwargs={"slug": "cm", "pk": pk("cm-agenda")}),
)
# Sharing in the members' area: programme staff (and a workstream's lead; the world's have none).
row(
    "workstreams:meeting_file_upload",
    Case(cells(STAFF_PAGE, outsiders=403, programme=MEMBERS_AREA_BACK), method="POST",
         body="multipart", kwargs={"slug": "cm", "pk": pk("meeting")},
         data=pdf_upload("agenda.pdf")),
    # Another workstream's meeting under this one's address.
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), method="POST", body="multipart",
         kwargs={"slug": "cm", "pk": pk("df-meeting")}, data=pdf_upload("agenda.pdf"),
         idor="pk"),
    Case(cells(everyone=405), kwargs={"slug": "cm", "pk": pk("meeting")}),
)
row(
    "workstreams:meeting_file_remove",
    Case(cells(STAFF_PAGE, outsiders=403, programme=MEMBERS_AREA_BACK), method="POST",
         kwargs={"slug": "cm", "pk": pk("cm-agenda")}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), method="POST",
         kwargs={"slug": "cm", "pk": pk("df-minutes")}, idor="pk"),
    Case(cells(STAFF_PAGE, outsiders=403, programme=200),
         kwargs={"slug": "cm", "pk": pk("cm-agenda")}, note="asks first"),
)
row(
    "workstreams:document_share",
    Case(cells(STAFF_PAGE, outsiders=403, programme=MEMBERS_AREA_BACK), method="POST",
         body="multipart", kwargs={"slug": "cm"}, data=pdf_upload("results.pdf")),
    Case(cells(everyone=404), method="POST", body="multipart", kwargs={"slug": MISSING_SLUG},
         data=pdf_upload("results.pdf")),
    Case(cells(everyone=405), kwargs={"slug": "cm"}),
)
row(
    "workstreams:contact_lead",
    # The people of member organisations write; staff reach the lead without it.
    Case(cells(STAFF_PAGE, outsiders=200, trainee=403, programme=403), kwargs={"slug": "cm"}),
    Case(cells(STAFF_PAGE, outsiders=MEMBERS_AREA_BACK, trainee=403, programme=403),
         method="POST", kwargs={"slug": "cm"},
         data={"subject": "Pilot line data", "message": "Could we present in May?"}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=403), kwargs={"slug": "df"},
         note="a workstream the caller is not in"),
    Case(cells(everyone=404), kwargs={"slug": MISSING_SLUG}),
)
# The feed answers a calendar app, which has no session: only the token counts, the same for
# every role, and anything but the current token of an active person is not found.
row(
    "workstreams:calendar_feed",
    Case(cells(everyone=200), kwargs={"token": token("calendar:partner_member")},
         check=calendar_events("Continuous Manufacturing: CM quarterly",
                               "CM-101 Flow chemistry basics: Day 1")),
    Case(cells(everyone=404), kwargs={"token": token("calendar:replaced")},
         note="a link replaced since"),
    Case(cells(everyone=404), kwargs={"token": token("calendar:borrowed_key")},
         note="another person's id with this person's key"),
    Case(cells(everyone=404), kwargs={"token": "not-a-token"}),
    Case(cells(everyone=405), method="POST", kwargs={"token": token("calendar:partner_member")}),
)
CALENDAR_NEXT = {"next": "/workstreams/cm/members/"}
row(
    "workstreams:calendar_feed_renew",
    # Only people who act for an approved organisation have a link.
    Case(page(signed_in=403, partners=MEMBERS_AREA_BACK), method="POST", data=CALENDAR_NEXT),
    Case(cells(everyone=405)),
)
row(
    "workstreams:calendar_feed_revoke",
    # Those without a link are told so on the page they came from.
    Case(page(signed_in=MEMBERS_AREA_BACK), method="POST", data=CALENDAR_NEXT),
    Case(page(signed_in=200), note="asks first"),
)
row(
    "workstreams:membership_end",
    Case(cells(STAFF_PAGE, outsiders=403, programme=to("workstreams:members", slug="cm")),
         method="POST", kwargs={"slug": "cm", "pk": pk("xylo@cm")}, data={"reason": "Left."}),
    # A hidden organisation's membership: outsiders are refused before it is looked up.
    Case(cells(STAFF_PAGE, outsiders=403, programme=to("workstreams:members", slug="cm")),
         method="POST", kwargs={"slug": "cm", "pk": pk("hidden@cm")}, data={"reason": "Left."},
         idor="pk"),
    # A membership of another workstream under this one's address.
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), method="POST",
         kwargs={"slug": "cm", "pk": pk("public@bc")}, data={"reason": "Left."}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=200),
         kwargs={"slug": "cm", "pk": pk("xylo@cm")}, note="asks first"),
)

# --- notifications and the person's own account pages -----------------------------------------

row(
    "notifications:list",
    Case(page(**own("notice")), rows=context_rows("page")),
    Case(page(signed_in=405), method="POST"),
)
row(
    "notifications:mark_read",
    Case(page(signed_in=to("notifications:list")), method="POST",
         data={"notification": pk("notice:trainee")}, idor="notification",
         check=lambda w, response, role: (
             [] if role == "trainee" else still_unread("notice:trainee")(w, response, role)),
         note="the trainee's notification"),
    Case(page(signed_in=405)),
)
def marked_read_only_by_its_recipient(label: str) -> Callable:
    def check(world: World, response, role: str) -> list[str]:
        read = Notification.objects.get(pk=world.pk(label)).read_at is not None
        if read == (role == "trainee"):
            return []
        return [f"{label} {'was' if read else 'was not'} marked read"]
    return check


row(
    "notifications:open",
    # Opening one's notice marks it read and goes where it points (the world's point nowhere:
    # back to the list); anyone else's is not found and stays unread.
    Case(page(signed_in=404, trainee=to("notifications:list")),
         kwargs={"pk": pk("notice:trainee")}, idor="pk",
         check=marked_read_only_by_its_recipient("notice:trainee")),
    Case(page(signed_in=405), method="POST", kwargs={"pk": pk("notice:trainee")}),
)
row(
    "notifications:unsubscribe",
    # The signed link is the credential; it changes the trainee's setting whoever follows it.
    Case(cells(everyone=200), kwargs={"token": token("unsubscribe:trainee")}),
    Case(cells(everyone=200), method="POST", kwargs={"token": token("unsubscribe:trainee")},
         data={"delivery": "digest"}),
    Case(cells(everyone=400), kwargs={"token": "not-a-signed-link"}),
)
row(
    "account_profile",
    Case(page(signed_in=200)),
    Case(page(signed_in=to("account_profile")), method="POST",
         data={"full_name": "Renamed Person", "job_title": "Analyst", "phone": "+65 6123 4567"}),
    Case(page(signed_in=400), method="POST", data={"full_name": "", "phone": "12"},
         note="refused"),
)
row(
    "account_personal_data",
    Case(page(signed_in=200)),
    Case(page(signed_in=405), method="POST"),
)
row(
    "account_notifications",
    Case(page(signed_in=200)),
    Case(page(signed_in=to("account_notifications")), method="POST"),
)
row(
    "account_api_tokens",
    Case(page(**own("token")), rows=context_rows("tokens")),
    Case(page(signed_in=200), method="POST", data={"name": "Reporting", "valid_days": "90"}),
)
row(
    "account_api_token_revoke",
    Case(page(signed_in=404, trainee=to("account_api_tokens")), method="POST",
         kwargs={"pk": pk("token:trainee")}, idor="pk"),
    Case(page(signed_in=405), kwargs={"pk": pk("token:trainee")}),
)
row(
    "account_mfa_continue",
    Case(page(signed_in=MY_PORTAL)),
    Case(page(signed_in=405), method="POST"),
)

# --- django-allauth's account pages (its own views; the portal's adapter and MFA policy) ------
# Signed in, the pages for signing in send a person to their own page (/me/), programme staff to
# the programme's dashboard, or staff without a second factor to set one up. A session made by
# force_login has no recent authentication, so the pages that change a second factor first ask
# for the password again.

SIGNED_OUT_PAGE = {"staff_without_mfa": MFA_SETUP, "staff": DASHBOARD,
                   "programme_admin": DASHBOARD}
# Whether an address has an account is nobody's business: signing in with a wrong password,
# signing up and asking for a reset answer the same for a known and an unknown address.
row("account_login",
    Case(cells(SIGNED_OUT_PAGE, visitor=200, signed_in=MY_PORTAL)),
    Case(cells(SIGNED_OUT_PAGE, visitor=200, signed_in=MY_PORTAL), method="POST",
         data={"login": Ref("person:trainee", "email"), "password": "wrong"}, idor="login",
         absent="nobody@example.org", note="a known address, a wrong password"))
row("account_signup",
    Case(cells(SIGNED_OUT_PAGE, visitor=200, signed_in=MY_PORTAL)),
    Case(cells(SIGNED_OUT_PAGE, visitor=to("account_email_verification_sent"),
               signed_in=MY_PORTAL),
         method="POST",
         data={"email": Ref("person:trainee", "email"), "password1": "a-Long-pass-phrase-9",
               "password2": "a-Long-pass-phrase-9", "full_name": "Someone"},
         idor="email", absent="nobody@example.org", note="an address that has an account"))
row("account_logout",
    Case(cells(visitor=HOME, signed_in=200)),
    Case(cells(everyone=HOME), method="POST"))
row("account_inactive", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("account_reauthenticate",
    Case(page(signed_in=200)), Case(page(signed_in=200), method="POST"))
row("account_request_reauthentication_code",
    Case(page(signed_in=200)), Case(page(signed_in=200), method="POST"))
row("account_confirm_reauthentication_code",
    Case(page(signed_in=to("account_request_reauthentication_code"))),
    Case(page(signed_in=to("account_request_reauthentication_code")), method="POST"))
row("account_email", Case(page(signed_in=200)),
    Case(page(signed_in=to("account_email")), method="POST"))
row("account_email_verification_sent",
    Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("account_change_password",
    Case(page(signed_in=200)), Case(page(signed_in=200), method="POST"))
row("account_set_password",
    Case(page(signed_in=to("account_change_password"))),
    Case(page(signed_in=to("account_change_password")), method="POST"))
row("account_reset_password",
    Case(cells(everyone=200)),
    Case(cells(everyone=200), method="POST", data={"email": "not-an-address"}),
    Case(cells(everyone=to("account_reset_password_done")), method="POST",
         data={"email": Ref("person:trainee", "email")}, idor="email",
         absent="nobody@example.org", note="an address that has an account"))
row("account_reset_password_done",
    Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("account_reset_password_from_key",
    # A key that opens nothing shows the "bad link" page, whoever asks.
    Case(cells(everyone=200), kwargs={"uidb36": "1", "key": "not-a-key"}),
    Case(cells(everyone=200), method="POST", kwargs={"uidb36": "1", "key": "not-a-key"}))
row("account_reset_password_from_key_done",
    Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("account_confirm_login_code",
    Case(cells(SIGNED_OUT_PAGE, visitor=LOGIN, signed_in=MY_PORTAL)),
    Case(cells(SIGNED_OUT_PAGE, visitor=LOGIN, signed_in=MY_PORTAL), method="POST"))
row("account_confirm_email",
    Case(cells(everyone=200), kwargs={"key": "not-a-key"}),
    Case(cells(everyone=404), method="POST", kwargs={"key": "not-a-key"}))
row("mfa_index", Case(page(signed_in=200)), Case(page(signed_in=405), method="POST"))
row("mfa_authenticate",
    Case(cells(SIGNED_OUT_PAGE, visitor=LOGIN, signed_in=MY_PORTAL)),
    Case(cells(SIGNED_OUT_PAGE, visitor=LOGIN, signed_in=MY_PORTAL), method="POST"))
row("mfa_reauthenticate",
    Case(page(signed_in=REAUTHENTICATE, programme=200)),
    Case(page(signed_in=REAUTHENTICATE, programme=200), method="POST"))
row("mfa_activate_totp",
    Case(page(signed_in=REAUTHENTICATE)), Case(page(signed_in=REAUTHENTICATE), method="POST"))
# Only a person with an authenticator app has one to deactivate.
row("mfa_deactivate_totp",
    Case(page(signed_in=404, programme=REAUTHENTICATE)),
    Case(page(signed_in=404, programme=REAUTHENTICATE), method="POST"))
row("mfa_view_recovery_codes",
    Case(page(signed_in=404)), Case(page(signed_in=405), method="POST"))
row("mfa_generate_recovery_codes",
    Case(page(signed_in=REAUTHENTICATE)), Case(page(signed_in=REAUTHENTICATE), method="POST"))
row("mfa_download_recovery_codes",
    Case(page(signed_in=404)), Case(page(signed_in=404), method="POST"))

# --- The API: /api/v1/ -------------------------------------------------------------------------

row("api:root", Case(public_api(everyone=200)), Case(public_api(everyone=405), method="POST"))
# The schema and its documentation are public, to staff without MFA as to anyone.
row("api-schema", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row("api-docs", Case(cells(everyone=200)), Case(cells(everyone=405), method="POST"))
row(
    "api:me",
    # Staff without a second factor are answered here, so they can see what is missing.
    Case(api(signed_in=200, staff_without_mfa=200)),
    Case(api(signed_in=200, staff_without_mfa=200), method="PATCH", body="json",
         data={"full_name": "Renamed Person"}),
    Case(api(signed_in=405, staff_without_mfa=405), method="POST", body="json", data={}),
)
row(
    "api:me-api-tokens",
    Case(api(**own_api("token")), query="page_size=100", rows=api_rows(ApiToken)),
    Case(api(signed_in=201), method="POST", body="json", data={"name": "Reporting"}),
)
row(
    "api:me-api-token",
    Case(api(signed_in=404, trainee=200), kwargs={"pk": pk("token:trainee")}, idor="pk"),
    Case(api(signed_in=404, trainee=200), method="DELETE", kwargs={"pk": pk("token:trainee")},
         idor="pk"),
    Case(api(signed_in=405), method="POST", kwargs={"pk": pk("token:trainee")}, body="json",
         data={}),
)
row(
    "api:me-notification-preferences",
    Case(api(signed_in=200)),
    Case(api(signed_in=200), method="PUT", body="json",
         data={"preferences": [{"kind": "role_changed", "delivery": "digest"}]}),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)

# Organisations.
ORGANISATION_ROWS = api_rows(Organisation, key="slug")
row(
    "api:organisations-list",
    Case(public_api(everyone=ORGS_PUBLIC, other_org_admin=ORGS_PUBLIC | {"hidden"},
                    programme=ORGS_ALL), query="page_size=100", rows=ORGANISATION_ROWS),
    Case(public_api(everyone=NOTHING, other_org_admin=Rows({"hidden"}),
                    programme=Rows({"hidden"})),
         query="search=hidden", rows=ORGANISATION_ROWS, note="search for the hidden one"),
    Case(public_api(everyone=NOTHING, programme=Rows({"pending"})), query="status=pending",
         rows=ORGANISATION_ROWS, note="filtered by status"),
    Case(public_api(everyone=Rows({"xylo"}), other_org_admin=Rows({"xylo", "hidden"}),
                    programme=Rows({"xylo", "hidden"})),
         query="workstream=cm", rows=ORGANISATION_ROWS, note="filtered by workstream"),
    Case(api(signed_in=201), method="POST", body="json", data=REGISTRATION),
    # A hidden organisation's UEN is taken like any new one: the answer does not confirm it.
    # Its own admin is told it already acts for it (409 already_yours).
    Case(api(signed_in=201, other_org_admin=409, programme=400), method="POST", body="json",
         data={**REGISTRATION, "uen": Ref("hidden", "uen")}, idor="uen", absent="209999999Z",
         note="with the hidden organisation's UEN"),
)
row(
    "api:organisations-detail",
    Case(public_api(everyone=200), kwargs={"slug": "xylo"}),
    Case(public_api(everyone=404, other_org_admin=200, programme=200),
         kwargs={"slug": slug("hidden")}, idor="slug"),
    Case(public_api(everyone=404, programme=200), kwargs={"slug": slug("pending")}, idor="slug"),
    Case(api(signed_in=403, partner_admin=200, programme_admin=200), method="PATCH",
         kwargs={"slug": "xylo"}, body="json", data={"description": "Edited."}),
    Case(api(signed_in=404, other_org_admin=200, staff=403, programme_admin=200),
         method="PATCH", kwargs={"slug": slug("hidden")}, body="json",
         data={"description": "Edited."}, idor="slug"),
    Case(api(signed_in=405), method="DELETE", kwargs={"slug": "xylo"}),
)
for _action, _body in (("approve", APPROVE_ORGANISATION), ("decline", {"reason": "Out of scope."})):
    row(
        f"api:organisations-{_action}",
        Case(api(signed_in=403, programme_admin=200), method="POST",
             kwargs={"slug": slug("pending")}, body="json", data=_body, idor="slug"),
        Case(api(signed_in=403, programme_admin=405), kwargs={"slug": slug("pending")}),
    )
row(
    "api:organisations-set-tier",
    Case(api(signed_in=403, programme_admin=200), method="POST", kwargs={"slug": "xylo"},
         body="json", data={"tier": "core", "tier_starts_on": "2026-01-01"}),
    Case(api(signed_in=403, programme_admin=200), method="POST", kwargs={"slug": slug("hidden")},
         body="json", data={"tier": "core", "tier_starts_on": "2026-01-01"}, idor="slug"),
)

# The people of organisations.
row(
    "api:organisation-memberships-list",
    Case(api(trainee=NOTHING, partner_member=XYLO_PEOPLE, partner_admin=XYLO_PEOPLE,
             other_org_admin=HIDDEN_PEOPLE, programme=ALL_PEOPLE),
         query="page_size=100", rows=api_rows(OrganisationMembership)),
    Case(api(signed_in=NOTHING, other_org_admin=HIDDEN_PEOPLE, programme=HIDDEN_PEOPLE),
         query="organisation=other-hidden", rows=api_rows(OrganisationMembership),
         note="filtered to the hidden organisation"),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:organisation-memberships-detail",
    Case(api(signed_in=404, partner_member=200, partner_admin=200, programme=200),
         kwargs={"pk": pk("xylo:colleague")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=200),
         kwargs={"pk": pk("hidden:other_member")}, idor="pk"),
    Case(api(signed_in=404, partner_member=403, partner_admin=200, staff=403,
             programme_admin=200),
         method="PATCH", kwargs={"pk": pk("xylo:colleague")}, body="json",
         data={"role": "admin"}, idor="pk"),
    Case(api(signed_in=404, partner_member=403, partner_admin=204, staff=403,
             programme_admin=204),
         method="DELETE", kwargs={"pk": pk("xylo:colleague")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=204, staff=403, programme_admin=204),
         method="DELETE", kwargs={"pk": pk("hidden:other_member")}, idor="pk"),
)
INVITATION_ROWS = api_rows(Invitation)
row(
    "api:invitations-list",
    Case(api(signed_in=NOTHING, partner_admin=Rows({"invite:xylo", "invite:xylo-link"}),
             other_org_admin=Rows({"invite:hidden"}),
             programme=Rows({"invite:xylo", "invite:xylo-link", "invite:hidden"})),
         query="page_size=100", rows=INVITATION_ROWS),
    Case(api(signed_in=403, partner_admin=201, programme_admin=201), method="POST",
         body="json", data={"organisation": "xylo", "email": "ang@example.org"}),
    # An organisation the caller may not see is "no such organisation", word for word.
    Case(api(signed_in=400, other_org_admin=201, staff=403, programme_admin=201),
         method="POST", body="json",
         data={"organisation": slug("hidden"), "email": "ang@example.org"}, idor="organisation",
         note="for the hidden organisation"),
)
row(
    "api:invitations-detail",
    Case(api(signed_in=404, partner_admin=200, programme=200), kwargs={"pk": pk("invite:xylo")},
         idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=200),
         kwargs={"pk": pk("invite:hidden")}, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("invite:xylo")}),
)
row(
    "api:invitations-revoke",
    Case(api(signed_in=404, partner_admin=200, staff=403, programme_admin=200), method="POST",
         kwargs={"pk": pk("invite:xylo")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, staff=403, programme_admin=200),
         method="POST", kwargs={"pk": pk("invite:hidden")}, idor="pk"),
)
row(
    "api:invitations-resend",
    # Sent moments ago, the world's invitations are not sent again (409) to those who may.
    Case(api(signed_in=404, partner_admin=409, staff=403, programme_admin=409), method="POST",
         kwargs={"pk": pk("invite:xylo")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=409, staff=403, programme_admin=409),
         method="POST", kwargs={"pk": pk("invite:hidden")}, idor="pk"),
)
row(
    "api:invitations-accept",
    # The link is addressed to link.holder@example.org, whom no role is.
    Case(api(signed_in=403), method="POST", body="json",
         data={"token": token("invitation:xylo")}),
    Case(api(signed_in=404), method="POST", body="json", data={"token": "not-a-real-token"}),
)
row(
    "api:invitations-import-csv",
    Case(api(signed_in=403, partner_admin=200, programme_admin=200), method="POST",
         body="multipart", data=csv_upload),
    Case(api(signed_in=400, other_org_admin=200, staff=403, programme_admin=200),
         method="POST", body="multipart",
         data={"organisation": slug("hidden"), "file": lambda w: csv_upload(w)["file"]},
         idor="organisation", note="for the hidden organisation"),
)
PERSON_REQUEST_ROWS = api_rows(PersonRequest)
row(
    "api:person-requests-list",
    Case(api(signed_in=NOTHING, trainee=Rows({"trainee->public"}),
             partner_admin=Rows({"requester->xylo"}),
             programme=Rows({"requester->xylo", "trainee->public"})),
         query="page_size=100", rows=PERSON_REQUEST_ROWS),
    Case(api(signed_in=201, partner_member=409, partner_admin=409, programme_admin=403),
         method="POST", body="json", data={"organisation": "xylo"}),
    # Staff see it, but nobody asks to join an unlisted organisation: "no such organisation".
    Case(api(signed_in=400, other_org_admin=409, staff=404, programme_admin=403),
         method="POST", body="json", data={"organisation": slug("hidden")},
         idor="organisation", note="to join the hidden organisation"),
)
row(
    "api:person-requests-detail",
    Case(api(signed_in=404, partner_admin=200, programme=200),
         kwargs={"pk": pk("requester->xylo")}, idor="pk"),
    Case(api(signed_in=404, trainee=200, programme=200), kwargs={"pk": pk("trainee->public")},
         idor="pk"),
)
for _action in ("approve", "decline"):
    row(
        f"api:person-requests-{_action}",
        Case(api(signed_in=404, partner_admin=200, staff=403, programme_admin=200),
             method="POST", kwargs={"pk": pk("requester->xylo")}, body="json", data={},
             idor="pk"),
        Case(api(signed_in=404, trainee=403, staff=403, programme_admin=200), method="POST",
             kwargs={"pk": pk("trainee->public")}, body="json", data={}, idor="pk",
             note="a request to an organisation nobody of ours administers"),
    )
row(
    "api:person-requests-withdraw",
    Case(api(signed_in=404, trainee=200, programme=403), method="POST",
         kwargs={"pk": pk("trainee->public")}, idor="pk"),
    Case(api(signed_in=404, partner_admin=403, programme=403), method="POST",
         kwargs={"pk": pk("requester->xylo")}, idor="pk"),
)
AGREEMENT_ROWS = api_rows(Agreement)
row(
    "api:agreements-list",
    Case(api(signed_in=NOTHING, partner_admin=XYLO_AGREEMENTS,
             other_org_admin=HIDDEN_AGREEMENTS, programme=XYLO_AGREEMENTS | HIDDEN_AGREEMENTS),
         query="page_size=100", rows=AGREEMENT_ROWS),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:agreements-detail",
    Case(api(signed_in=404, partner_admin=200, programme=200),
         kwargs={"pk": pk("agreement:xylo")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=200),
         kwargs={"pk": pk("agreement:hidden")}, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("agreement:xylo")}),
)


def signed_pdf_api(world: World) -> dict:
    return {"upload": agreement_pdf("signed.pdf")}


row(
    "api:agreements-signed-copy",
    # The organisation's admins upload; staff find the agreement, and the service refuses them.
    Case(api(signed_in=404, partner_admin=200, programme=403), method="POST", body="multipart",
         kwargs={"pk": pk("agreement:xylo-nda")}, data=signed_pdf_api, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=403), method="POST",
         body="multipart", kwargs={"pk": pk("agreement:hidden-nda")}, data=signed_pdf_api,
         idor="pk"),
)
row(
    "api:agreements-confirm",
    Case(api(signed_in=403, programme_admin=200), method="POST", body="json",
         kwargs={"pk": pk("agreement:hidden-nda")}, data=CONFIRM_AGREEMENT, idor="pk"),
    Case(api(signed_in=403, programme_admin=405), kwargs={"pk": pk("agreement:xylo-nda")}),
)
row(
    "api:organisations-renew",
    Case(api(signed_in=403, programme_admin=200), method="POST", body="json",
         kwargs={"slug": "xylo"}, data=renewal_of("xylo")),
    Case(api(signed_in=403, programme_admin=200), method="POST", body="json",
         kwargs={"slug": slug("hidden")}, data=renewal_of("hidden"), idor="slug"),
    Case(api(signed_in=403, programme_admin=405), kwargs={"slug": "xylo"}),
)
RENEWAL_ROWS = api_rows(RenewalRequest)
row(
    "api:renewal-requests-list",
    Case(api(signed_in=NOTHING, partner_member=Rows({"renewal:xylo"}),
             partner_admin=Rows({"renewal:xylo"}), other_org_admin=Rows({"renewal:hidden"}),
             programme=Rows({"renewal:xylo", "renewal:hidden"})),
         query="page_size=100", rows=RENEWAL_ROWS),
    # Xylo's request already waits; only its admins may ask.
    Case(api(signed_in=403, partner_admin=409), method="POST", body="json",
         data={"organisation": "xylo"}),
    Case(api(signed_in=400, other_org_admin=409, programme=403), method="POST", body="json",
         data={"organisation": slug("hidden")}, idor="organisation",
         note="for the hidden organisation"),
)
row(
    "api:renewal-requests-detail",
    Case(api(signed_in=404, partner_member=200, partner_admin=200, programme=200),
         kwargs={"pk": pk("renewal:xylo")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=200),
         kwargs={"pk": pk("renewal:hidden")}, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("renewal:xylo")}),
)
row(
    "api:renewal-requests-withdraw",
    Case(api(signed_in=404, partner_member=403, partner_admin=200, programme=403),
         method="POST", kwargs={"pk": pk("renewal:xylo")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=403), method="POST",
         kwargs={"pk": pk("renewal:hidden")}, idor="pk"),
)
row(
    "api:renewal-requests-decline",
    Case(api(signed_in=403, programme_admin=200), method="POST", body="json",
         kwargs={"pk": pk("renewal:hidden")}, data=DECLINE_RENEWAL, idor="pk"),
    Case(api(signed_in=403, programme_admin=405), kwargs={"pk": pk("renewal:hidden")}),
)

# Workstreams, requests to join them, memberships.
row(
    "api:workstreams-list",
    Case(public_api(everyone=COUNTS_PUBLIC, other_org_admin=COUNTS_ALL, programme=COUNTS_ALL),
         query="page_size=100", rows=api_rows(Workstream, key="slug", count_of="member_count")),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:workstreams-detail",
    Case(public_api(everyone=200), kwargs={"slug": "cm"}),
    Case(public_api(everyone=404), kwargs={"slug": MISSING_SLUG}),
    Case(api(signed_in=405), method="DELETE", kwargs={"slug": "cm"}),
)
row(
    "api:workstreams-activate",
    Case(api(signed_in=403, programme_admin=200), method="POST", kwargs={"slug": "analytics"}),
    Case(api(signed_in=403, programme_admin=404), method="POST", kwargs={"slug": MISSING_SLUG}),
)
JOIN_REQUEST_ROWS = api_rows(JoinRequest)
row(
    "api:join-requests-list",
    Case(api(signed_in=NOTHING, partner_member=Rows({"xylo->df"}),
             partner_admin=Rows({"xylo->df"}), other_org_admin=Rows({"hidden->df"}),
             programme=Rows({"xylo->df", "hidden->df"})),
         query="page_size=100", rows=JOIN_REQUEST_ROWS),
    Case(api(signed_in=NOTHING, other_org_admin=Rows({"hidden->df"}),
             programme=Rows({"hidden->df"})),
         query="organisation=other-hidden", rows=JOIN_REQUEST_ROWS,
         note="filtered to the hidden organisation"),
    Case(api(signed_in=403, partner_admin=201), method="POST", body="json", data=JOIN),
    Case(api(signed_in=400, other_org_admin=201, programme=403), method="POST", body="json",
         data={**JOIN, "organisation": slug("hidden")}, idor="organisation",
         note="for the hidden organisation"),
)
row(
    "api:join-requests-detail",
    Case(api(signed_in=404, partner_member=200, partner_admin=200, programme=200),
         kwargs={"pk": pk("xylo->df")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=200), kwargs={"pk": pk("hidden->df")},
         idor="pk"),
)
for _action, _body in (("approve", {"role": "observer"}), ("decline", {"reason": "Not now."})):
    row(
        f"api:join-requests-{_action}",
        Case(api(signed_in=403, programme=200), method="POST", kwargs={"pk": pk("hidden->df")},
             body="json", data=_body, idor="pk"),
        Case(api(signed_in=403, programme=405), kwargs={"pk": pk("hidden->df")}),
    )
row(
    "api:join-requests-withdraw",
    Case(api(signed_in=404, partner_member=403, partner_admin=200, programme=403),
         method="POST", kwargs={"pk": pk("xylo->df")}, idor="pk"),
    Case(api(signed_in=404, other_org_admin=200, programme=403), method="POST",
         kwargs={"pk": pk("hidden->df")}, idor="pk"),
)
WORKSTREAM_MEMBERSHIP_ROWS = api_rows(WorkstreamMembership)
row(
    "api:workstream-memberships-list",
    Case(public_api(everyone=Rows({"xylo@cm", "public@bc"}),
                    other_org_admin=Rows({"xylo@cm", "hidden@cm", "public@bc"}),
                    programme=Rows({"xylo@cm", "hidden@cm", "public@bc"})),
         query="page_size=100", rows=WORKSTREAM_MEMBERSHIP_ROWS),
    Case(public_api(everyone=NOTHING, other_org_admin=Rows({"hidden@cm"}),
                    programme=Rows({"hidden@cm"})),
         query="organisation=other-hidden", rows=WORKSTREAM_MEMBERSHIP_ROWS,
         note="filtered to the hidden organisation"),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:workstream-memberships-detail",
    Case(public_api(everyone=200), kwargs={"pk": pk("xylo@cm")}),
    Case(public_api(everyone=404, other_org_admin=200, programme=200),
         kwargs={"pk": pk("hidden@cm")}, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("xylo@cm")}),
)
row(
    "api:workstream-memberships-end",
    Case(api(signed_in=403, programme=200), method="POST", kwargs={"pk": pk("hidden@cm")},
         body="json", data={"reason": "Left."}, idor="pk"),
    Case(api(signed_in=403, programme=405), kwargs={"pk": pk("hidden@cm")}),
)

# The caller's notifications.
row(
    "api:notifications-list",
    Case(api(**own_api("notice")), query="page_size=100", rows=api_rows(Notification)),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)
row(
    "api:notifications-detail",
    Case(api(signed_in=404, trainee=200), kwargs={"pk": pk("notice:trainee")}, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("notice:trainee")}),
)
row(
    "api:notifications-mark-read",
    Case(api(signed_in=404, trainee=200), method="POST", kwargs={"pk": pk("notice:trainee")},
         idor="pk",
         check=lambda w, response, role: (
             [] if role == "trainee" else still_unread("notice:trainee")(w, response, role))),
)
row(
    "api:notifications-mark-all-read",
    Case(api(signed_in=200), method="POST",
         check=lambda w, response, role: (
             [] if role == "trainee" else still_unread("notice:trainee")(w, response, role))),
    Case(api(signed_in=405)),
)


# --- projects: pages ---------------------------------------------------------------------------
# Who sees each project of the world at all (permissions.project_access above NONE): anyone
# else gets the very answer a project that does not exist gets. Xylo takes part in the public,
# members-only and joint projects; Other Hidden leads the participants-only one and takes part
# in the joint one, and as a member of Continuous Manufacturing sees the members-only one as a
# member; the draft is staff's alone. Nobody of the table's roles is on a project's team.
XYLO_SIDE = frozenset({"partner_member", "partner_admin"})
PROJECT_SEEN: dict[str, frozenset[str]] = {
    "project:members": frozenset({*PARTNERS, *STAFF}),
    "project:private": frozenset({"other_org_admin", *STAFF}),
    "project:joint": frozenset({*PARTNERS, *STAFF}),
    "project:draft": frozenset(STAFF),
    "milestone:members": frozenset({*PARTNERS, *STAFF}),
    "milestone:private": frozenset({"other_org_admin", *STAFF}),
    "deliverable:submitted": frozenset({*PARTNERS, *STAFF}),
    "deliverable:pending": frozenset({*PARTNERS, *STAFF}),
    "deliverable:private": frozenset({"other_org_admin", *STAFF}),
    # Status updates and contributions are for those who see a project in full; of
    # contributions, only the organisation's own people and staff.
    "update:members": frozenset({*XYLO_SIDE, *STAFF}),
    "contribution:xylo": frozenset({*XYLO_SIDE, *STAFF}),
    "contribution:hidden": frozenset({"other_org_admin", *STAFF}),
}
# The roles that sign in to a project's form pages, as on every staff page: a visitor is sent
# to sign in, staff without a second factor to set one up, before anything is looked up.
SIGN_IN_FIRST = {"visitor": LOGIN, "staff_without_mfa": MFA_SETUP}


def code(label: str) -> Ref:
    return Ref(label, "code")


def project_cells(label: str, *, seen: Any, unseen: Any = 404, defaults: dict | None = None,
                  **given) -> dict[str, Any]:
    """Every role's answer about one project (or a thing of it): `seen` for those who see it,
    `unseen` (the answer for nothing at all) for the rest; then `defaults`, then groups, then
    roles one by one."""
    visible = PROJECT_SEEN.get(label, frozenset(ROLES))
    answer = {role: seen if role in visible else unseen for role in ROLES}
    answer.update(defaults or {})
    for group, roles in _GROUPS.items():
        if group in given:
            answer.update(dict.fromkeys(roles, given.pop(group)))
    unknown = set(given) - set(ROLES)
    if unknown:
        raise ValueError(f"not roles: {sorted(unknown)}")
    answer.update(given)
    return answer


def plan_cells(label: str, **given) -> dict[str, Any]:
    """A form page of the plan: signed in first; a project (or its thing) the person does not
    see is missing; seen but not theirs to change, 403."""
    return project_cells(label, seen=403, defaults=SIGN_IN_FIRST, **given)


def detail_of(label: str) -> Redirect:
    return to("projects:detail", code=code(label))


def in_days_iso(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def project_fields(world: World, **changes) -> dict:
    return {"title": "Inline spectroscopy for drying", "summary": "Soft sensors on the dryer.",
            "objectives": "End-point detection without sampling.",
            "lead_organisation": world.pk("xylo"),
            "principal_investigator": world["xylo:colleague"].person.email,
            "starts_on": in_days_iso(-90), "ends_on": in_days_iso(640), "trl_start": "3",
            "trl_target": "6", "visibility": "members", "officer": "", **changes}


def edit_fields(world: World, **changes) -> dict:
    return project_fields(world, trl_current="4", **changes)


def new_project_fields(world: World) -> dict:
    return project_fields(world, workstream=world.pk("cm"), participants=[world.pk("hidden")],
                          team="", **{"skills-TOTAL_FORMS": "0", "skills-INITIAL_FORMS": "0"})


def milestone_fields(world: World) -> dict:
    return {"title": "Dryer instrumented", "due_on": in_days_iso(45), "description": ""}


def deliverable_fields(world: World) -> dict:
    return {"title": "Sensor dataset", "kind": "dataset", "due_on": in_days_iso(90),
            "milestone": ""}


def deliverable_upload(world: World) -> dict:
    return {"file": pdf_file("draft-report.pdf")}


def status_update_fields(world: World) -> dict:
    return {"period": timezone.localdate().strftime("%Y-%m"), "overall": "green",
            "schedule": "green", "budget": "amber", "narrative": "The pilot line ran all month.",
            "trl": ""}


def contribution_fields(world: World) -> dict:
    return {"organisation": world.pk("xylo"), "year": str(timezone.localdate().year),
            "kind": "in_kind", "committed_sgd": "25000", "actual_sgd": "0"}


PROJECT_LIST_ROWS = context_rows("page")
row(
    "projects:list",
    Case(cells(everyone=Rows({"project:public"}), partner_member=XYLO_PROJECTS,
               partner_admin=XYLO_PROJECTS, other_org_admin=HIDDEN_PROJECTS,
               programme=ALL_PROJECTS), rows=PROJECT_LIST_ROWS),
    # A search for the participants-only project's title finds it only for those who see it.
    Case(cells(everyone=NOTHING, other_org_admin=Rows({"project:private"}),
               programme=Rows({"project:private"})),
         query="q=Confidential+enzyme", rows=PROJECT_LIST_ROWS, note="search for the private one"),
    Case(cells(everyone=NOTHING, programme=Rows({"project:draft"})), query="q=Unannounced",
         rows=PROJECT_LIST_ROWS, note="search for the draft"),
    # Filters by what a summary hides (who takes part, the rating) are staff's: to anyone else
    # they filter nothing, so they tell nothing.
    Case(cells(everyone=Rows({"project:public"}), partner_member=XYLO_PROJECTS,
               partner_admin=XYLO_PROJECTS, other_org_admin=HIDDEN_PROJECTS,
               programme=Rows({"project:private", "project:joint"})),
         query="organisation=other-hidden", rows=PROJECT_LIST_ROWS,
         note="filtered by a participant"),
    Case(cells(everyone=Rows({"project:public"}), partner_member=XYLO_PROJECTS,
               partner_admin=XYLO_PROJECTS, other_org_admin=HIDDEN_PROJECTS,
               programme=Rows({"project:members"})),
         query="rag=amber", rows=PROJECT_LIST_ROWS, note="filtered by the rating"),
    Case(cells(everyone=405), method="POST"),
)
def lists_every_project(world: World, response, role: str) -> list[str]:
    """Staff's export lists the whole portfolio, drafts and participants-only projects too."""
    if role not in STAFF:
        return []
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content).decode()
    missing = sorted(label for label in ALL_PROJECTS if world[label].code not in content)
    return [f"the export lacks {missing}"] if missing else []


row(
    "projects:portfolio_csv",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), check=lists_every_project),
    Case(cells(STAFF_PAGE, outsiders=403, programme=405), method="POST"),
)
# Totals of the contributions the person may see: staff every organisation's, anyone else only
# their own organisations' (the secrets hold the other organisation's figure and the sum).
def totals_page_rows(world: World, response) -> tuple[set[str], list[str]]:
    """Rows of the contribution totals page: the organisations it totals, by their labels."""
    page_of = response.context["organisations"]
    return {world.label_by(Organisation, "slug", row["organisation__slug"])
            for row in page_of.object_list}, []


row(
    "projects:contribution_totals",
    Case(page(signed_in=NOTHING, partner_member=Rows({"xylo"}), partner_admin=Rows({"xylo"}),
              other_org_admin=Rows({"hidden"}), programme=Rows({"xylo", "hidden"})),
         rows=totals_page_rows),
    Case(page(signed_in=405), method="POST"),
)
row(
    "projects:create",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200)),
    Case(cells(STAFF_PAGE, outsiders=403, programme=to("projects:detail")), method="POST",
         data=new_project_fields),
    Case(cells(STAFF_PAGE, outsiders=403, programme=400), method="POST",
         data=lambda w: {**new_project_fields(w), "participants": [w.pk("pending")]},
         note="an organisation outside the workstream"),
)
# Each project's page, as each role sees it: its plan (milestones, deliverables), its
# participants, and for those who see it in full its status updates and their own
# organisation's contributions.
PROJECT_PAGE_ROWS = context_rows("participants", "milestones", "deliverables", "status_updates",
                                 "own_contributions")
MEMBERS_PLAN = Rows({"xylo", "milestone:members", "deliverable:submitted",
                     "deliverable:pending"})
row(
    "projects:detail",
    Case(project_cells("project:public", seen=Rows({"xylo"}), visitor=NOTHING, trainee=NOTHING,
                       staff_without_mfa=NOTHING),
         kwargs={"code": code("project:public")}, rows=PROJECT_PAGE_ROWS),
    Case(project_cells("project:members", seen=MEMBERS_PLAN | {"update:members"},
                       other_org_admin=MEMBERS_PLAN),
         kwargs={"code": code("project:members")}, rows=PROJECT_PAGE_ROWS, idor="code"),
    Case(project_cells("project:private",
                       seen=Rows({"hidden", "milestone:private", "deliverable:private"})),
         kwargs={"code": code("project:private")}, rows=PROJECT_PAGE_ROWS, idor="code"),
    Case(project_cells("project:joint", seen=Rows({"xylo", "hidden"}),
                       partner_member=Rows({"xylo", "hidden", "contribution:xylo"}),
                       partner_admin=Rows({"xylo", "hidden", "contribution:xylo"}),
                       other_org_admin=Rows({"xylo", "hidden", "contribution:hidden"})),
         kwargs={"code": code("project:joint")}, rows=PROJECT_PAGE_ROWS, idor="code",
         discloses=(("hidden", XYLO_SIDE),)),
    Case(project_cells("project:draft", seen=Rows({"xylo"})),
         kwargs={"code": code("project:draft")}, rows=PROJECT_PAGE_ROWS, idor="code"),
    Case(cells(everyone=404), kwargs={"code": MISSING_SLUG}),
    Case(cells(everyone=405), method="POST", kwargs={"code": code("project:public")}),
)
# Staff pages: refused to everyone else before the project is looked up, so a project hidden
# from them and no project at all get the same 403.
STAFF_PROJECT_PAGE_POSTS = {
    "history": (Case(cells(STAFF_PAGE, outsiders=403, programme=405), method="POST",
                     kwargs={"code": code("project:public")}),),
    "edit": (
        Case(cells(STAFF_PAGE, outsiders=403, programme=detail_of("project:public")),
             method="POST", kwargs={"code": code("project:public")}, data=edit_fields),
        Case(cells(STAFF_PAGE, outsiders=403, programme=400), method="POST",
             kwargs={"code": code("project:public")},
             data=lambda w: edit_fields(w, trl_target="2"), note="a target below the start"),
    ),
    "people": (
        Case(cells(STAFF_PAGE, outsiders=403,
                   programme=to("projects:people", code=code("project:joint"))),
             method="POST", kwargs={"code": code("project:joint")},
             data={"part": "team", "team": ""}, note="the team"),
        # Other Hidden has contributions recorded: it is not taken off.
        Case(cells(STAFF_PAGE, outsiders=403, programme=400), method="POST",
             kwargs={"code": code("project:joint")},
             data=lambda w: {"part": "participants", "participants": [w.pk("xylo")]},
             note="taking off an organisation with contributions"),
    ),
}
for _name, _posts in STAFF_PROJECT_PAGE_POSTS.items():
    row(
        f"projects:{_name}",
        Case(cells(STAFF_PAGE, outsiders=403, programme=200),
             kwargs={"code": code("project:public")}),
        Case(cells(STAFF_PAGE, outsiders=403, programme=200),
             kwargs={"code": code("project:private")}, idor="code"),
        Case(cells(STAFF_PAGE, outsiders=403, programme=200),
             kwargs={"code": code("project:draft")}, idor="code"),
        Case(cells(STAFF_PAGE, outsiders=403, programme=404), kwargs={"code": MISSING_SLUG}),
        *_posts,
    )


def move(label: str, state: str) -> dict:
    return {"code": code(label), "to": state}


# The lifecycle: programme staff move (the programme office alone stops a project that has
# started); the principal investigator, who is none of the table's roles, puts a draft forward.
# A project the person does not see is missing; one they see but may not move, a 403.
row(
    "projects:move",
    Case(project_cells("project:public", seen=403, defaults=SIGN_IN_FIRST, programme=200),
         kwargs=move("project:public", "on_hold"), note="asks first"),
    Case(project_cells("project:public", seen=403, defaults=SIGN_IN_FIRST,
                       programme=detail_of("project:public")),
         method="POST", kwargs=move("project:public", "completed")),
    Case(project_cells("project:public", seen=403, defaults=SIGN_IN_FIRST, programme=400),
         method="POST", kwargs=move("project:public", "on_hold"), data={"reason": ""},
         note="on hold without a reason"),
    # From active, back to draft is no move at all: the page names the moves there are.
    Case(project_cells("project:public", seen=403, defaults=SIGN_IN_FIRST, programme=409),
         method="POST", kwargs=move("project:public", "draft"), data={"reason": "Rethink."},
         note="a move its state does not allow"),
    Case(project_cells("project:public", seen=403, defaults=SIGN_IN_FIRST, staff=403,
                       programme_admin=detail_of("project:public")),
         method="POST", kwargs=move("project:public", "cancelled"),
         data={"reason": "The partner withdrew."}, note="cancelled by the programme office"),
    Case(project_cells("project:private", seen=403, defaults=SIGN_IN_FIRST,
                       programme=detail_of("project:private")),
         method="POST", kwargs=move("project:private", "on_hold"),
         data={"reason": "Waiting for the enzyme supplier."}, idor="code"),
    Case(project_cells("project:draft", seen=403, defaults=SIGN_IN_FIRST,
                       programme=detail_of("project:draft")),
         method="POST", kwargs=move("project:draft", "proposed"), idor="code"),
    Case(cells(SIGN_IN_FIRST, signed_in=404), kwargs=move("project:public", "no-such-state")),
)

# The plan: staff and the project's team (none of the table's roles) plan; the participating
# organisations' people see it and are refused; the workstream's members see it, not its
# status updates; everyone else finds no project.
MEMBERS_PLAN_URL = detail_of("project:members")
row(
    "projects:milestone_create",
    Case(plan_cells("project:members", programme=200), kwargs={"code": code("project:members")},
         idor="code"),
    Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL), method="POST",
         kwargs={"code": code("project:members")}, data=milestone_fields, idor="code"),
    Case(plan_cells("project:members", programme=400), method="POST",
         kwargs={"code": code("project:members")},
         data=lambda w: {**milestone_fields(w), "due_on": in_days_iso(900)},
         note="due after the project ends"),
    Case(plan_cells("project:private", programme=200), kwargs={"code": code("project:private")},
         idor="code"),
)
MEMBERS_MILESTONE = {"code": code("project:members"), "pk": pk("milestone:members")}
# Another project's milestone under this project's address: missing for everyone.
FOREIGN_MILESTONE = {"code": code("project:members"), "pk": pk("milestone:private")}
for _name, _post in (
        ("milestone_edit", Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL),
                                method="POST", kwargs=MEMBERS_MILESTONE, data=milestone_fields)),
        ("milestone_complete", Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL),
                                    method="POST", kwargs=MEMBERS_MILESTONE,
                                    data={"completed_on": ""})),
        # Not reached yet: staff are told so on the project's page.
        ("milestone_reopen", Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL),
                                  method="POST", kwargs=MEMBERS_MILESTONE)),
        ("milestone_delete", Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL),
                                  method="POST", kwargs=MEMBERS_MILESTONE)),
):
    row(
        f"projects:{_name}",
        Case(plan_cells("project:members", programme=200), kwargs=MEMBERS_MILESTONE,
             idor="code"),
        _post,
        Case(cells(SIGN_IN_FIRST, signed_in=404), method="POST", kwargs=FOREIGN_MILESTONE,
             data=milestone_fields, idor="pk", note="another project's milestone"),
    )
row(
    "projects:deliverable_create",
    Case(plan_cells("project:members", programme=200), kwargs={"code": code("project:members")},
         idor="code"),
    Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL), method="POST",
         kwargs={"code": code("project:members")}, data=deliverable_fields),
    Case(plan_cells("project:members", programme=400), method="POST",
         kwargs={"code": code("project:members")},
         data=lambda w: {**deliverable_fields(w), "milestone": w.pk("milestone:private")},
         note="another project's milestone"),
    Case(plan_cells("project:private", programme=200), kwargs={"code": code("project:private")},
         idor="code"),
)
PENDING = {"code": code("project:members"), "pk": pk("deliverable:pending")}
SUBMITTED = {"code": code("project:members"), "pk": pk("deliverable:submitted")}
PRIVATE_DELIVERABLE = {"code": code("project:private"), "pk": pk("deliverable:private")}
FOREIGN_DELIVERABLE = {"code": code("project:members"), "pk": pk("deliverable:private")}


def deliverable_page(label: str) -> Redirect:
    return to("projects:deliverable", code=code(f"project:{label.split(':')[1]}"),
              pk=pk(label))


row(
    "projects:deliverable",
    # Its page for anyone who sees the plan; its file only for those who see the project in
    # full (projects:deliverable_file).
    Case(project_cells("project:members", seen=200), kwargs=SUBMITTED, idor="code"),
    Case(project_cells("project:private", seen=200), kwargs=PRIVATE_DELIVERABLE, idor="code"),
    Case(cells(everyone=404), kwargs=FOREIGN_DELIVERABLE, idor="pk",
         note="another project's deliverable"),
    Case(cells(everyone=405), method="POST", kwargs=SUBMITTED),
)
row(
    "projects:deliverable_edit",
    Case(plan_cells("project:members", programme=200), kwargs=PENDING, idor="code"),
    Case(plan_cells("project:members",
                    programme=to("projects:deliverable", code=code("project:members"),
                                 pk=pk("deliverable:pending"))),
         method="POST", kwargs=PENDING, data=deliverable_fields),
    # Submitted: its terms no longer change; staff are sent to its page.
    Case(plan_cells("project:members",
                    programme=to("projects:deliverable", code=code("project:members"),
                                 pk=pk("deliverable:submitted"))),
         kwargs=SUBMITTED, note="submitted"),
    Case(cells(SIGN_IN_FIRST, signed_in=404), kwargs=FOREIGN_DELIVERABLE, idor="pk",
         note="another project's deliverable"),
)
row(
    "projects:deliverable_delete",
    Case(plan_cells("project:members", programme=200), kwargs=PENDING, idor="code",
         note="asks first"),
    Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL), method="POST",
         kwargs=PENDING),
    # Worked on already: it stays, and staff are told so on its page.
    Case(plan_cells("project:members",
                    programme=to("projects:deliverable", code=code("project:members"),
                                 pk=pk("deliverable:submitted"))),
         method="POST", kwargs=SUBMITTED, note="submitted"),
    Case(cells(SIGN_IN_FIRST, signed_in=404), method="POST", kwargs=FOREIGN_DELIVERABLE,
         idor="pk", note="another project's deliverable"),
)
PENDING_PAGE = to("projects:deliverable", code=code("project:members"),
                  pk=pk("deliverable:pending"))
PRIVATE_PAGE = to("projects:deliverable", code=code("project:private"),
                  pk=pk("deliverable:private"))
# The work on a deliverable: the lead organisation's people (Xylo's, for the members-only
# project) upload drafts and submit; staff review and never submit; a workstream member who
# sees the plan is refused.
row(
    "projects:deliverable_draft",
    Case(plan_cells("project:members", partner_member=PENDING_PAGE, partner_admin=PENDING_PAGE,
                    programme=403),
         method="POST", kwargs=PENDING, data=deliverable_upload, body="multipart", idor="code"),
    # Other Hidden leads the participants-only project: its admin works on its deliverables.
    Case(plan_cells("project:private", other_org_admin=PRIVATE_PAGE, programme=403),
         method="POST", kwargs=PRIVATE_DELIVERABLE, data=deliverable_upload, body="multipart",
         idor="code"),
    Case(cells(everyone=405), kwargs=PENDING),
)
row(
    "projects:deliverable_submit",
    Case(plan_cells("project:members", partner_member=PENDING_PAGE, partner_admin=PENDING_PAGE,
                    programme=403),
         method="POST", kwargs=PENDING, data=deliverable_upload, body="multipart", idor="code"),
    # Already submitted: the lead organisation's people are told it cannot be submitted now.
    Case(plan_cells("project:members", partner_member=409, partner_admin=409, programme=403),
         method="POST", kwargs=SUBMITTED, data=deliverable_upload, body="multipart",
         note="submitted already"),
    # Other Hidden leads the participants-only project: its admin works on its deliverables.
    Case(plan_cells("project:private", other_org_admin=PRIVATE_PAGE, programme=403),
         method="POST", kwargs=PRIVATE_DELIVERABLE, data=deliverable_upload, body="multipart",
         idor="code"),
    Case(cells(everyone=405), kwargs=PENDING),
)
row(
    "projects:deliverable_review",
    Case(plan_cells("project:members",
                    programme=to("projects:deliverable", code=code("project:members"),
                                 pk=pk("deliverable:submitted"))),
         method="POST", kwargs=SUBMITTED, data={"decision": "approve", "comments": ""},
         idor="code"),
    Case(plan_cells("project:members", programme=400), method="POST", kwargs=SUBMITTED,
         data={"decision": "return", "comments": ""}, note="returned without comments"),
    # A draft is not for review yet.
    Case(plan_cells("project:private", programme=409), method="POST", kwargs=PRIVATE_DELIVERABLE,
         data={"decision": "approve", "comments": ""}, idor="code"),
    Case(cells(everyone=405), kwargs=SUBMITTED),
)
row(
    "projects:deliverable_file",
    Case(project_cells("project:members", seen=200, other_org_admin=404), kwargs=SUBMITTED,
         idor="code"),
    Case(project_cells("project:private", seen=200), kwargs=PRIVATE_DELIVERABLE, idor="code"),
    # Nothing uploaded yet.
    Case(project_cells("project:members", seen=404), kwargs=PENDING, note="no file yet"),
    Case(cells(everyone=404), kwargs=FOREIGN_DELIVERABLE, idor="pk",
         note="another project's deliverable"),
    Case(cells(everyone=405), method="POST", kwargs=SUBMITTED),
)
row(
    "projects:status_update_create",
    Case(plan_cells("project:members", programme=200), kwargs={"code": code("project:members")},
         idor="code"),
    Case(plan_cells("project:members", programme=MEMBERS_PLAN_URL), method="POST",
         kwargs={"code": code("project:members")}, data=status_update_fields),
    Case(plan_cells("project:members", programme=400), method="POST",
         kwargs={"code": code("project:members")},
         data=lambda w: {**status_update_fields(w), "overall": "blue"}, note="not a RAG"),
    # A draft reports nothing yet: staff are told so on its page.
    Case(plan_cells("project:draft", programme=detail_of("project:draft")),
         kwargs={"code": code("project:draft")}, idor="code"),
)
# Contributions: each participating organisation's people read their own organisation's rows;
# staff read and record every one. A workstream member who sees the project only as a member
# finds no such page.
CONTRIBUTION_ROWS = context_rows("page")
JOINT_CONTRIBUTIONS = to("projects:contributions", code=code("project:joint"))
row(
    "projects:contributions",
    Case(project_cells("project:joint", seen=NOTHING, defaults=SIGN_IN_FIRST,
                       partner_member=Rows({"contribution:xylo"}),
                       partner_admin=Rows({"contribution:xylo"}),
                       other_org_admin=Rows({"contribution:hidden"}),
                       programme=Rows({"contribution:xylo", "contribution:hidden"})),
         kwargs={"code": code("project:joint")}, rows=CONTRIBUTION_ROWS, idor="code",
         discloses=(("hidden", XYLO_SIDE),)),
    Case(project_cells("project:members", seen=NOTHING, defaults=SIGN_IN_FIRST,
                       other_org_admin=404),
         kwargs={"code": code("project:members")}, rows=CONTRIBUTION_ROWS, idor="code"),
    Case(project_cells("project:private", seen=NOTHING, defaults=SIGN_IN_FIRST),
         kwargs={"code": code("project:private")}, rows=CONTRIBUTION_ROWS, idor="code"),
    Case(project_cells("project:joint", seen=403, defaults=SIGN_IN_FIRST,
                       programme=JOINT_CONTRIBUTIONS),
         method="POST", kwargs={"code": code("project:joint")}, data=contribution_fields,
         idor="code"),
    Case(project_cells("project:joint", seen=403, defaults=SIGN_IN_FIRST, programme=400),
         method="POST", kwargs={"code": code("project:joint")},
         data=lambda w: {**contribution_fields(w), "committed_sgd": "-5"},
         note="a negative amount"),
    Case(project_cells("project:joint", seen=403, defaults=SIGN_IN_FIRST, programme=400),
         method="POST", kwargs={"code": code("project:joint")},
         data=lambda w: {**contribution_fields(w), "organisation": w.pk("public")},
         note="an organisation not taking part"),
)
row(
    "projects:contribution_remove",
    # Only staff remove; to anyone else no contribution is there, theirs or another's.
    Case(cells(SIGN_IN_FIRST, signed_in=404, programme=200),
         kwargs={"code": code("project:joint"), "pk": pk("contribution:hidden")}, idor="pk",
         note="asks first"),
    Case(cells(SIGN_IN_FIRST, signed_in=404, programme=JOINT_CONTRIBUTIONS), method="POST",
         kwargs={"code": code("project:joint"), "pk": pk("contribution:hidden")}, idor="pk"),
    Case(cells(SIGN_IN_FIRST, signed_in=404, programme=JOINT_CONTRIBUTIONS), method="POST",
         kwargs={"code": code("project:joint"), "pk": pk("contribution:xylo")}, idor="pk",
         note="Xylo's"),
    # Another project's contribution under this project's address.
    Case(cells(SIGN_IN_FIRST, signed_in=404), method="POST",
         kwargs={"code": code("project:members"), "pk": pk("contribution:xylo")},
         note="under another project"),
)


# --- projects: API -----------------------------------------------------------------------------
# The same rule through /api/v1/: a project, milestone, deliverable, status update or
# contribution the caller may not see is a 404 like one that does not exist. Lists of a
# project's plan name the project (?project=<code>) and are empty for a project the caller
# does not see beyond its summary.
PROJECT_ROWS = api_rows(Project, key="code")


def of_project(label: str, extra: str = "") -> Callable:
    """The query of a list of one project's rows."""
    return lambda world: f"project={world[label].code}&page_size=100{extra}"


def totals_rows(world: World, response) -> tuple[set[str], list[str]]:
    """Rows of /api/v1/contributions/totals/?by=organisation, by the organisations' labels."""
    body = response.json()
    labels = {world.label_by(Organisation, "slug", row["key"]) for row in body["results"]}
    problems = ([] if body["count"] == len(body["results"])
                else [f"count says {body['count']}, the answer lists {len(body['results'])}"])
    return labels, problems


def api_project_cells(label: str, *, seen: Any, unseen: Any = 404, **given) -> dict[str, Any]:
    """As project_cells, through the API: staff without MFA are refused everywhere."""
    return project_cells(label, seen=seen, unseen=unseen,
                         defaults={"staff_without_mfa": 403}, **given)


def api_write_cells(label: str, **given) -> dict[str, Any]:
    """A write on one project's thing: a visitor must sign in (401); a thing the caller does not
    see is missing (404); one they see but may not change, 403 in the service's words."""
    return project_cells(label, seen=403, defaults={"visitor": 401, "staff_without_mfa": 403},
                         **given)


def api_project_fields(world: World) -> dict:
    return {"workstream": "cm", "title": "Inline spectroscopy for drying",
            "summary": "Soft sensors on the dryer.", "lead_organisation": "xylo",
            "participants": ["other-hidden"],
            "principal_investigator": world["xylo:colleague"].person.email,
            "starts_on": in_days_iso(-30), "ends_on": in_days_iso(600), "trl_start": 3,
            "trl_target": 6, "visibility": "members"}


row(
    "api:projects-list",
    Case(public_api(everyone=Rows({"project:public"}), partner_member=XYLO_PROJECTS,
                    partner_admin=XYLO_PROJECTS, other_org_admin=HIDDEN_PROJECTS,
                    programme=ALL_PROJECTS),
         query="page_size=100", rows=PROJECT_ROWS, discloses=(("hidden", XYLO_SIDE),)),
    Case(public_api(everyone=NOTHING, other_org_admin=Rows({"project:private"}),
                    programme=Rows({"project:private"})),
         query="search=Confidential+enzyme", rows=PROJECT_ROWS,
         note="search for the private one"),
    # Filters by what a summary hides (who takes part, the rating) are staff's: anyone else
    # is refused them, whatever they see.
    Case(public_api(everyone=403, programme=Rows({"project:private", "project:joint"})),
         query="organisation=other-hidden&page_size=100", rows=PROJECT_ROWS,
         note="filtered by a participant"),
    Case(public_api(everyone=403, programme=Rows({"project:members"})),
         query="rag=amber&page_size=100", rows=PROJECT_ROWS, note="filtered by the rating"),
    Case(api(signed_in=403, programme=201), method="POST", body="json",
         data=api_project_fields),
    Case(api(signed_in=403, programme=400), method="POST", body="json",
         data=lambda w: {**api_project_fields(w), "participants": ["public-co"]},
         note="an organisation outside the workstream"),
)
row(
    "api:projects-detail",
    Case(public_api(everyone=200), kwargs={"code": code("project:public")}),
    Case(api_project_cells("project:members", seen=200), kwargs={"code": code("project:members")},
         idor="code"),
    Case(api_project_cells("project:private", seen=200), kwargs={"code": code("project:private")},
         idor="code"),
    Case(api_project_cells("project:joint", seen=200), kwargs={"code": code("project:joint")},
         idor="code", discloses=(("hidden", XYLO_SIDE),)),
    Case(api_project_cells("project:draft", seen=200), kwargs={"code": code("project:draft")},
         idor="code"),
    # Programme staff change a project; anyone else is refused before it is looked up.
    Case(api(signed_in=403, programme=200), method="PATCH", body="json",
         kwargs={"code": code("project:private")}, data={"title": "Enzyme cascade, phase two"},
         idor="code"),
    Case(api(signed_in=405), method="DELETE", kwargs={"code": code("project:public")}),
)
row(
    "api:projects-transition",
    Case(api_write_cells("project:public", programme=200), method="POST", body="json",
         kwargs={"code": code("project:public")},
         data={"to": "on_hold", "reason": "Waiting for a supplier."}),
    Case(api_write_cells("project:private", programme=200), method="POST", body="json",
         kwargs={"code": code("project:private")},
         data={"to": "on_hold", "reason": "Waiting for a supplier."}, idor="code"),
    Case(api_write_cells("project:draft", programme=200), method="POST", body="json",
         kwargs={"code": code("project:draft")}, data={"to": "proposed"}, idor="code"),
    # From active, back to draft is no move at all: a 409 naming the moves there are.
    Case(api_write_cells("project:public", programme=409), method="POST", body="json",
         kwargs={"code": code("project:public")}, data={"to": "draft", "reason": "Rethink."},
         note="a move its state does not allow"),
    Case(api_write_cells("project:public", programme_admin=200), method="POST", body="json",
         kwargs={"code": code("project:public")},
         data={"to": "cancelled", "reason": "The partner withdrew."},
         note="cancelled, by the programme office only"),
    # A GET is no action of the viewset's: the default read permission lets it through to 405.
    Case(public_api(everyone=405), kwargs={"code": code("project:public")}),
)
MILESTONE_ROWS = api_rows(Milestone)
row(
    "api:milestones-list",
    Case(public_api(everyone=NOTHING, partners=Rows({"milestone:members"}),
                    programme=Rows({"milestone:members"})),
         query=of_project("project:members"), rows=MILESTONE_ROWS),
    Case(public_api(everyone=NOTHING, other_org_admin=Rows({"milestone:private"}),
                    programme=Rows({"milestone:private"})),
         query=of_project("project:private"), rows=MILESTONE_ROWS),
    # Without a project: every milestone of the projects whose plan the caller sees.
    Case(public_api(everyone=NOTHING, partners=Rows({"milestone:members"}),
                    other_org_admin=Rows({"milestone:members", "milestone:private"}),
                    programme=Rows({"milestone:members", "milestone:private"})),
         query="page_size=100", rows=MILESTONE_ROWS, note="without a project"),
    # A project the caller does not see beyond its summary is no project (400 on the field).
    Case(api_write_cells("project:members", trainee=400, programme=201), method="POST",
         body="json", data={"project": code("project:members"), "title": "Dryer instrumented",
                            "due_on": lambda w: in_days_iso(45)}, idor="project"),
    Case(api_write_cells("project:private", trainee=400, partner_member=400, partner_admin=400,
                         programme=201), method="POST", body="json",
         data={"project": code("project:private"), "title": "Dryer instrumented",
               "due_on": lambda w: in_days_iso(45)}, idor="project"),
)
row(
    "api:milestones-detail",
    Case(api_project_cells("milestone:members", seen=200),
         kwargs={"pk": pk("milestone:members")}, idor="pk"),
    Case(api_project_cells("milestone:private", seen=200),
         kwargs={"pk": pk("milestone:private")}, idor="pk"),
    Case(api_write_cells("milestone:members", programme=200), method="PATCH", body="json",
         kwargs={"pk": pk("milestone:members")}, data={"title": "Pilot line running"},
         idor="pk"),
    Case(api_write_cells("milestone:private", programme=204), method="DELETE",
         kwargs={"pk": pk("milestone:private")}, idor="pk"),
)
for _action, _answer in (("complete", 200), ("reopen", 409)):  # not reached yet: a 409
    row(
        f"api:milestones-{_action}",
        Case(api_write_cells("milestone:members", programme=_answer), method="POST",
             body="json", kwargs={"pk": pk("milestone:members")}, data={}, idor="pk"),
        Case(api(signed_in=405), kwargs={"pk": pk("milestone:members")}),
    )
DELIVERABLE_ROWS = api_rows(Deliverable)
MEMBERS_DELIVERABLES = Rows({"deliverable:submitted", "deliverable:pending"})
row(
    "api:deliverables-list",
    Case(public_api(everyone=NOTHING, partners=MEMBERS_DELIVERABLES,
                    programme=MEMBERS_DELIVERABLES),
         query=of_project("project:members"), rows=DELIVERABLE_ROWS),
    Case(public_api(everyone=NOTHING, other_org_admin=Rows({"deliverable:private"}),
                    programme=Rows({"deliverable:private"})),
         query=of_project("project:private"), rows=DELIVERABLE_ROWS),
    Case(public_api(everyone=NOTHING, partners=MEMBERS_DELIVERABLES,
                    other_org_admin=MEMBERS_DELIVERABLES | {"deliverable:private"},
                    programme=MEMBERS_DELIVERABLES | {"deliverable:private"}),
         query="page_size=100", rows=DELIVERABLE_ROWS, note="without a project"),
    Case(api_write_cells("project:members", trainee=400, programme=201), method="POST",
         body="json", data={"project": code("project:members"), "title": "Sensor dataset",
                            "kind": "dataset", "due_on": lambda w: in_days_iso(90)},
         idor="project"),
)
row(
    "api:deliverables-detail",
    Case(api_project_cells("deliverable:submitted", seen=200),
         kwargs={"pk": pk("deliverable:submitted")}, idor="pk"),
    Case(api_project_cells("deliverable:private", seen=200),
         kwargs={"pk": pk("deliverable:private")}, idor="pk"),
    Case(api_write_cells("deliverable:pending", programme=200), method="PATCH", body="json",
         kwargs={"pk": pk("deliverable:pending")}, data={"title": "Kinetics dataset, raw"}),
    # Submitted: its terms no longer change.
    Case(api_write_cells("deliverable:submitted", programme=409), method="PATCH", body="json",
         kwargs={"pk": pk("deliverable:submitted")}, data={"title": "Scale-up report, v2"}),
    Case(api_write_cells("deliverable:pending", programme=204), method="DELETE",
         kwargs={"pk": pk("deliverable:pending")}),
    Case(api_write_cells("deliverable:private", programme=409), method="DELETE",
         kwargs={"pk": pk("deliverable:private")}, idor="pk", note="worked on: it stays"),
)


def api_upload(world: World) -> dict:
    return {"file": pdf_file("draft-report.pdf")}


# The lead organisation's people draft and submit (Xylo's on the members-only project, Other
# Hidden's on its own); staff review and never submit.
for _action in ("draft", "submit"):
    row(
        f"api:deliverables-{_action}",
        Case(api_write_cells("deliverable:pending", partner_member=200, partner_admin=200),
             method="POST", body="multipart", kwargs={"pk": pk("deliverable:pending")},
             data=api_upload),
        Case(api_write_cells("deliverable:private", other_org_admin=200), method="POST",
             body="multipart", kwargs={"pk": pk("deliverable:private")}, data=api_upload,
             idor="pk"),
        Case(api(signed_in=405), kwargs={"pk": pk("deliverable:pending")}),
    )
for _action, _body in (("approve", {}), ("return", {"comments": "Add the raw data."})):
    row(
        f"api:deliverables-{_action}",
        # Staff only, refused to anyone else before the deliverable is looked up.
        Case(api(signed_in=403, programme=200), method="POST", body="json",
             kwargs={"pk": pk("deliverable:submitted")}, data=_body),
        Case(api(signed_in=403, programme=409), method="POST", body="json",
             kwargs={"pk": pk("deliverable:private")}, data=_body, idor="pk",
             note="a draft, not yet submitted"),
        Case(api(signed_in=403, programme=405), kwargs={"pk": pk("deliverable:submitted")}),
    )
row(
    "api:deliverables-file",
    # Seen in full: the file. A workstream member who sees the plan is refused it.
    Case(api_project_cells("deliverable:submitted", seen=200, other_org_admin=403),
         kwargs={"pk": pk("deliverable:submitted")}, idor="pk"),
    Case(api_project_cells("deliverable:private", seen=200),
         kwargs={"pk": pk("deliverable:private")}, idor="pk"),
    Case(api_project_cells("deliverable:pending", seen=404, other_org_admin=403),
         kwargs={"pk": pk("deliverable:pending")}, note="no file yet"),
    Case(api(signed_in=405), method="POST", kwargs={"pk": pk("deliverable:submitted")}),
)
STATUS_UPDATE_ROWS = api_rows(StatusUpdate)


def status_update_body(label: str) -> dict:
    return {"project": code(label), "period": lambda w: timezone.localdate().isoformat(),
            "overall": "green", "schedule": "green", "budget": "amber",
            "narrative": "The pilot line ran all month."}


row(
    "api:status-updates-list",
    # Only for those who see the project in full: the workstream's members read none.
    Case(public_api(everyone=NOTHING, partner_member=Rows({"update:members"}),
                    partner_admin=Rows({"update:members"}),
                    programme=Rows({"update:members"})),
         query=of_project("project:members"), rows=STATUS_UPDATE_ROWS),
    Case(public_api(everyone=NOTHING, partner_member=Rows({"update:members"}),
                    partner_admin=Rows({"update:members"}),
                    programme=Rows({"update:members"})),
         query="page_size=100", rows=STATUS_UPDATE_ROWS, note="without a project"),
    Case(api_write_cells("project:members", trainee=400, programme=201), method="POST",
         body="json", data=status_update_body("project:members"), idor="project"),
)
row(
    "api:status-updates-detail",
    Case(api_project_cells("update:members", seen=200), kwargs={"pk": pk("update:members")},
         idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs={"pk": pk("update:members")}),
)
CONTRIBUTION_API_ROWS = api_rows(Contribution)


def contribution_body(world: World, **changes) -> dict:
    return {"project": world["project:joint"].code, "organisation": "xylo",
            "year": timezone.localdate().year, "kind": "in_kind", "committed_sgd": "25000.00",
            **changes}


row(
    "api:contributions-list",
    Case(api(signed_in=NOTHING, partner_member=Rows({"contribution:xylo"}),
             partner_admin=Rows({"contribution:xylo"}),
             other_org_admin=Rows({"contribution:hidden"}),
             programme=Rows({"contribution:xylo", "contribution:hidden"})),
         query="page_size=100", rows=CONTRIBUTION_API_ROWS),
    Case(api(signed_in=403, programme=201), method="POST", body="json", data=contribution_body),
    Case(api(signed_in=403, programme=400), method="POST", body="json",
         data=lambda w: contribution_body(w, committed_sgd="-5"), note="a negative amount"),
    Case(api(signed_in=403, programme=400), method="POST", body="json",
         data=lambda w: contribution_body(w, currency="USD"), note="not in SGD"),
)
row(
    "api:contributions-detail",
    Case(api_project_cells("contribution:xylo", seen=200, visitor=401),
         kwargs={"pk": pk("contribution:xylo")}, idor="pk"),
    Case(api_project_cells("contribution:hidden", seen=200, visitor=401),
         kwargs={"pk": pk("contribution:hidden")}, idor="pk"),
    Case(api(signed_in=403, programme=204), method="DELETE",
         kwargs={"pk": pk("contribution:hidden")}, idor="pk"),
)
row(
    "api:contributions-totals",
    # Each organisation's totals over the rows the caller sees: never another's figures.
    Case(api(signed_in=NOTHING, partner_member=Rows({"xylo"}), partner_admin=Rows({"xylo"}),
             other_org_admin=Rows({"hidden"}), programme=Rows({"xylo", "hidden"})),
         query="by=organisation&page_size=100", rows=totals_rows),
    Case(api(signed_in=200), query="by=project&page_size=100", note="by project"),
    Case(api(signed_in=NOTHING, partner_member=Rows({"xylo"}), partner_admin=Rows({"xylo"}),
             other_org_admin=Rows({"hidden"}), programme=Rows({"xylo", "hidden"})),
         rows=totals_rows, note="by organisation unless told"),
    Case(api(signed_in=405), method="POST", body="json", data={}),
)


# --- Exports, reports and the dashboard ------------------------------------------------------
# Lists exported as CSV: programme staff's, as the list shows it to them; anyone else is
# refused before anything is read, and only a GET exports.
row("partners:directory_csv", Case(cells(STAFF_PAGE, outsiders=403, programme=200)),
    Case(cells(everyone=405), method="POST"))
row("workstreams:queue_csv", Case(cells(STAFF_PAGE, outsiders=403, programme=200)),
    Case(cells(everyone=405), method="POST"))
row(
    "talent:manage_run_enrolments_csv",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), kwargs={"pk": pk("course-run")}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), kwargs={"pk": pk("draft-run")},
         idor="pk"),
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), kwargs={"pk": MISSING_ID}),
    Case(cells(everyone=405), method="POST", kwargs={"pk": pk("course-run")}),
)
row(
    "dashboard",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200)),
    # A bad value is named beside its field; the page still answers with the rest applied.
    Case(cells(STAFF_PAGE, outsiders=403, programme=200),
         query="programme=nope&date_from=2025-13-01", note="bad filters"),
    Case(cells(STAFF_PAGE, outsiders=403, programme=405), method="POST"),
)
row(
    "dashboard_csv",
    Case(cells(STAFF_PAGE, outsiders=403, programme=200), kwargs={"chart": "contributions"}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=404), kwargs={"chart": MISSING_SLUG}),
    Case(cells(STAFF_PAGE, outsiders=403, programme=405), method="POST",
         kwargs={"chart": "contributions"}),
)
# Report jobs: a job is its requester's and the programme admins'; anyone else's is missing.
# The world's job (staff's) is still queued: its download waits on its page.
REPORT_JOB = {"pk": pk("report-job")}
row(
    "reports:list",
    Case(page(signed_in=403, partner_admin=NOTHING, other_org_admin=NOTHING,
              staff_without_mfa=MFA_SETUP, programme=Rows({"report-job"})),
         rows=context_rows("page", "everyone")),
    Case(page(signed_in=403, partner_admin=400, other_org_admin=400,
              staff_without_mfa=MFA_SETUP, programme=400),
         method="POST", data={"kind": "no-such-report"}, note="a kind that is none"),
)
row(
    "reports:detail",
    Case(cells(SIGN_IN_FIRST, signed_in=404, programme=200), kwargs=REPORT_JOB, idor="pk"),
    Case(cells(everyone=405), method="POST", kwargs=REPORT_JOB),
)
row(
    "reports:download",
    Case(cells(SIGN_IN_FIRST, signed_in=404, programme=to("reports:detail", pk=pk("report-job"))),
         kwargs=REPORT_JOB, idor="pk"),
    Case(cells(everyone=405), method="POST", kwargs=REPORT_JOB),
)
row(
    "api:report-jobs-list",
    Case(api(signed_in=NOTHING, programme=Rows({"report-job"})), query="page_size=100",
         rows=api_rows(ReportJob)),
    Case(api(signed_in=400), method="POST", body="json", data={"kind": "no-such-report"},
         note="a kind that is none"),
)
row(
    "api:report-jobs-detail",
    Case(api(signed_in=404, programme=200), kwargs=REPORT_JOB, idor="pk"),
    Case(api(signed_in=405), method="DELETE", kwargs=REPORT_JOB),
)
row(
    "api:report-jobs-download",
    # Still queued: a 409 to those whose file it is.
    Case(api(signed_in=404, programme=409), kwargs=REPORT_JOB, idor="pk"),
    Case(api(signed_in=405), method="POST", kwargs=REPORT_JOB),
)


# --- The Django admin, generated --------------------------------------------------------------
# The admin is the programme office's: every other role is sent to the admin's sign-in (a
# visitor, anyone signed in without the programme admin role) or, staff without a second
# factor, to set one up. A programme admin with MFA opens every changelist and change page of
# the world's objects; adding and deleting are switched off where a service owns a record's
# life (each model's declaration below), and then answer 403.


@dataclass(frozen=True)
class AdminModel:
    object: str  # the world's object whose change page is opened
    add: bool
    delete: bool


ADMIN_MODELS = {
    "auth.group": AdminModel("group:staff", add=True, delete=True),
    "accounts.user": AdminModel("person:trainee", add=True, delete=True),
    "accounts.apitoken": AdminModel("token:trainee", add=False, delete=False),
    "mfa.authenticator": AdminModel("totp:staff", add=False, delete=False),
    "account.emailaddress": AdminModel("email:trainee", add=True, delete=True),
    "django_celery_beat.periodictask": AdminModel("beat:task", add=True, delete=True),
    "django_celery_beat.intervalschedule": AdminModel("beat:interval", add=True, delete=True),
    "django_celery_beat.crontabschedule": AdminModel("beat:crontab", add=True, delete=True),
    "django_celery_beat.solarschedule": AdminModel("beat:solar", add=True, delete=True),
    "django_celery_beat.clockedschedule": AdminModel("beat:clocked", add=True, delete=True),
    "notifications.notification": AdminModel("notice:trainee", add=False, delete=False),
    "notifications.outgoingemail": AdminModel("outgoing", add=False, delete=False),
    "notifications.suppressedaddress": AdminModel("suppressed", add=False, delete=False),
    "audit.auditevent": AdminModel("audit", add=False, delete=False),
    "talent.skill": AdminModel("skill", add=True, delete=True),
    "talent.workstreamskillneed": AdminModel("skill-need", add=True, delete=True),
    "talent.course": AdminModel("course", add=True, delete=False),
    "talent.courserun": AdminModel("course-run", add=True, delete=False),
    "talent.enrolment": AdminModel("enrol:member", add=False, delete=False),
    "talent.prerequisitewaiver": AdminModel("waiver", add=True, delete=False),
    "talent.certificate": AdminModel("certificate:member", add=False, delete=False),
    "talent.attendance": AdminModel("attendance", add=False, delete=False),
    "partners.organisation": AdminModel("xylo", add=True, delete=False),
    "partners.organisationmembership": AdminModel("xylo:colleague", add=True, delete=False),
    "partners.personrequest": AdminModel("requester->xylo", add=False, delete=False),
    "partners.invitation": AdminModel("invite:xylo", add=False, delete=False),
    "partners.agreement": AdminModel("agreement:xylo", add=True, delete=False),
    "partners.renewalrequest": AdminModel("renewal:xylo", add=False, delete=False),
    "workstreams.programme": AdminModel("programme", add=True, delete=True),
    "workstreams.programmephase": AdminModel("phase", add=True, delete=True),
    "workstreams.workstream": AdminModel("cm", add=True, delete=False),
    "workstreams.joinrequest": AdminModel("xylo->df", add=False, delete=False),
    "workstreams.workstreammembership": AdminModel("xylo@cm", add=False, delete=False),
    "workstreams.workstreammeeting": AdminModel("meeting", add=True, delete=True),
    "workstreams.workstreamdocument": AdminModel("cm-roadmap", add=True, delete=True),
    "projects.project": AdminModel("project:members", add=False, delete=False),
    "projects.deliverable": AdminModel("deliverable:submitted", add=False, delete=False),
    "reports.reportjob": AdminModel("report-job", add=False, delete=False),
}


def admin_page(programme_admin) -> dict[str, Any]:
    return cells(everyone=ADMIN_LOGIN, staff_without_mfa=MFA_SETUP,
                 programme_admin=programme_admin)


def _content_type_of(label: str) -> Callable:
    def resolve(world: World) -> int:
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(world[label]).pk
    return resolve


def admin_rows() -> list[Row]:
    """Rows for every pattern of the admin site: its own pages, then five (and the old-style
    change address) per registered model, from ADMIN_MODELS."""
    rows = [
        Row("admin:index", (Case(admin_page(200)),)),
        # allauth guards the admin's sign-in: visitors sign in through allauth; people who are
        # not admin-site users are refused.
        Row("admin:login", (Case(cells(visitor=LOGIN, signed_in=403, staff_without_mfa=MFA_SETUP,
                                       programme_admin=to("admin:index"))),)),
        Row("admin:logout", (Case(cells(everyone=to("admin:index"),
                                        staff_without_mfa=MFA_SETUP, programme_admin=405)),)),
        Row("admin:password_change", (Case(admin_page(200)),)),
        Row("admin:password_change_done", (Case(admin_page(200)),)),
        Row("admin:jsi18n", (Case(admin_page(200)),)),
        # Without the widget's parameters the autocomplete refuses even a programme admin.
        Row("admin:autocomplete", (Case(admin_page(403)),)),
        Row("admin:view_on_site", (Case(
            admin_page(to("partners:detail", slug="xylo")),
            kwargs={"content_type_id": _content_type_of("xylo"), "object_id": pk("xylo")}),)),
        Row("admin:app_list", tuple(
            Case(admin_page(200), kwargs={"app_label": app_label})
            for app_label in sorted({label.split(".")[0] for label in ADMIN_MODELS}))),
        Row("admin/(?P<url>.*)$", (Case(admin_page(404), kwargs={"url": "no-such-page/"}),)),
    ]
    for model in admin.site._registry:
        label = model._meta.label_lower
        declared = ADMIN_MODELS.get(label)
        if declared is None:
            continue  # no rows: test_every_url_pattern_has_a_row names the model's patterns
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        object_id = {"object_id": pk(declared.object)}
        delete = [Case(admin_page(200 if declared.delete else 403), kwargs=object_id)]
        if label == "accounts.user":
            # Only a superuser changes what makes a superuser: a programme admin who could set a
            # superuser's password, or delete the account, would take or end superuser rights.
            delete.append(Case(admin_page(403), kwargs={"object_id": pk("superuser")},
                               note="a superuser's account"))
            rows.append(Row("admin:auth_user_password_change", (  # UserAdmin's own page
                Case(admin_page(200), kwargs={"id": pk(declared.object)}),
                Case(admin_page(403), kwargs={"id": pk("superuser")},
                     note="a superuser's password"),
            )))
        rows += [
            Row(f"{info}_changelist", (Case(admin_page(200)),)),
            Row(f"{info}_add", (Case(admin_page(200 if declared.add else 403)),)),
            Row(f"{info}_change", (Case(admin_page(200), kwargs=object_id),)),
            Row(f"{info}_history", (Case(admin_page(200), kwargs=object_id),)),
            Row(f"{info}_delete", tuple(delete)),
            Row(f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/",
                (Case(admin_page(to(f"{info}_change", object_id=pk(declared.object))),
                      kwargs=object_id),)),
        ]
    return rows


# --- Who may see which object (for the IDOR checks) -------------------------------------------
# For an IDOR case, the roles NOT listed here for the object it names must get exactly the answer
# they get for an object that does not exist at all.

_HIDDEN_SIDE = frozenset({"other_org_admin", *STAFF})
VISIBLE_TO: dict[str, frozenset[str]] = {
    "hidden": _HIDDEN_SIDE,
    "pending": frozenset(STAFF),
    "invite:hidden": _HIDDEN_SIDE,
    "invite:xylo": frozenset({"partner_admin", *STAFF}),
    "import:xylo": frozenset({"partner_admin"}),  # the importer's alone
    "hidden:other_member": _HIDDEN_SIDE,
    "xylo:colleague": frozenset({"partner_member", "partner_admin", *STAFF}),
    "trainee->public": frozenset({"trainee", *STAFF}),
    "requester->xylo": frozenset({"partner_admin", *STAFF}),
    "agreement:xylo": frozenset({"partner_admin", *STAFF}),
    "agreement:hidden": _HIDDEN_SIDE,
    "agreement:xylo-nda": frozenset({"partner_admin", *STAFF}),
    "agreement:hidden-nda": _HIDDEN_SIDE,
    "renewal:xylo": frozenset({"partner_member", "partner_admin", *STAFF}),
    "renewal:hidden": _HIDDEN_SIDE,
    "xylo->df": frozenset({"partner_member", "partner_admin", *STAFF}),
    "hidden->df": _HIDDEN_SIDE,
    "hidden@cm": _HIDDEN_SIDE,
    "df-roadmap": frozenset(STAFF),
    "df-meeting": frozenset(STAFF),
    "df-minutes": frozenset(STAFF),
    "notice:trainee": frozenset({"trainee"}),
    "person:trainee": frozenset(),  # whether an address has an account: nobody's to learn
    "token:trainee": frozenset({"trainee"}),
    "draft-run": frozenset(STAFF),  # a run of a course not yet published
    "enrol:member": frozenset({"partner_member", *STAFF}),
    "certificate:member": frozenset({"partner_member", *STAFF}),  # to download; verified by all
}


VISIBLE_TO.update(PROJECT_SEEN)
VISIBLE_TO["report-job"] = frozenset(STAFF)  # its requester's (staff) and programme admins'



def disclosed(world: World, case: Case, role: str) -> set[str]:
    """The secrets this case's answer may show this role (Case.discloses)."""
    return {text for label, roles in case.discloses if role in roles
            for text in (world[label].name, world[label].slug)}


TABLE: dict[str, Row] = {entry.name: entry for entry in SITE}
TABLE.update({entry.name: entry for entry in admin_rows()})
