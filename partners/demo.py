"""A dozen fictional organisations of every kind, with their contacts, programme terms,
agreements (one out for signature, with its PDF), open invitations, a request to join and a
request to renew. Used by seed_demo only.

Every write goes through the services, and each step first checks whether it is already done,
so seeding twice changes nothing. Terms are set relative to the day of the first seed, so a fresh
demo always shows current, new, in-grace and expired memberships.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from cluster_portal.accounts.demo import DEMO_PASSWORD
from cluster_portal.accounts.models import User
from cluster_portal.accounts.services import user_create
from cluster_portal.core.actors import SYSTEM

from .models import Agreement, Invitation, Organisation, OrganisationMembership, PersonRequest
from .services import (
    agreement_record,
    invitation_create,
    organisation_create,
    organisation_membership_add,
    organisation_register,
    organisation_set_tier,
    person_request_create,
    renewal_request_create,
)

K, T, S = Organisation.Kind, Organisation.Tier, Organisation.Status
MERIDIAN = "Meridian Pharma Asia"

# (name, UEN, kind, tier, listed, status, description)
DEMO_ORGANISATIONS = [
    (MERIDIAN, "201700001A", K.PHARMA_MNC, T.CORE, True, S.APPROVED,
     "Regional manufacturing hub of a global pharmaceutical company: small molecules and "
     "biologics."),
    ("Aurora Therapeutics", "201700002B", K.PHARMA_MNC, T.CORE, True, S.APPROVED,
     "Oral solid dose and highly potent API manufacturing."),
    ("Helix Biologics", "201800003C", K.BIOTECH, T.MEMBER, True, S.APPROVED,
     "Cell-line development and continuous bioprocessing."),
    ("Lumen Bioprocess", "201900004D", K.BIOTECH, T.ASSOCIATE, False, S.APPROVED,
     "Single-use bioreactor processes for clinical supply."),
    ("Straits Process Engineering", "200500005E", K.SME, T.MEMBER, True, S.APPROVED,
     "Process engineering and skid design for pharmaceutical plants."),
    ("Crystalline Solutions", "201200006F", K.SME, T.ASSOCIATE, True, S.APPROVED,
     "Crystallisation and particle engineering contract development."),
    ("Catalyst Flow Labs", "202100007G", K.START_UP, T.ASSOCIATE, True, S.APPROVED,
     "Flow-chemistry reactors and enzymes immobilised for continuous use."),
    ("Tessellate Data", "202400008H", K.START_UP, "", False, S.PENDING,
     "Manufacturing data platform start-up, waiting for approval."),
    ("Quantix Automation", "201000009J", K.TECHNOLOGY_PROVIDER, T.MEMBER, True, S.APPROVED,
     "Automation, process control and MES integration."),
    ("Institute of Process Chemistry and Engineering", "T08GB0010K", K.RESEARCH_INSTITUTE,
     T.CORE, True, S.APPROVED, "Public research institute: chemistry, biocatalysis, flow."),
    ("Northshore Polytechnic", "T02LL0011L", K.INSTITUTE_OF_HIGHER_LEARNING, T.ASSOCIATE, True,
     S.APPROVED, "Applied sciences polytechnic training the biopharma workforce."),
    ("Biomanufacturing Development Agency", "T99GA0012M", K.PUBLIC_AGENCY, "", True,
     S.APPROVED, "Public agency that grows the biomanufacturing cluster."),
]

# Each organisation's primary contact (its partner admin); Meridian's are the demo people.
CONTACTS = {
    "201700002B": ("contact@aurora.example.org", "Marcus Lee"),
    "201800003C": ("contact@helix.example.org", "Siti Aminah"),
    "201900004D": ("contact@lumen.example.org", "Arjun Menon"),
    "200500005E": ("contact@straits.example.org", "Grace Tan"),
    "201200006F": ("contact@crystalline.example.org", "Oliver Ng"),
    "202100007G": ("contact@catalystflow.example.org", "Mei Ling Chua"),
    "202400008H": ("contact@tessellate.example.org", "Farid Ismail"),
    "201000009J": ("contact@quantix.example.org", "Hannah Goh"),
    "T08GB0010K": ("contact@ipce.example.org", "Dr Ravi Subramaniam"),
    "T02LL0011L": ("contact@northshore.example.org", "Joanne Lim"),
    "T99GA0012M": ("contact@bda.example.org", "Kenneth Ong"),
}

# Term (start, end) in days from the first seed. Unlisted tiers get DEFAULT_TERM: current.
DEFAULT_TERM = (-400, 330)
TERMS = {
    "200500005E": (-690, 40),  # current, renewal due within two months
    "202100007G": (-30, 700),  # new member
    "201900004D": (-740, -10),  # ended ten days ago: in grace
    "T02LL0011L": (-800, -60),  # ended two months ago: expired
}

# Consortium agreements: signed for every member with a tier except Crystalline, whose copy is
# out for signature (so it can't join workstreams yet). NDAs for the three core members.
CONSORTIUM_SENT = {"201200006F"}
# The agreement to sign that the programme office attaches: a one-page PDF.
DEMO_AGREEMENT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# Straits, whose term ends within two months, asks to renew and to move up to the core tier.
RENEWAL_ASKED = {"200500005E": (T.CORE, "We would like to move up to the core tier at renewal: "
                                        "our pilot skid programme is growing. PO 4500-118.")}
NDA_SIGNED = {"201700001A", "201700002B", "T08GB0010K"}

INVITATIONS = [  # by Meridian's partner admin
    ("wei.ling.tan@example.org", "Tan Wei Ling", OrganisationMembership.Role.MEMBER),
    ("r.krishnan@example.org", "Rajesh Krishnan", OrganisationMembership.Role.ADMIN),
]


def seed_organisations(*, people: dict) -> dict[str, Organisation]:
    """The organisations by name, each approved one with an admin, a term and agreements."""
    today = timezone.localdate()
    organisations = {}
    for name, uen, kind, tier, listed, status, description in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(uen=uen).first()
        if organisation is None:
            organisation = _create(name=name, uen=uen, kind=kind, listed=listed, status=status,
                                   description=description, contact=CONTACTS.get(uen))
        if uen in CONTACTS:
            _ensure_admin(organisation, *CONTACTS[uen])
        if tier and organisation.tier_starts_on is None:
            starts, ends = TERMS.get(uen, DEFAULT_TERM)
            organisation = organisation_set_tier(
                actor=SYSTEM, organisation=organisation, tier=tier,
                starts_on=today + datetime.timedelta(days=starts),
                ends_on=today + datetime.timedelta(days=ends),
            )
        if organisation.is_approved and organisation.tier:
            _seed_agreements(organisation)
        if uen in RENEWAL_ASKED and not organisation.renewal_requests.exists():
            tier, message = RENEWAL_ASKED[uen]
            renewal_request_create(actor=_person(*CONTACTS[uen]), organisation=organisation,
                                   tier=tier, message=message)
        organisations[name] = organisation

    meridian = organisations[MERIDIAN]
    for email, role in [
        ("partner.admin@example.org", OrganisationMembership.Role.ADMIN),
        ("partner.member@example.org", OrganisationMembership.Role.MEMBER),
    ]:
        person = people[email]
        if not OrganisationMembership.objects.filter(organisation=meridian, person=person).exists():
            organisation_membership_add(actor=SYSTEM, organisation=meridian, person=person,
                                        role=role)
    return organisations


def _create(*, name, uen, kind, listed, status, description, contact) -> Organisation:
    if status == S.PENDING and contact:
        # As a real registration arrives: its registrant becomes its admin, and the programme
        # admins find it in their approvals queue.
        return organisation_register(
            actor=_person(*contact), name=name, uen=uen, kind=kind, is_listed=listed,
            description=description,
        )
    return organisation_create(name=name, uen=uen, kind=kind, is_listed=listed, status=status,
                               description=description)


def _person(email: str, full_name: str) -> User:
    return User.objects.filter(email=email).first() or user_create(
        email=email, full_name=full_name, password=DEMO_PASSWORD, email_verified=True
    )


def _ensure_admin(organisation: Organisation, email: str, full_name: str) -> None:
    person = _person(email, full_name)
    if not OrganisationMembership.objects.filter(organisation=organisation,
                                                 person=person).exists():
        organisation_membership_add(actor=SYSTEM, organisation=organisation, person=person,
                                    role=OrganisationMembership.Role.ADMIN)


def _seed_agreements(organisation: Organisation) -> None:
    kinds = set(organisation.agreements.values_list("kind", flat=True))
    signed_on = organisation.tier_starts_on
    consortium = {"actor": SYSTEM, "organisation": organisation,
                  "kind": Agreement.Kind.CONSORTIUM, "reference": f"CA-{organisation.uen}"}
    if Agreement.Kind.CONSORTIUM not in kinds:
        if organisation.uen in CONSORTIUM_SENT:
            agreement_record(**consortium, status=Agreement.Status.SENT, document=ContentFile(
                DEMO_AGREEMENT_PDF, name="consortium-agreement.pdf"))
        else:
            agreement_record(**consortium, status=Agreement.Status.SIGNED, signed_on=signed_on)
    if organisation.uen in NDA_SIGNED and Agreement.Kind.NDA not in kinds:
        agreement_record(actor=SYSTEM, organisation=organisation, kind=Agreement.Kind.NDA,
                         status=Agreement.Status.SIGNED, signed_on=signed_on,
                         expires_on=signed_on + datetime.timedelta(days=3 * 365),
                         reference=f"NDA-{organisation.uen}")


def seed_people_activity(*, people: dict, organisations: dict[str, Organisation]) -> None:
    """Meridian's admin has invitations out, and the demo trainee asks to join Meridian."""
    meridian, partner_admin = organisations[MERIDIAN], people["partner.admin@example.org"]
    for email, full_name, role in INVITATIONS:
        already = Invitation.objects.filter(organisation=meridian, email__iexact=email).exists()
        if not already:
            invitation_create(actor=partner_admin, organisation=meridian, email=email,
                              role=role, full_name=full_name)
    trainee = people["trainee@example.org"]
    if not PersonRequest.objects.filter(organisation=meridian, person=trainee).exists():
        person_request_create(
            actor=trainee, organisation=meridian,
            message="I joined the Tuas site's granulation team last month and would like to "
                    "follow Meridian's workstreams on the portal.",
        )
