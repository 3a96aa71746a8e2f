"""The projects app's staff lists as exports too long to stream at once: each a report kind that
applies the list's own filters through the same selector (cluster_portal.reports).

The portfolio's export: its header and row live here, so the streamed download
(views.reading.portfolio_csv) and the report job of a portfolio too long to stream write the same
columns from the same query (selectors.project_portfolio through the list's own filter form)."""

from collections.abc import Mapping

from cluster_portal.core.csv_export import list_export_rows
from cluster_portal.reports.kinds import ReportKind, ReportParameters, Table
from cluster_portal.reports.kinds import register as register_kinds
from workstreams.selectors import workstream_list_public

from . import selectors
from .filters import PortfolioFilterForm
from .models import Project
from .permissions import may_manage_projects

PORTFOLIO_KIND = "portfolio_list"

PORTFOLIO_HEADER = (
    "code", "title", "workstream", "status", "lead organisation", "participants",
    "principal investigator", "starts_on", "ends_on", "TRL start", "TRL now", "TRL target",
    "latest RAG", "latest update month", "overdue milestones", "overdue deliverables",
)


def portfolio_form(user, query: Mapping | None) -> PortfolioFilterForm:
    """The portfolio's filter form as `user` reads it, bound to the query string's values."""
    return PortfolioFilterForm(query or None, workstreams=workstream_list_public(),
                               staff=may_manage_projects(user))


def portfolio_projects(user, form: PortfolioFilterForm):
    """The portfolio exactly as the list shows it to `user` with the form's filters and sort,
    with each project's participants (a column of the file)."""
    return selectors.with_participants(
        selectors.project_portfolio(user=user, filters=form.filters()))


def portfolio_row(project: Project) -> tuple:
    investigator = project.principal_investigator
    return (
        project.code, project.title, project.workstream.name, project.get_status_display(),
        project.lead_organisation.name,
        "; ".join(p.organisation.name for p in project.participations.all()),
        investigator.full_name or investigator.email,
        project.starts_on.isoformat(), project.ends_on.isoformat(),
        project.trl_start, project.trl_current, project.trl_target,
        project.get_latest_rag_display() if project.latest_rag else "",
        f"{project.latest_update_on:%Y-%m}" if project.latest_update_on else "",
        project.overdue_milestones, project.overdue_deliverables,
    )


def _portfolio_tables(actor, parameters: ReportParameters):
    projects = portfolio_projects(actor, portfolio_form(actor, parameters.filters))
    yield Table(title="Projects", header=PORTFOLIO_HEADER,
                rows=list_export_rows([projects], portfolio_row), count=projects.count())


PORTFOLIO_LIST = ReportKind(
    key=PORTFOLIO_KIND, label="Project portfolio",
    description="The project list as programme staff filtered it: one row a project, with its "
                "workstream, status, lead and participants, TRL, latest rating and overdue work.",
    formats=("csv",), audience="staff", tables=_portfolio_tables,
    extra_parameters=("filters",), order=200)


def register() -> None:
    """Register this app's list exports (called from ready())."""
    register_kinds(PORTFOLIO_LIST)
