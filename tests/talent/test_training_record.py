"""An organisation's training record: whom it sponsored and how they did, for its admins and
the programme office only; the CSV streams every row with formulas neutralised."""

import csv
import io

import pytest
from django.urls import reverse

from talent.models import Enrolment
from talent.services import enrolment_create
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory
from tests.support.queries import queries_of_get
from tests.support.races import staff_with_mfa
from tests.talent.factories import CourseFactory, CourseRunFactory, CourseSkillFactory, SkillFactory

pytestmark = pytest.mark.django_db


def sponsored(organisation, *, status=Enrolment.Status.CONFIRMED, course=None, person=None):
    person = person or UserFactory()
    OrganisationMembershipFactory(organisation=organisation, person=person)
    enrolment = enrolment_create(actor=person, run=CourseRunFactory(course=course or
                                                                    CourseFactory()),
                                 sponsor=organisation)
    if status != enrolment.status:
        Enrolment.objects.filter(pk=enrolment.pk).update(status=status)
    return enrolment


@pytest.fixture
def helix():
    organisation = OrganisationFactory(name="Helix Bioprocess", slug="helix")
    admin = UserFactory()
    OrganisationMembershipFactory(organisation=organisation, person=admin, role="admin")
    return organisation, admin


def test_the_record_shows_sponsored_people_totals_hours_and_skills(client, helix):
    organisation, admin = helix
    pat = SkillFactory(name="Process analytical technology")
    course = CourseFactory(code="PAT-101", hours=18)
    CourseSkillFactory(course=course, skill=pat, level=2)
    done = sponsored(organisation, status=Enrolment.Status.COMPLETED, course=course)
    sponsored(organisation)
    enrolment_create(actor=UserFactory(), run=CourseRunFactory())  # nobody's sponsorship
    client.force_login(admin)

    response = client.get(reverse("organisation_training", args=["helix"]))
    summary = response.context["summary"]
    assert (summary["enrolments"], summary["completed"], summary["active"]) == (2, 1, 1)
    assert summary["hours"] == 18
    assert summary["per_skill"] == [{"skill__name": "Process analytical technology",
                                     "people": 1, "level": 2}]
    text = response.content.decode()
    assert done.person.full_name in text and "Training" in text


@pytest.mark.parametrize(("who", "status"), [
    ("member", 403), ("stranger", 403), ("staff", 200), ("admin", 200)])
def test_only_its_admins_and_the_programme_office_see_it(client, helix, who, status):
    organisation, admin = helix
    member = UserFactory()
    OrganisationMembershipFactory(organisation=organisation, person=member)
    people = {"member": member, "stranger": UserFactory(), "staff": staff_with_mfa(),
              "admin": admin}
    client.force_login(people[who])
    for name in ("organisation_training", "organisation_training_csv"):
        assert client.get(reverse(name, args=["helix"])).status_code == status


def test_the_csv_has_every_row_and_neutralises_formulas(client, helix):
    organisation, admin = helix
    sneaky = UserFactory(full_name="=HYPERLINK(\"http://evil.example\")")
    sponsored(organisation, person=sneaky, course=CourseFactory(code="CM-101"))
    sponsored(organisation, status=Enrolment.Status.COMPLETED)
    client.force_login(admin)
    response = client.get(reverse("organisation_training_csv", args=["helix"]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="helix-training.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["person", "email", "course code"]
    assert len(rows) == 3
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\")" in names


def test_the_record_costs_the_same_queries_for_few_enrolments_or_many(client, helix):
    organisation, admin = helix
    client.force_login(admin)
    for _ in range(2):
        sponsored(organisation)
    address = reverse("organisation_training", args=["helix"])
    few = queries_of_get(client, address)
    for _ in range(12):
        sponsored(organisation, status=Enrolment.Status.COMPLETED)
    assert queries_of_get(client, address) == few


def test_the_training_tab_is_offered_to_the_admin_not_to_a_member(client, helix):
    organisation, admin = helix
    member = UserFactory()
    OrganisationMembershipFactory(organisation=organisation, person=member)
    tab = f'href="{reverse("organisation_training", args=["helix"])}"'
    client.force_login(admin)
    assert tab in client.get(organisation.get_absolute_url()).content.decode()
    client.force_login(member)
    assert tab not in client.get(organisation.get_absolute_url()).content.decode()
