"""The training pages' forms. They check the shape of the input; the services decide."""

from django import forms

from cluster_portal.core.forms import PortalForm

from .models import Course, ProficiencyLevel, Skill
from .selectors import CatalogueFilters


class CatalogueForm(PortalForm):
    """The catalogue's filters, read from the query string; a value that is not offered is
    reported beside its field and filters nothing."""

    q = forms.CharField(label="Search", required=False, max_length=100,
                        help_text="Words in the course's code, title or description.")
    workstream = forms.ChoiceField(required=False)
    skill = forms.ChoiceField(required=False)
    level = forms.TypedChoiceField(
        label="Level at least", required=False, coerce=int, empty_value=None,
        choices=[("", "Any level"), *ProficiencyLevel.choices])
    mode = forms.ChoiceField(required=False, choices=[("", "Any mode"), *Course.Mode.choices])
    upcoming = forms.BooleanField(label="With a run to come", required=False)
    seats_left = forms.BooleanField(label="With seats left", required=False)

    def __init__(self, *args, workstreams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].choices = [("", "Any workstream")] + [
            (workstream.slug, workstream.name) for workstream in workstreams]
        self.fields["skill"].choices = [("", "Any skill")] + [
            (code, name) for code, name in Skill.objects.values_list("code", "name")]

    def filters(self) -> CatalogueFilters:
        if not self.is_valid():
            return CatalogueFilters()
        data = self.cleaned_data
        return CatalogueFilters(text=data["q"].strip(), workstream=data["workstream"],
                                skill=data["skill"], level=data["level"], mode=data["mode"],
                                upcoming=data["upcoming"], seats_left=data["seats_left"])


class EnrolForm(PortalForm):
    sponsor = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Sponsored by",
        help_text="The organisation sending you, if one is; it then sees this enrolment in its "
                  "training record.")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.pk: organisation for organisation in organisations}
        self.fields["sponsor"].choices = [("", "Nobody: I enrol on my own account")] + [
            (organisation.pk, organisation.name) for organisation in organisations]

    def chosen_sponsor(self):
        return self.organisations.get(self.cleaned_data.get("sponsor"))


class AttendanceMarkForm(PortalForm):
    """One tick of a session's register: whose, and present or absent."""

    enrolment = forms.IntegerField(min_value=1)
    present = forms.TypedChoiceField(choices=[("1", "Present"), ("0", "Absent")],
                                     coerce=lambda value: value == "1")


class CompletionForm(PortalForm):
    attendance_threshold = forms.IntegerField(
        label="Attendance needed to complete (%)", min_value=1, max_value=100, initial=75,
        help_text="The share of the run's sessions a trainee must have attended. Exactly this "
                  "share counts: with 4 sessions, 75% means 3 of them.")


class RevocationForm(PortalForm):
    reason = forms.CharField(
        label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The holder is told this reason; the public verification page shows only "
                  "that the certificate was revoked, and when.")


class CredentialForm(PortalForm):
    credential = forms.CharField(
        label="Open Badges credential", max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The credential's text as its holder gave it to you: a long line that starts "
                  "with eyJ.")
