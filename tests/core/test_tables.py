"""Tables on narrow screens and with long words (docs/conventions.md): on the partners and
workstreams pages every table turns into cards below md (.table-cards), each cell carries the
label it shows there (data-label) unless it is the row's heading or its actions, and no long
word can push a column, or its buttons, out of sight."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import OrganisationMembershipFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"
CSS = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()


def _tables(source: str) -> list[str]:
    return re.findall(r"<table\b.*?</table>", source, flags=re.DOTALL)


def _page_templates() -> list[Path]:
    return sorted(path for folder in ("partners", "workstreams")
                  for path in (TEMPLATES / folder).rglob("*.html")
                  if "email" not in path.parts)


def test_every_table_of_the_partners_and_workstreams_pages_becomes_cards_and_labels_its_cells():
    problems = []
    for path in _page_templates():
        for table in _tables(path.read_text()):
            name = path.relative_to(TEMPLATES)
            if not re.search(r'<table class="[^"]*\btable-cards\b', table):
                problems.append(f"{name}: a table without table-cards")
            for cell in re.findall(r"<td\b[^>]*>", table):
                if "data-label=" not in cell and "text-end" not in cell:
                    problems.append(f"{name}: a cell without its label: {cell}")
    assert not problems, "\n".join(problems)


def test_the_stylesheet_wraps_long_words_and_stacks_marked_tables_on_narrow_screens():
    assert re.search(r"main, \.confirm-dialog \{ overflow-wrap: anywhere; \}", CSS)
    assert ".table thead th, .table .btn, .table .badge { overflow-wrap: normal; }" in CSS
    narrow = CSS[CSS.index("@media (max-width: 767.98px)"):]
    assert ".table-cards thead" in narrow
    assert "td[data-label]::before { content: attr(data-label);" in narrow


@pytest.mark.django_db
def test_a_long_name_without_spaces_stays_in_its_cell_on_my_organisations():
    name = "Supercalifragilisticbiomanufacturingconsortiumholdings" * 2
    membership = OrganisationMembershipFactory(organisation__name=name)
    client = Client()
    client.force_login(membership.person)
    html = client.get(reverse("partners:my_organisations")).content.decode()
    [table] = _tables(html)
    assert "table-cards" in table and name in table
    assert 'data-label="Your role"' in table and 'data-label="Status"' in table
