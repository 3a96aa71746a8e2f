"""The programme dashboard's registry: the domain apps register their pending work (a count
and the queue it links to) and their figures (a chart's numbers) in their AppConfig.ready(), so
the platform draws a page of several apps without importing any of them.

Every `read` is a handful of aggregate queries (values().annotate(), Count/Sum with filter=)
whose number does not depend on how many rows the programme holds: the dashboard is the page
staff land on, and its cost must stay flat as the programme grows. Their time does grow with the
rows they add up, so the figures, once read and drawn, are kept in the cache until the
programme's data changes (`figures_kept`).
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache

from cluster_portal.audit.selectors import audit_latest_event_id
from cluster_portal.core.forms import PortalForm

CHART_KINDS = ("bar", "stacked_bar", "horizontal_bar", "line", "pie")


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard's reader asked for; empty values filter nothing."""

    programme: str = ""  # a programme's slug
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@dataclass(frozen=True)
class FigureData:
    """A chart's numbers: one value per label in each series."""

    labels: Sequence[str]
    series: Sequence[tuple[str, Sequence[float | int]]]
    x_title: str = ""
    y_title: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(any(values) for _name, values in self.series)

    def rows(self) -> list[list]:
        """The numbers as table rows: each label, then its value in every series."""
        return [[label, *(values[index] for _name, values in self.series)]
                for index, label in enumerate(self.labels)]

    def labelled_rows(self) -> list[tuple[str, list[tuple[str, object]]]]:
        """Each label with its values named by their series, for a table's cells."""
        names = [name for name, _values in self.series]
        return [(row[0], list(zip(names, row[1:], strict=True))) for row in self.rows()]

    def header(self) -> list[str]:
        return [self.x_title or "", *(name for name, _values in self.series)]


@dataclass(frozen=True)
class PendingWork:
    key: str
    label: str
    # (count, the queue's address) for the person, or None when it is not theirs to do.
    read: Callable[[object, DashboardFilters], tuple[int, str] | None]
    order: int = 100


@dataclass(frozen=True)
class Figure:
    key: str  # a slug: the CSV's address and name
    title: str
    description: str
    chart: str  # one of CHART_KINDS
    read: Callable[[object, DashboardFilters], FigureData]
    order: int = 100

    def __post_init__(self):
        if self.chart not in CHART_KINDS:
            raise ValueError(f"{self.key}: a chart is one of {CHART_KINDS}, not {self.chart!r}")


@dataclass
class Registry:
    pending: dict[str, PendingWork] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    # The programmes to filter by, as (slug, name): answered by the app that holds them.
    programme_choices: Callable[[], list[tuple[str, str]]] = list


REGISTRY = Registry()


def register(*parts: PendingWork | Figure) -> None:
    """Add an app's parts (registering a key again replaces it)."""
    for part in parts:
        if isinstance(part, Figure):
            REGISTRY.figures[part.key] = part
        else:
            REGISTRY.pending[part.key] = part


def unregister(key: str) -> None:
    """Take a part away again (a test's own part, when the test ends)."""
    REGISTRY.pending.pop(key, None)
    REGISTRY.figures.pop(key, None)


def register_programme_choices(choices: Callable[[], list[tuple[str, str]]]) -> None:
    REGISTRY.programme_choices = choices


def figures_all() -> list[Figure]:
    return sorted(REGISTRY.figures.values(), key=lambda figure: (figure.order, figure.key))


def figure_get(key: str) -> Figure | None:
    return REGISTRY.figures.get(key)


# --- the figures, kept between visits -----------------------------------------------------------

# Kept under the newest audit event's id (audit.selectors.audit_latest_event_id): a figure kept
# under an older one is never read again. The time limit catches what the mark can miss, and a
# new day for the figures counted "as of today".
FIGURES_KEPT_SECONDS = 300


def figures_kept(user, filters: DashboardFilters,
                 draw: Callable[[Figure, FigureData], str]) -> list[tuple[Figure, FigureData, str]]:
    """Every figure with its numbers, as `user` sees them under `filters`, and its drawing
    (`draw`, the slowest part): read and drawn once per version of the data. Kept per person,
    as each read answers for the person asking."""
    key = ":".join(["dashboard-figures", str(user.pk), filters.programme,
                    str(filters.date_from or ""), str(filters.date_to or ""),
                    str(audit_latest_event_id())])
    figures = figures_all()
    kept = cache.get(key)
    if kept is None or set(kept) != {figure.key for figure in figures}:
        kept = {}
        for figure in figures:
            data = figure.read(user, filters)
            kept[figure.key] = (data, draw(figure, data))
        cache.set(key, kept, FIGURES_KEPT_SECONDS)
    return [(figure, *kept[figure.key]) for figure in figures]


@dataclass(frozen=True)
class PendingCount:
    key: str
    label: str
    count: int
    url: str


def pending_work_of(user, filters: DashboardFilters) -> list[PendingCount]:
    """The person's pending work, in order, leaving out what is not theirs to do."""
    shown = []
    for part in sorted(REGISTRY.pending.values(), key=lambda part: (part.order, part.key)):
        answer = part.read(user, filters)
        if answer is not None:
            count, url = answer
            shown.append(PendingCount(key=part.key, label=part.label, count=count, url=url))
    return shown


# --- the filter form ----------------------------------------------------------------------------

class DashboardFilterForm(PortalForm):
    """A value that is not valid is reported beside its field and filters nothing; the other
    filters still apply."""

    programme = forms.ChoiceField(required=False)
    date_from = forms.DateField(label="From", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", "All programmes"),
                                            *REGISTRY.programme_choices()]

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end of the period comes before its start.")
        return data

    def filters(self) -> DashboardFilters:
        """What was asked for, leaving out any value that is not valid (shown as an error)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return DashboardFilters(programme=data.get("programme") or "",
                                date_from=data.get("date_from"), date_to=data.get("date_to"))

    def query_string(self) -> str:
        """The valid filters, to carry to the CSV downloads."""
        filters = self.filters()
        values = {"programme": filters.programme,
                  "date_from": filters.date_from.isoformat() if filters.date_from else "",
                  "date_to": filters.date_to.isoformat() if filters.date_to else ""}
        return urlencode({name: value for name, value in values.items() if value})


# --- helpers for the apps' reads ----------------------------------------------------------------

def quarter_of(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarters_between(first: datetime.date, last: datetime.date) -> list[str]:
    """Every quarter from `first`'s to `last`'s, so a quarter with nothing still has its place."""
    labels = []
    year, quarter = first.year, (first.month - 1) // 3
    while (year, quarter) <= (last.year, (last.month - 1) // 3):
        labels.append(f"{year} Q{quarter + 1}")
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return labels


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def quarterly_figure(rows, *, series: Sequence[tuple[str, str]], filters: DashboardFilters,
                     y_title: str) -> FigureData:
    """A figure of counts per quarter from aggregate rows {"quarter": its first day, "series":
    a key of `series`, "count": n}: every quarter of the period (or of the rows, when the period
    is open) has its place, an empty one counting 0."""
    rows = [row for row in rows if row["quarter"] is not None]
    days = [_as_date(row["quarter"]) for row in rows]
    first = filters.date_from or (min(days) if days else None)
    last = filters.date_to or (max(days) if days else None)
    if first is None or last is None or first > last:
        return FigureData(labels=[], series=[(name, []) for _key, name in series],
                          x_title="Quarter", y_title=y_title)
    labels = quarters_between(first, last)
    position = {label: index for index, label in enumerate(labels)}
    values = {key: [0] * len(labels) for key, _name in series}
    for row in rows:
        index = position.get(quarter_of(_as_date(row["quarter"])))
        if index is not None and row["series"] in values:
            values[row["series"]][index] += row["count"]
    return FigureData(labels=labels, series=[(name, values[key]) for key, name in series],
                      x_title="Quarter", y_title=y_title)


def grouped_figure(rows, *, labels: Sequence[tuple[str, str]], series: Sequence[tuple[str, str]],
                   x_title: str, y_title: str) -> FigureData:
    """A figure of counts from aggregate rows {"label": a key of `labels`, "series": a key of
    `series`, "count": n}; labels with nothing in any series are left out."""
    values = {key: {label: 0 for label, _name in labels} for key, _name in series}
    for row in rows:
        if row["series"] in values and row["label"] in values[row["series"]]:
            values[row["series"]][row["label"]] += row["count"]
    kept = [(label, name) for label, name in labels
            if any(values[key][label] for key, _name in series)]
    return FigureData(labels=[name for _label, name in kept],
                      series=[(series_name, [values[key][label] for label, _name in kept])
                              for key, series_name in series],
                      x_title=x_title, y_title=y_title)
