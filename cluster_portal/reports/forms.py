"""The form of asking for a report. It checks the shape of what was typed; the service checks
the parameters against the kind and the data (report_parameters_clean) and names each wrong
field, which the form shows beside it."""

from django import forms

from cluster_portal.core.forms import PortalForm

from .models import ReportJob


class ReportRequestForm(PortalForm):
    kind = forms.ChoiceField(label="Report")
    format = forms.ChoiceField(label="Format", choices=ReportJob.Format.choices)
    programme = forms.CharField(
        label="Programme", required=False, max_length=80,
        help_text="Its slug, as in its address; empty for the whole programme.")
    workstream = forms.CharField(
        label="Workstream", required=False, max_length=80,
        help_text="Its slug, such as continuous-manufacturing; empty for every workstream.")
    # YYYY-MM-DD only (what a date input sends): 10/05/2026 could be either of two days.
    date_from = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"type": "date"},
                                                       format="%Y-%m-%d"))
    date_to = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"],
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    actor = forms.EmailField(
        label="Whose actions", required=False, max_length=254,
        help_text="The audit trail only: the e-mail address of one person.")
    object_type = forms.CharField(
        label="Kind of object", required=False, max_length=100,
        help_text="The audit trail only: app.model, such as projects.project.")

    PARAMETERS = ("programme", "workstream", "date_from", "date_to", "actor", "object_type")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.key, kind.label) for kind in kinds]
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = "Give a date as YYYY-MM-DD."

    def parameters(self) -> dict:
        """The parameters typed, for report_job_request (empty ones left out)."""
        values = {}
        for name in self.PARAMETERS:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                values[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return values
