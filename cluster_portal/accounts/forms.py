from django import forms

from cluster_portal.core.forms import PortalForm
from cluster_portal.core.validators import validate_single_line

from .services import user_update_profile
from .validators import (
    FULL_NAME_MAX_LENGTH,
    JOB_TITLE_MAX_LENGTH,
    PHONE_HELP,
    validate_phone_number,
)


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form lacks: the person's full name."""

    full_name = forms.CharField(
        max_length=150,
        label="Full name",
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Tan Mei Ling"}),
    )

    def clean_full_name(self) -> str:
        full_name = self.cleaned_data["full_name"]
        validate_single_line(full_name)
        return full_name

    def signup(self, request, user) -> None:
        user_update_profile(actor=user, user=user, full_name=self.cleaned_data["full_name"])


class TelephoneInput(forms.TextInput):
    input_type = "tel"


class ProfileForm(PortalForm):
    """The profile page's fields; the service (user_update_profile) decides."""

    full_name = forms.CharField(
        max_length=FULL_NAME_MAX_LENGTH, validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    job_title = forms.CharField(
        max_length=JOB_TITLE_MAX_LENGTH, required=False, validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        help_text="Such as “Head of process development”.",
    )
    phone = forms.CharField(
        label="Phone number", required=False, validators=[validate_phone_number],
        help_text=PHONE_HELP, widget=TelephoneInput(attrs={"autocomplete": "tel"}),
    )
