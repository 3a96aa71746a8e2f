"""The programme and its workstreams as DESIGN.md describes them. Used by seed_demo only."""

from datetime import date

from .models import Programme, Workstream
from .services import programme_create, programme_phase_add, workstream_create

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


def seed_programme_and_workstreams(*, lead=None) -> Programme:
    programme = Programme.objects.filter(short_name=PROGRAMME["short_name"]).first()
    if programme is None:
        programme = programme_create(**PROGRAMME, is_featured=True)
    existing_phases = set(programme.phases.values_list("number", flat=True))
    for number, name, starts_on, ends_on, summary in PHASES:
        if number not in existing_phases:
            programme_phase_add(programme=programme, number=number, name=name,
                                starts_on=starts_on, ends_on=ends_on, summary=summary)

    existing = set(programme.workstreams.values_list("code", flat=True))
    for order, (name, code, summary, description) in enumerate(ACTIVE_WORKSTREAMS, start=1):
        if code not in existing:
            workstream_create(
                programme=programme, name=name, code=code, summary=summary,
                description=description, status=Workstream.Status.ACTIVE,
                lead=lead if code == "CM" else None, display_order=order,
            )
    for order, (name, code, summary) in enumerate(PLANNED_PLATFORMS, start=10):
        if code not in existing:
            workstream_create(
                programme=programme, name=name, code=code, summary=summary,
                kind=Workstream.Kind.SHARED_PLATFORM, status=Workstream.Status.PLANNED,
                display_order=order,
            )
    return programme
