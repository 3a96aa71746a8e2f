"""The training pages' forms. They check the shape of the input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from cluster_portal.core.forms import PortalForm
from workstreams.models import Workstream

from .models import Course, CourseRun, ProficiencyLevel, Session, Skill
from .selectors import CatalogueFilters, StaffCourseFilters


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


# --- Programme staff's course pages -------------------------------------------------------------
# Fields come from the models (their lengths and validators, written once); the services check
# the rest (an approved provider, active workstreams, prerequisites without a loop, trainers,
# sessions within the run, seats never below those taken).

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def model_field(model, name: str, **kwargs) -> forms.Field:
    return model._meta.get_field(name).formfield(**kwargs)


class StaffForm(PortalForm):
    """Checkbox and radio groups are drawn one box at a time (templates/talent/staff/partials/
    choice_group.html), each with Bootstrap's check class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound_field in self:
            if bound_field.widget_type in ("checkboxselectmultiple", "radioselect"):
                bound_field.field.widget.attrs["class"] = "form-check-input"


class StaffCourseFilterForm(PortalForm):
    q = forms.CharField(label="Search", required=False, max_length=100,
                        help_text="Words in the course's code, title or description.")
    published = forms.ChoiceField(required=False, label="In the catalogue", choices=[
        ("", "Published or not"), ("yes", "Published"), ("no", "Not published")])
    workstream = forms.ChoiceField(required=False)
    mode = forms.ChoiceField(required=False, choices=[("", "Any mode"), *Course.Mode.choices])

    def __init__(self, *args, workstreams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].choices = [("", "Any workstream")] + [
            (workstream.slug, workstream.name) for workstream in workstreams]

    def filters(self) -> StaffCourseFilters:
        if not self.is_valid():
            return StaffCourseFilters()
        data = self.cleaned_data
        return StaffCourseFilters(
            text=data["q"].strip(), workstream=data["workstream"], mode=data["mode"],
            published={"yes": True, "no": False}.get(data["published"]))


class CourseForm(StaffForm):
    """A new course (with its code) or a course's changes (its code stays: links and
    certificates name it)."""

    code = model_field(Course, "code")
    title = model_field(Course, "title")
    summary = model_field(Course, "summary", help_text="One line, shown in the catalogue.")
    description = model_field(Course, "description",
                              widget=forms.Textarea(attrs={"rows": 6}))
    provider = forms.ModelChoiceField(
        queryset=None, required=False, label="Provider organisation",
        empty_label="None named", help_text="An approved organisation of the programme.")
    workstreams = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The active workstreams whose people it trains.")
    mode = model_field(Course, "mode")
    hours = model_field(Course, "hours", label="Hours of training")
    fee = model_field(Course, "fee", label="Fee (SGD)", help_text="0 for a free course.")
    prerequisites = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Prerequisites",
        help_text="Courses to complete first. Staff can waive them for a person.")
    certificate_valid_months = model_field(
        Course, "certificate_valid_months", label="Certificate valid for (months)",
        min_value=1, max_value=240,
        help_text="Empty when its certificate does not lapse; 12 for a yearly refresher.")
    is_published = model_field(Course, "is_published", label="Published in the catalogue",
                               help_text="Anyone can see it and enrol on its runs.")

    def __init__(self, *args, course: Course | None = None, providers, workstreams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["workstreams"].queryset = workstreams
        others = Course.objects.order_by("code")
        if course is not None:
            del self.fields["code"]
            others = others.exclude(pk=course.pk)
        self.fields["prerequisites"].queryset = others


class SkillLevelForm(PortalForm):
    """One row of a list of skills, each with a level (what a course builds, what a project
    needs). `level_missing` says what the level is for."""

    level_missing = "Choose the level."

    skill = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    level = forms.TypedChoiceField(coerce=int, empty_value=None, required=False,
                                   choices=[("", "No level"), *ProficiencyLevel.choices])

    def __init__(self, *args, skills: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.skills = skills
        self.fields["skill"].choices = [("", "No skill")] + [
            (skill.pk, skill.name) for skill in skills.values()]

    def clean(self):
        data = super().clean()
        if data.get("skill") and not data.get("level"):
            self.add_error("level", self.level_missing)
        if data.get("level") and not data.get("skill"):
            self.add_error("skill", "Choose the skill, or no level.")
        return data


class BaseSkillLevelFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            skill = form.cleaned_data.get("skill")
            if skill in seen:
                raise forms.ValidationError(
                    f"{form.skills[skill].name} is listed twice: give each skill once.")
            if skill:
                seen.add(skill)

    def chosen(self) -> dict:
        """{Skill: level} of the rows that name a skill."""
        return {form.skills[form.cleaned_data["skill"]]: form.cleaned_data["level"]
                for form in self.forms if form.cleaned_data.get("skill")}


def skill_level_formset(form: type[SkillLevelForm], data=None, *, initial=()
                        ) -> BaseSkillLevelFormSet:
    """Rows of skills with levels (`initial`: [(skill id, level)]) and three empty rows to add
    more, every skill of the framework offered."""
    formset = forms.formset_factory(form, formset=BaseSkillLevelFormSet, extra=3, max_num=30,
                                    validate_max=True)
    skills = {skill.pk: skill for skill in Skill.objects.order_by("name")}
    return formset(data, initial=[{"skill": pk, "level": level} for pk, level in initial],
                   prefix="skills", form_kwargs={"skills": skills})


class CourseSkillForm(SkillLevelForm):
    """One skill the course builds, and the level a person reaches."""

    level_missing = "Choose the level the course builds this skill to."


def course_skill_formset(data=None, *, course: Course | None = None) -> BaseSkillLevelFormSet:
    """The skills rows: those the course builds, and three empty rows to add more."""
    return skill_level_formset(CourseSkillForm, data, initial=[
        (taught.skill_id, taught.level) for taught in (course.skills_taught.all() if course
                                                       else ())])


class RunForm(StaffForm):
    starts_on = model_field(CourseRun, "starts_on", widget=DATE_WIDGET, label="First day")
    ends_on = model_field(CourseRun, "ends_on", widget=DATE_WIDGET, label="Last day")
    venue = model_field(CourseRun, "venue")
    capacity = model_field(CourseRun, "capacity", label="Seats", min_value=1,
                           help_text="Fewer than the seats taken is refused; more go to the "
                                     "waitlist at once.")
    enrolment_opens_at = model_field(CourseRun, "enrolment_opens_at", widget=datetime_widget(),
                                     label="Enrolment opens")
    enrolment_closes_at = model_field(CourseRun, "enrolment_closes_at",
                                      widget=datetime_widget(), label="Enrolment closes")
    promotion = model_field(CourseRun, "promotion", widget=forms.RadioSelect,
                            label="When a seat is freed")
    offer_hours = model_field(CourseRun, "offer_hours", label="Hours an offer waits",
                              min_value=1, max_value=24 * 14,
                              help_text="For offered seats: how long the next in line has to "
                                        "accept before the seat passes on.")
    trainers = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Programme staff, and the people acting for the course's provider.")

    def __init__(self, *args, candidates, run: CourseRun | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone already training the run stays listed after leaving the provider.
        current = Q(pk__in=run.trainers.values("pk")) if run is not None else Q(pk__in=[])
        self.fields["trainers"].queryset = (
            get_user_model().objects.filter(Q(pk__in=candidates.order_by().values("pk")) | current)
            .order_by("full_name", "email"))
        self.fields["trainers"].label_from_instance = (
            lambda person: f"{person.full_name or person.email} ({person.email})")


class SessionForm(PortalForm):
    title = model_field(Session, "title", help_text="Such as Day 1, or the topic.")
    starts_at = model_field(Session, "starts_at", widget=datetime_widget(), label="Starts")
    ends_at = model_field(Session, "ends_at", widget=datetime_widget(), label="Ends")


class ReasonForm(PortalForm):
    reason = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The people concerned are told this reason.",
        error_messages={"required": "Give the reason: the people concerned are told it."})


class PersonEmailForm(PortalForm):
    email = forms.EmailField(label="E-mail address", max_length=254,
                             help_text="The address of their account on the portal.")


class StaffEnrolForm(PersonEmailForm):
    pass


class WaiverForm(PersonEmailForm):
    reason = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Such as the equivalent experience they have; kept on the record.",
        error_messages={"required": "Say why the prerequisite is waived."})



class SkillNeedForm(PortalForm):
    """A skill a workstream needs, and to what level (set again to change the level)."""

    workstream = forms.ModelChoiceField(queryset=Workstream.objects.none())
    skill = forms.ModelChoiceField(queryset=Skill.objects.order_by("name"))
    level = forms.TypedChoiceField(coerce=int, choices=ProficiencyLevel.choices)

    def __init__(self, *args, workstreams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].queryset = workstreams


class SkillForm(PortalForm):
    """A skill the framework lacks."""

    name = forms.CharField(max_length=120)
    category = forms.ChoiceField(choices=Skill.Category.choices)
    description = forms.CharField(required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
