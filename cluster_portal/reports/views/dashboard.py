"""The programme's dashboard for staff and admins: their pending work first, then the
programme's figures, each drawn as a chart with its numbers as a table and a CSV download,
filtered by programme and period."""

from dataclasses import dataclass

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from cluster_portal.accounts.decorators import programme_staff_required
from cluster_portal.core.csv_export import csv_download

from ..charts import chart_svg
from ..dashboard import (
    DashboardFilterForm,
    Figure,
    FigureData,
    figure_get,
    figures_kept,
    pending_work_of,
)


@dataclass(frozen=True)
class DrawnFigure:
    figure: Figure
    data: FigureData
    svg: str


def _drawing(figure: Figure, data: FigureData) -> str:
    if data.is_empty:
        return ""
    return chart_svg(data, kind=figure.chart,
                     label=f"Chart: {figure.title}. Its numbers are in the table that follows.")


@programme_staff_required
@require_safe
def dashboard(request):
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    drawn = [DrawnFigure(figure=figure, data=data, svg=svg)
             for figure, data, svg in figures_kept(request.user, filters, _drawing)]
    return render(request, "reports/dashboard.html", {
        "form": form, "filters": filters, "query": form.query_string(),
        "pending": pending_work_of(request.user, filters), "figures": drawn,
    })


@programme_staff_required
@require_safe
def dashboard_csv(request, chart: str):
    """A figure's numbers, as its table shows them, under the same filters."""
    figure = figure_get(chart)
    if figure is None:
        raise Http404("No such figure on the dashboard.")
    form = DashboardFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        # A file can't show its error beside the field as the page does: refuse in words
        # rather than hand over numbers for filters that were not applied.
        problems = "; ".join(f"{form.fields[name].label or name}: {' '.join(errors)}"
                             for name, errors in form.errors.items())
        return HttpResponseBadRequest(f"These filters can't be applied: {problems}",
                                      content_type="text/plain; charset=utf-8")
    filters = form.filters()
    data = figure.read(request.user, filters)
    parts = [figure.key]
    if filters.programme:
        parts.append(filters.programme)
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or 'start'}-to-{filters.date_to or 'today'}")
    return csv_download(filename=f"{slugify('-'.join(parts))}.csv", header=data.header(),
                        rows=data.rows())
