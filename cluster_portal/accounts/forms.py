from django import forms


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form lacks: the person's full name."""

    full_name = forms.CharField(
        max_length=150,
        label="Full name",
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Tan Mei Ling"}),
    )

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
