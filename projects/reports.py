"""The projects app's part of the programme's reports (cluster_portal.reports.kinds): the project
portfolio (a PDF, projects/portfolio_pdf.py) and the programme report's sheets of projects,
overdue milestones and contributions, read through this app's selectors as the person who asked,
each project at the level of access that person has to it."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cluster_portal.reports.kinds import (
    ReportKind,
    ReportParameters,
    Table,
    register_audit_scope,
    register_programme_sheets,
)
from cluster_portal.reports.kinds import register as register_kinds
from partners.selectors import organisation_list_visible, organisation_role_names
from workstreams.reports import narrowed_to_workstream

from .models import Project, ProjectParticipant
from .permissions import Access, may_manage_projects
from .selectors import (
    PortfolioFilters,
    contribution_list_visible,
    contribution_totals,
    overdue_milestones,
    project_portfolio,
    projects_seen_at_least,
    with_access_level,
)

CHUNK = 2000
UNLISTED = "an organisation not listed"


def visible_organisation_ids(actor) -> set[int] | None:
    """The organisations whose names the person may read (None: every one, for staff), so a
    participant that is not listed is never named to someone who may not see it."""
    if may_manage_projects(actor):
        return None
    return set(organisation_list_visible(user=actor).values_list("pk", flat=True))


def organisation_name(organisation, visible: set[int] | None) -> str:
    if organisation is None:
        return ""
    return organisation.name if visible is None or organisation.pk in visible else UNLISTED


def projects_for_report(actor, parameters: ReportParameters) -> QuerySet[Project]:
    """The projects the person sees, in the report's programme, workstream and period (those
    running at some time in it), each with `access_level`, its overdue counts and its
    participants (read a chunk of projects at a time), by code."""
    projects = project_portfolio(user=actor, filters=PortfolioFilters(
        workstream=parameters.workstream, active_on_or_after=parameters.date_from,
        active_on_or_before=parameters.date_to))
    projects = narrowed_to_workstream(projects, ReportParameters(
        programme=parameters.programme))
    return with_access_level(projects, user=actor).prefetch_related(None).prefetch_related(
        Prefetch("participations", queryset=ProjectParticipant.objects.select_related(
            "organisation").order_by("organisation__name")))


def _person(person) -> str:
    return (person.full_name or person.email) if person else ""


PROJECT_HEADER = ("code", "title", "workstream", "status", "lead organisation",
                  "participants", "principal investigator", "starts", "ends", "TRL at start",
                  "TRL now", "target TRL", "latest rating", "latest update")


def _project_rows(projects: QuerySet[Project], visible: set[int] | None) -> Iterator[tuple]:
    for project in projects.iterator(chunk_size=CHUNK):
        member = project.access_level >= Access.MEMBER
        participants = "; ".join(
            organisation_name(participation.organisation, visible)
            for participation in project.participations.all()) if member else ""
        yield (project.code, project.title, project.workstream.name,
               project.get_status_display(),
               organisation_name(project.lead_organisation, visible), participants,
               _person(project.principal_investigator) if member else "",
               project.starts_on, project.ends_on, project.trl_start,
               project.trl_current if member else None, project.trl_target,
               project.get_latest_rag_display() if member else "",
               project.latest_update_on if member else None)


def _overdue_rows(milestones) -> Iterator[tuple]:
    today = timezone.localdate()
    for milestone in milestones.iterator(chunk_size=CHUNK):
        yield (milestone.project.code, milestone.project.title, milestone.title,
               milestone.due_on, (today - milestone.due_on).days)


def _contribution_rows(totals) -> Iterator[tuple]:
    for row in totals.iterator(chunk_size=CHUNK):
        yield (row["organisation__name"], row["year"], row["committed_cash"],
               row["committed_in_kind"], row["actual_cash"], row["actual_in_kind"])


def programme_sheets(actor, parameters: ReportParameters) -> Iterator[Table]:
    """Projects with status and rating, milestones overdue (of projects whose plan the person
    sees, due in the period) and contributions by organisation and year (years of the
    period)."""
    projects = projects_for_report(actor, parameters)
    yield Table(title="Projects", header=PROJECT_HEADER,
                rows=_project_rows(projects, visible_organisation_ids(actor)),
                count=projects.count())

    milestones = narrowed_to_workstream(overdue_milestones(user=actor).filter(
        project__in=projects_seen_at_least(user=actor, access=Access.MEMBER)),
        parameters, "project__workstream")
    if parameters.date_from:
        milestones = milestones.filter(due_on__gte=parameters.date_from)
    if parameters.date_to:
        milestones = milestones.filter(due_on__lte=parameters.date_to)
    yield Table(title="Overdue milestones",
                header=("project", "project title", "milestone", "due", "days overdue"),
                rows=_overdue_rows(milestones.order_by("project__code", "due_on", "pk")),
                count=milestones.count())

    contributions = narrowed_to_workstream(contribution_list_visible(user=actor), parameters,
                                           "project__workstream")
    if parameters.date_from:
        contributions = contributions.filter(year__gte=parameters.date_from.year)
    if parameters.date_to:
        contributions = contributions.filter(year__lte=parameters.date_to.year)
    totals = contribution_totals(contributions, "organisation__name", "year")
    yield Table(title="Contributions",
                header=("organisation", "year", "committed cash (SGD)",
                        "committed in kind (SGD)", "actual cash (SGD)",
                        "actual in kind (SGD)"),
                rows=_contribution_rows(totals))


def administers_an_organisation(user) -> bool:
    """A partner admin of an approved organisation asks for the portfolio they see."""
    return "partner_admin" in organisation_role_names(user)


def _portfolio_pdf(actor, parameters, path, progress) -> int:
    from .portfolio_pdf import portfolio_pdf_write  # fpdf2 is loaded only to write one

    return portfolio_pdf_write(actor=actor, parameters=parameters, path=path,
                               progress=progress)


PROJECT_PORTFOLIO = ReportKind(
    key="project_portfolio", label="Project portfolio",
    description="A page for each project you may see: its status, dates, technology "
                "readiness, a timeline with its milestones, and its latest ratings, as far as "
                "you may see them. A partner's administrators get the projects they see.",
    formats=("pdf",), audience="partner", pdf=_portfolio_pdf, order=20,
    may_request=administers_an_organisation)


def audit_scope(parameters: ReportParameters) -> list:
    """For the audit trail: the projects of the programme or workstream named (their plan,
    updates and contributions are recorded under them)."""
    if not (parameters.programme or parameters.workstream):
        return []
    return [(Project, narrowed_to_workstream(Project.objects.all(), parameters).values("pk"))]


def register() -> None:
    """Register this app's report kinds and programme-report sheets (called from ready())."""
    register_kinds(PROJECT_PORTFOLIO)
    register_audit_scope(audit_scope)
    register_programme_sheets("projects", programme_sheets, order=30)
