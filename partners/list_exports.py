"""The partners app's staff lists as exports too long to stream at once: each a report kind that
applies the list's own filters through the same selector (cluster_portal.reports).

The partner directory's export, for programme staff: its header and row live here, so the
streamed download (views.organisations.directory_csv) and the report job of a directory too long
to stream write the same columns from the same query (selectors.organisation_directory through
the directory's own filter form)."""

from collections.abc import Mapping

from django_countries import countries

from cluster_portal.core.csv_export import list_export_rows
from cluster_portal.reports.kinds import ReportKind, ReportParameters, Table
from cluster_portal.reports.kinds import register as register_kinds

from . import participation
from .forms import DirectoryFilterForm
from .models import Organisation
from .selectors import organisation_directory, organisation_directory_countries

DIRECTORY_KIND = "partner_directory_list"

DIRECTORY_HEADER = ("name", "kind", "country", "tier", "tier status", "listed", "workstreams",
                    "people count")


def directory_form(user, query: Mapping | None) -> DirectoryFilterForm:
    """The directory's filter form as `user` reads it, bound to the query string's values."""
    return DirectoryFilterForm(
        query or None, workstream_choices=participation.workstream_choices(),
        country_codes=organisation_directory_countries(user=user))


def directory_organisations(user, form: DirectoryFilterForm):
    """The directory exactly as it lists organisations to `user` with the form's filters."""
    filters = form.filters() if form.is_bound else {}
    return organisation_directory(user=user, **filters)


def directory_row(organisation: Organisation) -> tuple:
    memberships = getattr(organisation, "current_workstream_memberships", ())
    return (
        organisation.name, organisation.get_kind_display(),
        countries.name(organisation.country) or organisation.country,
        organisation.get_tier_display(), organisation.get_tier_status_display(),
        "yes" if organisation.is_listed else "no",
        "; ".join(membership.workstream.name for membership in memberships),
        organisation.people_count,
    )


def _directory_tables(actor, parameters: ReportParameters):
    organisations = directory_organisations(actor, directory_form(actor, parameters.filters))
    yield Table(title="Partner directory", header=DIRECTORY_HEADER,
                rows=list_export_rows([organisations], directory_row),
                count=organisations.count())


DIRECTORY_LIST = ReportKind(
    key=DIRECTORY_KIND, label="Partner directory",
    description="The partner directory as programme staff filtered it: one row an organisation, "
                "with its kind, country, tier and its status, whether it is listed, its "
                "workstreams and how many people act for it.",
    formats=("csv",), audience="staff", tables=_directory_tables,
    extra_parameters=("filters",), order=210)


def register() -> None:
    """Register this app's list exports (called from ready())."""
    register_kinds(DIRECTORY_LIST)
