"""A dozen fictional organisations of every kind. Used by seed_demo only."""

from .models import Organisation, OrganisationMembership
from .services import organisation_create, organisation_membership_add

K, T, S = Organisation.Kind, Organisation.Tier, Organisation.Status

# (name, UEN, kind, tier, listed, status, description)
DEMO_ORGANISATIONS = [
    ("Meridian Pharma Asia", "201700001A", K.PHARMA_MNC, T.CORE, True, S.APPROVED,
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


def seed_organisations(*, people: dict) -> list[Organisation]:
    organisations = []
    for name, uen, kind, tier, listed, status, description in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(uen=uen).first()
        if organisation is None:
            organisation = organisation_create(
                name=name, uen=uen, kind=kind, tier=tier, is_listed=listed, status=status,
                description=description, website="",
            )
        organisations.append(organisation)

    meridian = organisations[0]
    for email, role in [
        ("partner.admin@example.org", OrganisationMembership.Role.ADMIN),
        ("partner.member@example.org", OrganisationMembership.Role.MEMBER),
    ]:
        person = people[email]
        if not OrganisationMembership.objects.filter(organisation=meridian, person=person).exists():
            organisation_membership_add(organisation=meridian, person=person, role=role)
    return organisations
