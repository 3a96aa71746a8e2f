"""The project list's filters, read from the query string into `selectors.PortfolioFilters`.

Programme staff filter the whole portfolio. Everyone else filters only by what the list shows
them of every project they see (words, workstream, status, dates): a filter on the latest RAG
rating, overdue work, the TRL reached or a participating organisation would tell, through which
projects it keeps, what a reader of the public summary is not shown.

A value that is not offered is reported beside its field and filters nothing; the other
filters still apply.
"""

from django import forms
from django.db.models import QuerySet

from cluster_portal.core.forms import LongSelect, PortalForm

from .models import TRL_MAX, TRL_MIN, Project, Rag
from .permissions import SHOWN_STATES
from .selectors import PORTFOLIO_SORTS, PortfolioFilters, participating_organisation_choices

PUBLIC_SORTS = ("code", "title", "starts_on", "ends_on", "status")
SORT_LABELS = {
    "code": "Code", "-code": "Code, reversed", "title": "Title, A to Z",
    "-title": "Title, Z to A", "starts_on": "Start, earliest first",
    "-starts_on": "Start, latest first", "ends_on": "End, earliest first",
    "-ends_on": "End, latest first", "status": "Status", "-status": "Status, reversed",
    "rag": "Latest RAG, red last", "-rag": "Latest RAG, red first",
    "trl": "TRL now, lowest first", "-trl": "TRL now, highest first",
}
STAFF_ONLY_FIELDS = ("rag", "organisation", "trl_min", "trl_max", "overdue")


def _trl_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None,
        choices=[("", "Any")] + [(level, str(level)) for level in range(TRL_MIN, TRL_MAX + 1)])


class PortfolioFilterForm(PortalForm):
    q = forms.CharField(label="Search", required=False, max_length=100,
                        help_text="Words in the project's code, title or summary.")
    workstream = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False,
                               choices=[("", "Any status"), *Project.Status.choices])
    rag = forms.ChoiceField(label="Latest RAG", required=False, choices=[
        ("", "Any rating"), *Rag.choices, ("none", "No status update yet")])
    organisation = forms.ChoiceField(required=False, widget=LongSelect,
                                     help_text="Leading or taking part.")
    trl_min = _trl_field("TRL now at least")
    trl_max = _trl_field("TRL now at most")
    active_from = forms.DateField(
        label="Running on or after", required=False,
        widget=forms.DateInput(attrs={"type": "date"}), help_text="Ends on or after this day.")
    active_to = forms.DateField(
        label="Running on or before", required=False,
        widget=forms.DateInput(attrs={"type": "date"}), help_text="Starts on or before this day.")
    overdue = forms.BooleanField(label="With overdue work only", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)

    def __init__(self, *args, workstreams: QuerySet, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.fields["workstream"].choices = [("", "Any workstream")] + [
            (slug, name) for slug, name in workstreams.values_list("slug", "name")]
        sorts = PORTFOLIO_SORTS if staff else [
            key for key in PORTFOLIO_SORTS if key.lstrip("-") in PUBLIC_SORTS]
        self.fields["sort"].choices = [(key, SORT_LABELS.get(key, key)) for key in sorts]
        if not staff:
            # Drafts, proposals and cancelled projects are their team's and the programme's:
            # anyone else never sees one, so no filter offers them.
            self.fields["status"].choices = [("", "Any status")] + [
                (value, label) for value, label in Project.Status.choices
                if value in SHOWN_STATES]
        if staff:
            self.fields["organisation"].choices = [("", "Any organisation"),
                                                   *participating_organisation_choices()]
        else:
            for name in STAFF_ONLY_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        low, high = data.get("trl_min"), data.get("trl_max")
        if low is not None and high is not None and low > high:
            self.add_error("trl_max", f"Choose a level of at least {low}, the lowest asked for.")
            data.pop("trl_max", None)
        start, end = data.get("active_from"), data.get("active_to")
        if start and end and start > end:
            self.add_error("active_to", "Choose a day on or after the first one.")
            data.pop("active_to", None)
        return data

    @property
    def asked(self) -> bool:
        """Whether any filter was given (the sort and the page are not filters)."""
        return any(value for name, value in self.data.items()
                   if name in self.fields and name != "sort")

    def filters(self) -> PortfolioFilters:
        """What was asked for, leaving out any value that is not valid (shown as an error)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return PortfolioFilters(
            text=(data.get("q") or "").strip(), workstream=data.get("workstream") or "",
            status=data.get("status") or "", rag=data.get("rag") or "",
            organisation=data.get("organisation") or "", trl_min=data.get("trl_min"),
            trl_max=data.get("trl_max"), active_on_or_after=data.get("active_from"),
            active_on_or_before=data.get("active_to"), overdue=bool(data.get("overdue")),
            sort=data.get("sort") or "code")
