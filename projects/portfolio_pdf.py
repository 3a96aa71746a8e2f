"""The project portfolio as a PDF: a cover page (what was asked for, when, how many projects),
then one page per project the requester may see, drawn with fpdf2 as the talent app's documents
are (talent/pdf.py). Each page shows what the requester's access allows and no more: a summary
reader gets the public face (status, dates, TRL at start and target, the bar of its dates); a
reader of the plan also its participants, TRL now, milestones on the timeline and latest rating;
a full reader its ratings month by month.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from fpdf import FPDF

from cluster_portal.reports.kinds import ReportParameters
from talent.pdf import BRAND, FACE, INK, MUTED, portal_pdf

from .models import Milestone, StatusUpdate
from .permissions import Access
from .reports import organisation_name, projects_for_report, visible_organisation_ids

RAG_COLOURS = {"green": (25, 135, 84), "amber": (214, 158, 0), "red": (176, 42, 55)}
DANGER = RAG_COLOURS["red"]
DONE = RAG_COLOURS["green"]
LIGHT = (214, 228, 231)
# What fits on one page: longer texts are cut, longer lists say how many more there are.
SUMMARY_CHARACTERS = 700
OBJECTIVES_CHARACTERS = 500
PARTICIPANTS_CHARACTERS = 300
MILESTONES_LISTED = 10
UPDATES_SHOWN = 6
CHUNK = 200
ACCESS_WORDS = {
    Access.SUMMARY: "Public summary: the plan and ratings are not shown to you.",
    Access.MEMBER: "Summary and plan, as a member of its workstream sees them.",
    Access.FULL: "In full.",
}


def _day(day: datetime.date | None) -> str:
    return date_format(day, "j M Y") if day else "—"


def _cut(text: str, length: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut to fit `width` at the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _person(person) -> str:
    return (person.full_name or person.email) if person else "—"


class _Page:
    """One page's pen: a width to write across and the helpers each section uses."""

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self.width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_text_color(*BRAND)
        self.pdf.set_font(FACE, "B", 11)
        self.pdf.cell(self.width, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(*INK)
        self.pdf.set_font(FACE, "", 9)

    def fact(self, label: str, value: str) -> None:
        self.pdf.set_text_color(*MUTED)
        self.pdf.set_font(FACE, "", 9)
        self.pdf.cell(45, 5.5, label)
        self.pdf.set_text_color(*INK)
        self.pdf.multi_cell(self.width - 45, 5.5, value, new_x="LMARGIN", new_y="NEXT")

    def text(self, value: str) -> None:
        self.pdf.set_text_color(*INK)
        self.pdf.set_font(FACE, "", 9)
        self.pdf.multi_cell(self.width, 4.8, value, new_x="LMARGIN", new_y="NEXT")


def _cover(pdf: FPDF, *, actor, parameters: ReportParameters, count: int) -> None:
    pdf.add_page()
    page = _Page(pdf)
    pdf.set_text_color(*BRAND)
    pdf.set_font(FACE, "B", 12)
    pdf.cell(page.width, 8, settings.PORTAL_NAME.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(30)
    pdf.set_font(FACE, "B", 28)
    pdf.cell(page.width, 14, "Project portfolio", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font(FACE, "", 12)
    pdf.cell(page.width, 8, f"As on {_day(timezone.localdate())}", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(10)
    period = "Any"
    if parameters.date_from or parameters.date_to:
        period = f"{_day(parameters.date_from) if parameters.date_from else 'the start'} to " \
                 f"{_day(parameters.date_to) if parameters.date_to else 'today and after'}"
    page.fact("Prepared for", _person(actor))
    page.fact("Programme", parameters.programme or "Every programme")
    page.fact("Workstream", parameters.workstream or "Every workstream")
    page.fact("Projects running", period)
    page.fact("Projects", f"{count} project{'' if count == 1 else 's'}, one on each page")
    pdf.ln(8)
    page.text("Each page shows a project as far as you may see it on the portal: its public "
              "summary, its plan (participants, milestones, the latest rating) or everything, "
              "with its ratings month by month. On the timeline, milestones are marks above "
              "the bar: green when done, red when overdue.")
    if not count:
        pdf.ln(6)
        page.text("No project you may see matches what was asked for.")


def _timeline(pdf: FPDF, project, milestones: list[Milestone], today: datetime.date) -> None:
    """The project's dates as a bar, today as a line, milestones as marks (overdue in red)."""
    page = _Page(pdf)
    days = [project.starts_on, project.ends_on, today, *(m.due_on for m in milestones)]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    left, width = pdf.l_margin + 2, page.width - 4

    def x(day: datetime.date) -> float:
        return left + width * (day - first).days / span

    top = pdf.get_y() + 7
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    pdf.line(left, top + 3, left + width, top + 3)
    pdf.set_fill_color(*LIGHT)
    pdf.rect(x(project.starts_on), top, max(x(project.ends_on) - x(project.starts_on), 0.5),
             6, style="F")
    if today > project.starts_on:
        pdf.set_fill_color(*BRAND)
        pdf.rect(x(project.starts_on), top,
                 max(x(min(today, project.ends_on)) - x(project.starts_on), 0.5), 6, style="F")
    for milestone in milestones:
        colour = DONE if milestone.completed_on else (
            DANGER if milestone.due_on < today else BRAND)
        pdf.set_fill_color(*colour)
        at = x(milestone.due_on)
        pdf.polygon([(at - 1.6, top - 3.2), (at + 1.6, top - 3.2), (at, top - 0.4)],
                    style="F")
    pdf.set_draw_color(*DANGER)
    pdf.set_line_width(0.5)
    pdf.line(x(today), top - 4, x(today), top + 6.5)
    pdf.set_font(FACE, "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(x(project.starts_on) - 1, top + 7)
    pdf.cell(30, 4, f"Starts {_day(project.starts_on)}")
    label = f"Ends {_day(project.ends_on)}"
    pdf.set_xy(max(x(project.ends_on) - pdf.get_string_width(label) - 1, left + 32), top + 7)
    pdf.cell(pdf.get_string_width(label) + 2, 4, label)
    pdf.set_text_color(*DANGER)
    today_label = "Today"
    at = min(max(x(today) - pdf.get_string_width(today_label) / 2, left),
             left + width - pdf.get_string_width(today_label))
    pdf.set_xy(at, top - 8)
    pdf.cell(pdf.get_string_width(today_label) + 1, 4, today_label)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, top + 13)


def _milestone_list(page: _Page, milestones: list[Milestone], today: datetime.date) -> None:
    page.heading("Milestones")
    if not milestones:
        page.text("No milestones planned.")
        return
    for milestone in milestones[:MILESTONES_LISTED]:
        if milestone.completed_on:
            state, colour = f"done {_day(milestone.completed_on)}", DONE
        elif milestone.due_on < today:
            state = f"overdue by {(today - milestone.due_on).days} days"
            colour = DANGER
        else:
            state, colour = "open", MUTED
        page.pdf.set_text_color(*INK)
        page.pdf.cell(28, 5, _day(milestone.due_on))
        page.pdf.cell(page.width - 68, 5, _fit(page.pdf, milestone.title, page.width - 70))
        page.pdf.set_text_color(*colour)
        page.pdf.cell(40, 5, state, new_x="LMARGIN", new_y="NEXT")
    more = len(milestones) - MILESTONES_LISTED
    if more > 0:
        page.pdf.set_text_color(*MUTED)
        page.pdf.cell(page.width, 5, f"and {more} more", new_x="LMARGIN", new_y="NEXT")
    page.pdf.set_text_color(*INK)


def _ratings(page: _Page, updates: list[StatusUpdate]) -> None:
    page.heading("Ratings of the latest status updates")
    if not updates:
        page.text("No status update posted yet.")
        return
    pdf = page.pdf
    for update in reversed(updates[:UPDATES_SHOWN]):  # oldest first, left to right
        y = pdf.get_y()
        x = pdf.get_x()
        pdf.set_font(FACE, "B", 8)
        pdf.set_text_color(*INK)
        pdf.cell(28, 5, update.period.strftime("%B %Y"), new_x="LEFT", new_y="NEXT")
        pdf.set_font(FACE, "", 8)
        for label, value in (("Overall", update.overall), ("Schedule", update.schedule),
                             ("Budget", update.budget)):
            pdf.set_fill_color(*RAG_COLOURS.get(value, LIGHT))
            pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
            pdf.set_x(pdf.get_x() + 4)
            pdf.cell(24, 5, f"{label}: {value}", new_x="LEFT", new_y="NEXT")
            pdf.set_x(x)
        pdf.set_xy(x + 30, y)
    pdf.set_xy(pdf.l_margin, pdf.get_y() + 22)


def _project_page(pdf: FPDF, project, *, visible, today: datetime.date) -> None:
    pdf.add_page()
    page = _Page(pdf)
    access = Access(project.access_level)
    member = access >= Access.MEMBER
    pdf.set_text_color(*MUTED)
    pdf.set_font(FACE, "", 9)
    pdf.cell(page.width, 5, f"{project.code} · {project.workstream.name}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FACE, "B", 15)
    pdf.multi_cell(page.width, 7, _cut(project.title, 200), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    page.fact("Status", project.get_status_display())
    page.fact("Lead organisation", organisation_name(project.lead_organisation, visible))
    if member:
        page.fact("Participants", _cut(", ".join(
            organisation_name(p.organisation, visible) for p in project.participations.all()),
            PARTICIPANTS_CHARACTERS) or "—")
        page.fact("Principal investigator", _person(project.principal_investigator))
    page.fact("Dates", f"{_day(project.starts_on)} to {_day(project.ends_on)}")
    trl_now = f"now {project.trl_current} · " if member else ""
    page.fact("TRL", f"at start {project.trl_start} · {trl_now}target {project.trl_target}")
    if member:
        page.fact("Latest rating", project.get_latest_rag_display() or "No update yet")
    page.fact("What you see", ACCESS_WORDS.get(access, ""))
    milestones = list(project.milestones.all()) if member else []
    page.heading("Timeline")
    _timeline(pdf, project, milestones, today)
    page.heading("Summary")
    page.text(_cut(project.summary, SUMMARY_CHARACTERS))
    if member:
        if project.objectives:
            page.heading("Objectives")
            page.text(_cut(project.objectives, OBJECTIVES_CHARACTERS))
        _milestone_list(page, milestones, today)
    if access >= Access.FULL:
        _ratings(page, list(project.status_updates.all()))


def portfolio_pdf_write(*, actor, parameters: ReportParameters, path: str,
                        progress: Callable[[float], None]) -> int:
    """Write the portfolio to `path`; the number of projects in it. The projects are read as
    `actor`, a chunk at a time with their milestones and updates (never a query per project)."""
    projects = projects_for_report(actor, parameters).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
        Prefetch("status_updates", queryset=StatusUpdate.objects.order_by("-period", "-pk")),
    ).order_by("code")
    count = projects.count()
    pdf = portal_pdf(title="Project portfolio")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    _cover(pdf, actor=actor, parameters=parameters, count=count)
    visible = visible_organisation_ids(actor)
    today = timezone.localdate()
    written = 0
    for project in projects.iterator(chunk_size=CHUNK):
        _project_page(pdf, project, visible=visible, today=today)
        written += 1
        progress(written / max(count, 1) * 0.95)
    pdf.output(path)
    return written
