"""The programme and its workstreams as docs/design.md describes them, who is in them, requests
waiting in the queue, and one members' area with meetings and a document. Used by seed_demo
only; each step checks whether it is already done, so seeding twice changes nothing."""

import datetime
from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from partners.models import Organisation
from partners.selectors import organisation_admins

from .models import (
    JoinRequest,
    Programme,
    Workstream,
    WorkstreamMeeting,
    WorkstreamMeetingFile,
    WorkstreamMembership,
)
from .permissions import may_manage_members_area
from .services import (
    join_request_create,
    programme_create,
    programme_phase_create,
    workstream_create,
    workstream_document_share,
    workstream_meeting_file_attach,
    workstream_membership_add,
)

PROGRAMME = {
    "name": "Pharma Innovation Programme",
    "short_name": "PIPS",
    "tagline": "Industry-led research for the plants of tomorrow.",
    "description": (
        "An industry-led research programme in which pharmaceutical companies bring the "
        "problems and the domain expertise, and public research institutes bring the "
        "capabilities. Together they develop small-molecule and biologics manufacturing "
        "technology that makes plants more productive, efficient and sustainable, supports "
        "diversified supply chains, and brings personalised, low-volume, highly potent "
        "medicines within reach at affordable cost."
    ),
}

PHASES = [
    (1, "Phase 1: foundations", date(2017, 1, 1), date(2021, 12, 31),
     "Five industry-led workstreams established with founding partners."),
    (2, "Phase 2: platforms", date(2022, 1, 1), None,
     "Sub-workstreams and cross-cutting themes; shared platforms of the ten-year vision."),
]

ACTIVE_WORKSTREAMS = [
    ("Biocatalysis", "BC", "Enzymes that make greener, shorter routes to active ingredients.",
     "Engineered enzymes and cascade reactions that replace metal catalysts and protecting-group "
     "chemistry, cutting steps, solvent use and waste in API synthesis."),
    ("Continuous Manufacturing", "CM", "From batch to flow: smaller plants, steadier quality.",
     "Flow chemistry, continuous crystallisation and integrated end-to-end lines, with the "
     "process analytical technology and control strategy that regulators expect."),
    ("Digital Factory", "DF", "Data, models and automation across the plant floor.",
     "Digital twins, soft sensors, manufacturing data platforms and machine learning for "
     "process development and operations."),
    ("Particle Engineering", "PE", "Designing particles for the product, not the other way round.",
     "Crystallisation, milling, spray drying and formulation science that control particle "
     "size, shape and form for manufacturability and bioavailability."),
    ("Plant Operations", "PO", "Reliable, efficient and sustainable plants.",
     "Cleaning, changeover, energy and solvent recovery, maintenance and operational "
     "excellence in multi-product plants."),
]

PLANNED_PLATFORMS = [
    ("Analytics", "AN", "Shared analytical capabilities for in-line and at-line measurement."),
    ("Advanced Process Control", "APC", "Model-based control shared across partners' lines."),
    ("Digitalisation", "DG", "Common data standards and platforms for the cluster."),
    ("Automation", "AU", "Robotics and laboratory automation as a shared service."),
    ("Supply Chain & Logistics", "SCL", "Resilient, diversified supply chains for the region."),
]


# Workstreams the demo staff person leads; the others have no lead yet.
LED_BY_STAFF = {"BC", "CM", "DF"}

Role = WorkstreamMembership.Role
# Organisation: [(workstream code, role, days since joining)]. Only core and member tiers cover
# workstreams (associates join platforms and themes), so the associates wait for the platforms.
WORKSTREAM_MEMBERS = {
    "Meridian Pharma Asia": [("CM", Role.CORE, 700), ("DF", Role.CORE, 400),
                             ("PE", Role.ASSOCIATE, 120)],
    "Aurora Therapeutics": [("CM", Role.CORE, 900), ("PE", Role.CORE, 650),
                            ("PO", Role.ASSOCIATE, 300)],
    "Helix Biologics": [("BC", Role.CORE, 500), ("CM", Role.OBSERVER, 90)],
    "Straits Process Engineering": [("PO", Role.CORE, 600), ("CM", Role.ASSOCIATE, 200)],
    "Quantix Automation": [("DF", Role.CORE, 380), ("PO", Role.OBSERVER, 60)],
    "Institute of Process Chemistry and Engineering": [("BC", Role.CORE, 1000),
                                                       ("CM", Role.CORE, 1000),
                                                       ("PE", Role.CORE, 800)],
}

# Waiting in the staff queue, each asked by the organisation's partner admin.
PENDING_JOIN_REQUESTS = [
    ("Meridian Pharma Asia", "BC",
     "Our route scouting team wants to replace two metal-catalysed steps with enzymes; we bring "
     "a kilo lab and three process chemists."),
    ("Helix Biologics", "DF",
     "We run a continuous perfusion line and would share its historian data for soft-sensor "
     "work."),
    ("Quantix Automation", "CM",
     "Our control systems run two partners' flow lines; we would bring PAT integration and "
     "advanced process control know-how."),
]

MEETINGS = [  # in Continuous Manufacturing's members' area: (title, days from now, location)
    ("Steering committee, second half of the year", 14, "Biopolis, Level 5 meeting room"),
    ("Deep dive: continuous crystallisation control", -30, "Online"),
]
DOCUMENT_TITLE = "Continuous Manufacturing roadmap 2026 to 2028"
DOCUMENT_TEXT = (
    "Continuous Manufacturing workstream: roadmap 2026-2028\n\n"
    "1. End-to-end continuous line for an oral solid dose product (pilot scale).\n"
    "2. Shared PAT model library for crystallisation and drying.\n"
    "3. Real-time release testing case study with the regulator.\n"
)
AGENDA_TEXT = (
    "Steering committee: agenda\n\n"
    "1. Competition-law reminder.\n"
    "2. Progress of the projects.\n"
    "3. Next half-year's plan and budget.\n"
    "4. Any other business.\n"
)


def seed_programme_and_workstreams(*, lead=None) -> Programme:
    programme = Programme.objects.filter(short_name=PROGRAMME["short_name"]).first()
    if programme is None:
        programme = programme_create(actor=SYSTEM, **PROGRAMME, is_featured=True)
    existing_phases = set(programme.phases.values_list("number", flat=True))
    for number, name, starts_on, ends_on, summary in PHASES:
        if number not in existing_phases:
            programme_phase_create(actor=SYSTEM, programme=programme, number=number, name=name,
                                   starts_on=starts_on, ends_on=ends_on, summary=summary)

    existing = set(programme.workstreams.values_list("code", flat=True))
    for order, (name, code, summary, description) in enumerate(ACTIVE_WORKSTREAMS, start=1):
        if code not in existing:
            workstream_create(
                actor=SYSTEM, programme=programme, name=name, code=code, summary=summary,
                description=description, status=Workstream.Status.ACTIVE,
                lead=lead if code in LED_BY_STAFF else None, display_order=order,
            )
    for order, (name, code, summary) in enumerate(PLANNED_PLATFORMS, start=10):
        if code not in existing:
            workstream_create(
                actor=SYSTEM, programme=programme, name=name, code=code, summary=summary,
                kind=Workstream.Kind.SHARED_PLATFORM, status=Workstream.Status.PLANNED,
                display_order=order,
            )
    return programme


def _workstreams_by_code(programme: Programme) -> dict[str, Workstream]:
    return {workstream.code: workstream for workstream in programme.workstreams.all()}


def seed_workstream_memberships(
    *, programme: Programme, organisations: dict[str, Organisation]
) -> None:
    today, workstreams = timezone.localdate(), _workstreams_by_code(programme)
    for name, memberships in WORKSTREAM_MEMBERS.items():
        organisation = organisations[name]
        for code, role, days in memberships:
            workstream = workstreams[code]
            if not WorkstreamMembership.objects.filter(
                organisation=organisation, workstream=workstream
            ).exists():
                workstream_membership_add(
                    actor=SYSTEM, organisation=organisation, workstream=workstream, role=role,
                    since=today - datetime.timedelta(days=days),
                )


def seed_join_requests(*, programme: Programme, organisations: dict[str, Organisation]) -> None:
    workstreams = _workstreams_by_code(programme)
    for name, code, motivation in PENDING_JOIN_REQUESTS:
        organisation, workstream = organisations[name], workstreams[code]
        if JoinRequest.objects.filter(organisation=organisation, workstream=workstream).exists():
            continue
        join_request_create(
            actor=organisation_admins(organisation=organisation)[0], organisation=organisation,
            workstream=workstream, motivation=motivation, code_of_conduct_acknowledged=True,
        )


def seed_members_area(*, programme: Programme, uploaded_by) -> None:
    """Meetings are content (no service); the roadmap and the agenda are shared through the
    services, as the lead would, so the members hear of them."""
    workstream = _workstreams_by_code(programme)["CM"]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for title, days, location in MEETINGS:
        if not workstream.meetings.filter(title=title).exists():
            starts_at = now + datetime.timedelta(days=days)
            WorkstreamMeeting.objects.create(
                workstream=workstream, title=title, location=location, starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=2),
                agenda="Progress of the projects, next quarter's plan, any other business.",
            )
    # Staff who have not set up a second factor yet may not share: the portal itself does.
    actor = uploaded_by if may_manage_members_area(uploaded_by, workstream) else SYSTEM
    if not workstream.documents.filter(title=DOCUMENT_TITLE).exists():
        workstream_document_share(
            actor=actor, workstream=workstream, title=DOCUMENT_TITLE, on_behalf_of=uploaded_by,
            file=ContentFile(DOCUMENT_TEXT.encode(), name="cm-roadmap-2026-2028.txt"),
        )
    steering = workstream.meetings.get(title=MEETINGS[0][0])
    if not steering.files.exists():
        workstream_meeting_file_attach(
            actor=actor, meeting=steering, kind=WorkstreamMeetingFile.Kind.AGENDA,
            file=ContentFile(AGENDA_TEXT.encode(), name="steering-committee-agenda.txt"),
        )
