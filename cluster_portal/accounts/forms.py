from django import forms

from cluster_portal.core.validators import validate_single_line

from .services import user_update_profile


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
        user_update_profile(user=user, full_name=self.cleaned_data["full_name"])
