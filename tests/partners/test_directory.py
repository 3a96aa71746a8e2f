"""The partner directory, as a page and as the API's list: a search that ignores case and
accents and takes words in any order, the country and workstream filters, the number of people
on each card, and what none of them may reveal of an organisation the caller may not see."""

import json
import subprocess
import sys

import pytest

from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.api import assert_error, client_for
from tests.support.processes import ROOT, child_env
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    return {
        "meridian": OrganisationFactory(
            name="Meridian Pharma Asia", country="SG", kind="pharma_mnc",
            description="Regional hub for sterile injectables."),
        "societe": OrganisationFactory(
            name="Société Générale de Biotechnologie", country="FR", kind="biotech",
            description="Fermentation à façon."),
        "helix": OrganisationFactory(
            name="Helix Bioprocess", country="SG", kind="sme",
            description="Continuous downstream processing for MERIDIAN-class antibodies."),
        "hidden": OrganisationFactory(
            name="Meridian Hidden Labs", country="DE", kind="biotech", is_listed=False),
        "waiting": OrganisationFactory(
            name="Meridian Waiting", country="JP", status="pending"),
    }


def names(response) -> list[str]:
    assert response.status_code == 200
    return [organisation.name for organisation in response.context["page"].object_list]


@pytest.mark.parametrize(("search", "expected"), [
    ("meridian asia", ["Meridian Pharma Asia"]),
    ("asia meridian", ["Meridian Pharma Asia"]),
    ("MÉRIDIAN", ["Helix Bioprocess", "Meridian Pharma Asia"]),
    ("méridian", ["Helix Bioprocess", "Meridian Pharma Asia"]),
    ("societe generale", ["Société Générale de Biotechnologie"]),
    ("FAÇON", ["Société Générale de Biotechnologie"]),
    ("facon", ["Société Générale de Biotechnologie"]),
    # Words from the name and the description together.
    ("helix antibodies", ["Helix Bioprocess"]),
    ("pharma", ["Meridian Pharma Asia"]),
    ("meridian europe", []),
    # LIKE's wildcards are searched for as they are, not as wildcards.
    ("%", []),
    ("_", []),
])
def test_the_search_ignores_case_and_accents_and_takes_words_in_any_order(
    client, organisations, search, expected
):
    assert names(client.get("/partners/", {"q": search})) == expected


def test_the_search_and_its_count_never_reveal_an_organisation_the_caller_may_not_see(
    client, organisations, mfa_staff_user
):
    response = client.get("/partners/", {"q": "meridian"})
    assert names(response) == ["Helix Bioprocess", "Meridian Pharma Asia"]
    page = response.content.decode()
    assert "2 organisations match the search" in page
    assert "Hidden" not in page and "Waiting" not in page

    client.force_login(mfa_staff_user)
    assert names(client.get("/partners/", {"q": "meridian"})) == [
        "Helix Bioprocess", "Meridian Hidden Labs", "Meridian Pharma Asia", "Meridian Waiting"]


def test_the_search_field_says_what_it_searches(client, organisations):
    page = client.get("/partners/").content.decode()
    assert '<label class="form-label" for="id_q">Name or description</label>' in page


def test_the_country_filter_offers_only_countries_of_organisations_the_caller_may_see(
    client, organisations, mfa_staff_user
):
    response = client.get("/partners/")
    choices = response.context["filter_form"].fields["country"].choices
    # Named, in the order of their names; Germany and Japan have only hidden organisations.
    assert choices == [("", "Any country"), ("FR", "France"), ("SG", "Singapore")]
    assert names(client.get("/partners/", {"country": "SG"})) == [
        "Helix Bioprocess", "Meridian Pharma Asia"]
    # A country nobody visible is in is dropped as a stale filter: the whole list, no hint.
    assert len(names(client.get("/partners/", {"country": "DE"}))) == 3

    client.force_login(mfa_staff_user)
    staff_choices = client.get("/partners/").context["filter_form"].fields["country"].choices
    assert [code for code, _ in staff_choices] == ["", "FR", "DE", "JP", "SG"]
    assert names(client.get("/partners/", {"country": "DE"})) == ["Meridian Hidden Labs"]


def test_the_workstream_filter_offers_only_workstreams_that_take_members(client):
    programme_workstream = WorkstreamFactory(name="Continuous Manufacturing", slug="cm")
    WorkstreamFactory(name="Analytics", slug="analytics", status="planned", kind="platform")
    choices = client.get("/partners/").context["filter_form"].fields["workstream"].choices
    assert choices == [("", "Any workstream"), ("cm", programme_workstream.name)]


def test_each_card_says_how_many_people_act_for_the_organisation(client, organisations):
    meridian = organisations["meridian"]
    OrganisationMembershipFactory(organisation=meridian, role="admin")
    OrganisationMembershipFactory(organisation=meridian)
    OrganisationMembershipFactory(organisation=meridian, person=UserFactory(is_active=False))
    OrganisationMembershipFactory(organisation=organisations["helix"])

    response = client.get("/partners/")
    counts = {o.name: o.people_count for o in response.context["page"].object_list}
    assert counts == {"Meridian Pharma Asia": 2, "Helix Bioprocess": 1,
                      "Société Générale de Biotechnologie": 0}
    page = response.content.decode()
    assert "Singapore · 2 people act for it in the portal" in page
    assert "Singapore · 1 person acts for it in the portal" in page
    assert "France · 0 people act for it in the portal" in page


def test_the_directory_costs_the_same_queries_searched_and_filtered_whatever_its_length(
    client, organisations
):
    workstream = WorkstreamFactory(slug="cm")
    query = "/partners/?q=meridian&country=SG&kind=pharma_mnc&workstream=cm"

    def add(count):
        for _ in range(count):
            organisation = OrganisationFactory(name="Meridian Pharma Asia", country="SG",
                                               kind="pharma_mnc", logo="partners/logos/x.png")
            WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
            OrganisationMembershipFactory(organisation=organisation)

    client.force_login(UserFactory())
    add(2)
    few = queries_of_get(client, query)
    add(5)
    assert queries_of_get(client, query) == few
    assert client.get(query).context["page"].paginator.count == 7


# --- The API's list --------------------------------------------------------------------------


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_the_api_searches_and_filters_as_the_directory_does(organisations):
    client = client_for()
    meridian, societe, helix = (organisations[key] for key in ("meridian", "societe", "helix"))
    get = client.get
    assert slugs(get("/api/v1/organisations/", {"search": "asia MÉRIDIAN"})) == [meridian.slug]
    assert slugs(get("/api/v1/organisations/", {"search": "facon"})) == [societe.slug]
    assert slugs(get("/api/v1/organisations/", {"search": "meridian"})) == [
        helix.slug, meridian.slug]
    assert slugs(get("/api/v1/organisations/", {"country": "sg"})) == [helix.slug, meridian.slug]
    assert slugs(get("/api/v1/organisations/", {"country": "DE"})) == []
    assert slugs(get("/api/v1/organisations/", {"search": "hidden"})) == []


def test_the_api_refuses_a_search_it_cannot_run(organisations):
    client = client_for()
    body = assert_error(client.get("/api/v1/organisations/", {"search": "a\x00b"}), 400)
    assert "search" in body["fields"]
    body = assert_error(client.get("/api/v1/organisations/", {"search": "x" * 101}), 400)
    assert "search" in body["fields"]
    body = assert_error(client.get("/api/v1/organisations/", {"country": "SGP"}), 400)
    assert "country" in body["fields"]


# --- make run's SQLite -------------------------------------------------------------------------

SQLITE_SEARCH = """
import json
import django
django.setup()
from django.db import connection
from cluster_portal.accounts.models import User
from cluster_portal.core.search import matching_every_word
from partners.models import Organisation

with connection.schema_editor() as editor:
    editor.create_model(User)  # what an organisation's foreign keys point at
    editor.create_model(Organisation)
for n, (name, description) in enumerate([
    ("Meridian Pharma Asia", "Sterile injectables."),
    ("Société Générale de Biotechnologie", "Fermentation à façon."),
    ("Helix Bioprocess", "Antibodies for MERIDIAN."),
]):
    Organisation.objects.create(name=name, description=description, slug=f"o{n}", uen=f"U{n}",
                                kind="sme")

def found(text):
    return sorted(matching_every_word(Organisation.objects.all(), text, "name", "description")
                  .values_list("name", flat=True))

print(json.dumps({text: found(text) for text in
                  ["meridian asia", "asia meridian", "méridian", "GÉNÉRALE societe", "facon",
                   "%", "helix antibodies"]}))
"""


def test_the_search_works_the_same_on_sqlite(tmp_path):
    """`make run` uses SQLite, which has no unaccent: the portal's own function stands in."""
    env = child_env(DJANGO_SETTINGS_MODULE="cluster_portal.settings.local",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'search.sqlite3'}", REDIS_URL="")
    finished = subprocess.run([sys.executable, "-c", SQLITE_SEARCH], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    found = json.loads(finished.stdout.strip().splitlines()[-1])
    assert found == {
        "meridian asia": ["Meridian Pharma Asia"],
        "asia meridian": ["Meridian Pharma Asia"],
        "méridian": ["Helix Bioprocess", "Meridian Pharma Asia"],
        "GÉNÉRALE societe": ["Société Générale de Biotechnologie"],
        "facon": ["Société Générale de Biotechnologie"],
        "%": [],
        "helix antibodies": ["Helix Bioprocess"],
    }
