"""The projects pages' forms. They check the shape of the input; the services decide (who
takes part, who may be on the team, dates of the plan within the project's)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from cluster_portal.core.forms import PortalForm
from talent.forms import BaseSkillLevelFormSet, SkillLevelForm, skill_level_formset

from .models import TRL_MAX, TRL_MIN, Contribution, Deliverable, Milestone, Project, Rag
from .services.projects import REASON_REQUIRED

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TRL_CHOICES = [(level, str(level)) for level in range(TRL_MIN, TRL_MAX + 1)]


def model_field(model, name: str, **kwargs) -> forms.Field:
    return model._meta.get_field(name).formfield(**kwargs)


def person_label(person) -> str:
    return f"{person.full_name or person.email} ({person.email})"


class ChoicesForm(PortalForm):
    """Checkbox and radio groups are drawn one box at a time (templates/talent/staff/partials/
    choice_group.html), each with Bootstrap's check class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound_field in self:
            if bound_field.widget_type in ("checkboxselectmultiple", "radioselect"):
                bound_field.field.widget.attrs["class"] = "form-check-input"


class PersonByEmailField(forms.EmailField):
    """An account named by its e-mail address; the form's `find_person` looks it up."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)


NO_ACCOUNT = ("No active account uses {email}. Ask the person to create an account on the "
              "portal first.")


def parse_team(text: str, find_person) -> dict:
    """Lines of "e-mail, role" as {person: role}; every line that can't be read is named."""
    team, problems, seen = {}, [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        email, _, role = (part.strip() for part in line.partition(","))
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"Line {number}: “{email[:60]}” is not an e-mail address.")
            continue
        if email.lower() in seen:
            problems.append(f"Line {number}: {email} is listed twice.")
            continue
        seen.add(email.lower())
        if len(role) > 80:
            problems.append(f"Line {number}: keep the role to 80 characters.")
            continue
        person = find_person(email)
        if person is None:
            problems.append(f"Line {number}: " + NO_ACCOUNT.format(email=email))
            continue
        team[person] = role or "Team member"
    if problems:
        raise ValidationError(problems)
    return team


def team_text(members) -> str:
    return "\n".join(f"{member.person.email}, {member.role}" for member in members)


TEAM_HELP = ("One person a line: their e-mail address, a comma, their role, such as "
             "“ann.lee@example.org, Research engineer”. Programme staff or people of a "
             "participating organisation.")


class ProjectDetailsForm(ChoicesForm):
    """What project_create and project_update share."""

    title = model_field(Project, "title")
    summary = model_field(Project, "summary", widget=forms.Textarea(attrs={"rows": 3}),
                          help_text="The public summary: anyone may read it once the project "
                                    "is public.")
    objectives = model_field(Project, "objectives", widget=forms.Textarea(attrs={"rows": 5}))
    lead_organisation = forms.ModelChoiceField(queryset=None, label="Lead organisation",
                                               help_text="Its people submit the deliverables.")
    principal_investigator = PersonByEmailField(
        label="Principal investigator's e-mail address",
        help_text="Their account on the portal; they act for a participating organisation or "
                  "work for the programme.")
    starts_on = model_field(Project, "starts_on", widget=DATE_WIDGET, label="Starts on")
    ends_on = model_field(Project, "ends_on", widget=DATE_WIDGET, label="Ends on")
    trl_start = forms.TypedChoiceField(coerce=int, choices=TRL_CHOICES, label="TRL at start",
                                       help_text="Technology readiness level, 1 to 9.")
    trl_target = forms.TypedChoiceField(coerce=int, choices=TRL_CHOICES, label="Target TRL")
    visibility = model_field(Project, "visibility", widget=forms.RadioSelect,
                             help_text="Who sees the project besides its team and the "
                                       "participating organisations, once it is approved.")
    officer = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Me",
        help_text="The programme staff member who follows the project and reviews its "
                  "deliverables.")

    def __init__(self, *args, organisations, officers, find_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.find_person = find_person
        self.fields["lead_organisation"].queryset = organisations
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = person_label

    def clean_principal_investigator(self):
        email = self.cleaned_data["principal_investigator"]
        person = self.find_person(email)
        if person is None:
            raise ValidationError(NO_ACCOUNT.format(email=email))
        return person


class ProjectCreateForm(ProjectDetailsForm):
    workstream = forms.ModelChoiceField(queryset=None,
                                        help_text="An active workstream; it gives the code.")
    participants = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Other participating organisations",
        help_text="Only approved member organisations of the chosen workstream take part. The "
                  "lead organisation takes part without being ticked.")
    team = forms.CharField(required=False, max_length=10_000, help_text=TEAM_HELP,
                           widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}))

    field_order = ["workstream", "title", "summary", "objectives", "lead_organisation",
                   "participants", "principal_investigator", "team", "starts_on", "ends_on",
                   "trl_start", "trl_target", "visibility", "officer"]

    def __init__(self, *args, workstreams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].queryset = workstreams
        self.fields["participants"].queryset = self.fields["lead_organisation"].queryset

    def clean_team(self):
        return parse_team(self.cleaned_data["team"], self.find_person)


class ProjectEditForm(ProjectDetailsForm):
    trl_current = forms.TypedChoiceField(coerce=int, choices=TRL_CHOICES, label="TRL now",
                                         help_text="A status update that reports a TRL sets "
                                                   "it too.")
    field_order = ["title", "summary", "objectives", "lead_organisation",
                   "principal_investigator", "starts_on", "ends_on", "trl_start", "trl_current",
                   "trl_target", "visibility", "officer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].empty_label = "Nobody named"
        # The bound field keeps the help it was made with: change both.
        self.fields["lead_organisation"].help_text = self["lead_organisation"].help_text = (
            "One of the participating organisations; its people submit the deliverables.")


class ParticipantsForm(ChoicesForm):
    participants = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Participating organisations",
        help_text="Approved member organisations of the workstream. The lead organisation "
                  "always takes part.")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = organisations


class TeamForm(PortalForm):
    team = forms.CharField(required=False, max_length=10_000, help_text=TEAM_HELP,
                           label="Team besides the principal investigator",
                           widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}))

    def __init__(self, *args, find_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.find_person = find_person

    def clean_team(self):
        return parse_team(self.cleaned_data["team"], self.find_person)


class SkillNeedForm(SkillLevelForm):
    """One skill the project needs, and to what level."""

    level_missing = "Choose the level the project needs."


def skill_need_formset(data=None, *, project: Project | None = None) -> BaseSkillLevelFormSet:
    """The skills rows: those the project needs, and three empty rows to add more."""
    return skill_level_formset(SkillNeedForm, data, initial=[
        (need.skill_id, need.level) for need in (project.skill_needs.all() if project else ())])


class MoveForm(PortalForm):
    reason = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The project's team and officer are told this reason.")

    def __init__(self, *args, to: str, **kwargs):
        super().__init__(*args, **kwargs)
        if to in REASON_REQUIRED:
            field = self.fields["reason"]
            field.required = True
            field.error_messages["required"] = "Say why: the project's team is told."


# --- the plan --------------------------------------------------------------------------------

class MilestoneForm(PortalForm):
    title = model_field(Milestone, "title")
    due_on = model_field(Milestone, "due_on", widget=DATE_WIDGET, label="Due on")
    description = model_field(Milestone, "description",
                              widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneCompleteForm(PortalForm):
    completed_on = forms.DateField(
        required=False, widget=DATE_WIDGET, label="Reached on",
        help_text="Today unless you give an earlier day.")


class DeliverableForm(PortalForm):
    title = model_field(Deliverable, "title")
    kind = model_field(Deliverable, "kind")
    due_on = model_field(Deliverable, "due_on", widget=DATE_WIDGET, label="Due on")
    milestone = forms.ModelChoiceField(queryset=None, required=False,
                                       empty_label="No milestone",
                                       help_text="The milestone it belongs to, if one.")

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.order_by("due_on", "pk")


class DraftForm(PortalForm):
    file = forms.FileField(label="Draft file", allow_empty_file=False)


class SubmitForm(PortalForm):
    file = forms.FileField(
        required=False, allow_empty_file=False, label="The deliverable's file",
        help_text="Leave empty to submit the draft already uploaded.")
    late_justification = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        label="Why it is late",
        help_text="It is past its due date: say why. Programme staff read this with it.")

    def __init__(self, *args, deliverable: Deliverable, **kwargs):
        super().__init__(*args, **kwargs)
        if not deliverable.file:
            self.fields["file"].required = True
            self.fields["file"].help_text = self["file"].help_text = ""
            self.fields["file"].error_messages["required"] = "Attach the deliverable's file."
        if timezone.localdate() <= deliverable.due_on:
            del self.fields["late_justification"]


class ReviewForm(ChoicesForm):
    decision = forms.ChoiceField(
        widget=forms.RadioSelect, label="Your decision",
        choices=[("approve", "Approve it"), ("return", "Return it with comments")],
        error_messages={"required": "Choose to approve it or return it."})
    comments = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to return it: say what the team should change. The submitter and "
                  "the principal investigator read them.")


# --- reporting -------------------------------------------------------------------------------

RAG_WIDGET = forms.RadioSelect


class StatusUpdateForm(ChoicesForm):
    period = forms.DateField(
        label="Month reported on", input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text="This month or an earlier one; one update a month.",
        error_messages={"invalid": "Give the month as year and month, such as 2026-03."})
    overall = forms.ChoiceField(choices=Rag.choices, widget=RAG_WIDGET)
    schedule = forms.ChoiceField(choices=Rag.choices, widget=RAG_WIDGET)
    budget = forms.ChoiceField(choices=Rag.choices, widget=RAG_WIDGET)
    narrative = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How the month went: progress, issues, next steps.")
    trl = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="TRL reached",
        choices=[("", "No change"), *TRL_CHOICES],
        help_text="When the project reached a new technology readiness level this month.")

    @staticmethod
    def this_month() -> datetime.date:
        return timezone.localdate().replace(day=1)


class ContributionForm(ChoicesForm):
    organisation = forms.ModelChoiceField(queryset=None,
                                          help_text="One of the participating organisations.")
    year = forms.IntegerField(min_value=2000, max_value=2100)
    kind = forms.ChoiceField(choices=Contribution.Kind.choices, widget=forms.RadioSelect)
    # Text, not numbers: the service reads the amount and says what is wrong with it.
    committed_sgd = forms.CharField(label="Committed (SGD)", max_length=30, initial="0",
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    actual_sgd = forms.CharField(label="Actually given (SGD)", max_length=30, initial="0",
                                 widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                 help_text="Recording the same organisation, year and kind "
                                           "again changes its figures.")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["year"].error_messages.update({
            "min_value": "Give a year from 2000.", "max_value": "Give a year up to 2100."})

    def clean_committed_sgd(self):
        return _amount_as_typed(self.cleaned_data["committed_sgd"])

    def clean_actual_sgd(self):
        return _amount_as_typed(self.cleaned_data["actual_sgd"])


def _amount_as_typed(value: str) -> str:
    """An amount as people write it ("150,000", "S$ 2 500.50"), as the service reads it: the
    pages show amounts with thousands separators, so they are accepted back."""
    text = (value or "").strip()
    for mark in ("S$", "SGD", "$"):
        text = text.removeprefix(mark).strip()
    return text.replace(",", "").replace(" ", "").replace("\u00a0", "")
