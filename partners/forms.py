"""Forms of the partners pages. They check the shape of the input; the services decide."""

from django import forms
from django.core.validators import MaxLengthValidator
from django_countries import countries

from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.forms import PortalForm

from .models import Organisation, OrganisationMembership
from .services.invitations import CSV_MAX_BYTES, CSV_MAX_ROWS
from .validators import (
    DESCRIPTION_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    UEN_HELP,
    UEN_MAX_LENGTH,
    description_too_long,
    email_length_error,
    renewal_message_errors,
    validate_logo,
    validate_web_address,
)

COUNTRY_HELP = "Where the organisation is registered."


class DirectoryFilterForm(PortalForm):
    q = forms.CharField(
        label="Name or description", required=False, max_length=100,
        help_text="Words in any order; capitals and accents don't matter.",
    )
    kind = forms.ChoiceField(
        label="Kind", required=False,
        choices=[("", "Any kind"), *Organisation.Kind.choices],
    )
    country = forms.ChoiceField(label="Country", required=False)
    tier = forms.ChoiceField(
        label="Tier", required=False, choices=[("", "Any tier"), *Organisation.Tier.choices]
    )
    workstream = forms.ChoiceField(label="Workstream", required=False)

    def __init__(self, *args, workstream_choices, country_codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].choices = [("", "Any workstream"), *workstream_choices]
        named = sorted(((code, countries.name(code) or code) for code in country_codes),
                       key=lambda choice: choice[1])
        self.fields["country"].choices = [("", "Any country"), *named]

    def filters(self) -> dict[str, str]:
        """The valid filters only: a stale or mistyped value is dropped, not an error page."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "search": cleaned.get("q", "").strip(),
            "kind": cleaned.get("kind", ""),
            "country": cleaned.get("country", ""),
            "tier": cleaned.get("tier", ""),
            "workstream": cleaned.get("workstream", ""),
        }


class OrganisationProfileFields(PortalForm):
    """The fields a registrant and a partner admin describe the organisation with."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *Organisation.Kind.choices])
    website = forms.URLField(
        required=False, assume_scheme="https", validators=[validate_web_address],
        help_text="The organisation's public site, such as https://example.com.",
    )
    country = forms.ChoiceField(
        # A first, empty choice: a stored code that is no longer in the list is not silently
        # replaced by the first country.
        choices=[("", "Choose the country"), *countries], initial="SG", help_text=COUNTRY_HELP,
        error_messages={"invalid_choice": "Choose the country from the list.",
                        "required": "Choose the country where the organisation is registered."},
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=f"What the organisation does and what it brings to the programme, in at most "
                  f"{DESCRIPTION_MAX_LENGTH:,} characters.",
    )
    is_listed = forms.BooleanField(
        label="List the organisation in the public partner directory", required=False,
        help_text="Visitors and other partners see only listed, approved organisations.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The length is said in clean_description, with the count, not in Django's words; the
        # widget keeps its maxlength.
        self.fields["description"].validators = []

    def clean_description(self) -> str:
        description = self.cleaned_data["description"]
        if len(description) > DESCRIPTION_MAX_LENGTH:
            raise forms.ValidationError(description_too_long(description))
        return description


class RegistrationForm(OrganisationProfileFields):
    field_order = ["name", "uen", "kind", "website", "country", "description", "is_listed",
                   "confirm_not_duplicate"]

    uen = forms.CharField(
        label="UEN or registration number", max_length=UEN_MAX_LENGTH,
        help_text=f"The Unique Entity Number. {UEN_HELP} Capitals or not, spaces ignored.",
    )
    # Offered only once the portal has warned of a similar name (see `asks_to_confirm`).
    confirm_not_duplicate = forms.BooleanField(
        label="This is a different organisation: register it anyway", required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_to_confirm = bool(self.data.get("confirm_not_duplicate"))

    def add_service_error(self, error: ApplicationError) -> None:
        super().add_service_error(error)
        if error.code == "similar_name":
            self.asks_to_confirm = True


class LogoField(forms.ImageField):
    """An image field that applies the portal's logo rules first, so a file that is too large
    or not an image gets the same message as in the API rather than Django's generic one."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        validate_logo(upload)
        return super().to_python(data)


class ProfileForm(OrganisationProfileFields):
    logo = LogoField(
        required=False,
        help_text="PNG, JPEG, GIF or WebP, at most 1 MB and 4000 px a side.",
        # A plain file input: the form's own "remove" box replaces Django's clear checkbox.
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", "Either upload a new logo or remove the current one.")
        return cleaned

    def profile_changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("name", "kind", "website", "country", "description", "is_listed")}


class ApprovalForm(PortalForm):
    tier = forms.ChoiceField(
        required=False, choices=[("", "Set the tier later"), *Organisation.Tier.choices]
    )
    tier_starts_on = forms.DateField(
        label="Term starts", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today if left empty.",
    )
    tier_ends_on = forms.DateField(
        label="Term ends", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        has_dates = cleaned.get("tier_starts_on") or cleaned.get("tier_ends_on")
        if has_dates and not cleaned.get("tier"):
            self.add_error("tier", "Choose a tier for the term, or leave the dates empty.")
        return cleaned


class DeclineForm(PortalForm):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The registrant reads this.",
        error_messages={"required": "Give the registrant a reason."},
    )


class RoleForm(PortalForm):
    role = forms.ChoiceField(choices=OrganisationMembership.Role.choices)


class InvitationEmailField(forms.EmailField):
    """An address of at most EMAIL_MAX_LENGTH characters, refused in words that say so."""

    def __init__(self, **kwargs):
        super().__init__(max_length=EMAIL_MAX_LENGTH, **kwargs)
        self.validators = [validator for validator in self.validators
                           if not isinstance(validator, MaxLengthValidator)]

    def validate(self, value):
        message = email_length_error(value)
        if message:
            raise forms.ValidationError(message, code="max_length")
        super().validate(value)


class InvitationForm(PortalForm):
    email = InvitationEmailField(label="E-mail address")
    full_name = forms.CharField(label="Name", max_length=150, required=False)
    role = forms.ChoiceField(
        choices=OrganisationMembership.Role.choices, initial=OrganisationMembership.Role.MEMBER
    )


class InvitationImportForm(PortalForm):
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, seats=None, **kwargs):
        """`seats` (partners.selectors.Seats): the places left, said before the upload, since
        rows beyond them are refused."""
        super().__init__(*args, **kwargs)
        help_text = (f"One colleague a line, under a header line with the columns name, email, "
                     f"role (admin or member). At most {CSV_MAX_ROWS} rows and "
                     f"{CSV_MAX_BYTES // 1024} KB a file.")
        if seats is not None:
            help_text += (f" {seats.left} {'place is' if seats.left == 1 else 'places are'} left "
                          f"of the {seats.limit} your tier allows, so the file can invite "
                          f"{seats.left} {'person' if seats.left == 1 else 'people'} at most; "
                          "rows beyond are refused.")
        self.fields["file"].help_text = help_text
        # PortalForm has already bound the field, and the bound field copied its help text then.
        self["file"].help_text = help_text


class AskToJoinForm(PortalForm):
    message = forms.CharField(
        label="Message to the organisation's admins", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: say who you are and what you do there.",
    )


class PersonRequestDecisionForm(PortalForm):
    role = forms.ChoiceField(
        choices=OrganisationMembership.Role.choices, initial=OrganisationMembership.Role.MEMBER,
        required=False,
    )
    reason = forms.CharField(label="Reason", required=False, max_length=2000)


class PersonRequestDeclineForm(PortalForm):
    """The reason asked on the page that confirms declining a request (the decline itself
    reads it with PersonRequestDecisionForm, as the old one-step form posted it)."""

    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The person reads it.")



# --- Agreements and renewals -------------------------------------------------------------------


class SignedAgreementForm(PortalForm):
    # A plain file: whether it is an acceptable PDF is the service's call (partners.validators).
    file = forms.FileField(
        label="Signed copy (PDF)",
        help_text="The agreement as signed for the organisation: a PDF of at most 10 MB.",
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class AgreementConfirmForm(PortalForm):
    signed_on = forms.DateField(label="Signed on", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "Enter the date it was signed."})
    expires_on = forms.DateField(
        label="Expires on", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if it does not expire.",
    )
    reason = forms.CharField(label="Note to the organisation", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 1}))


class RenewalRequestForm(PortalForm):
    tier = forms.ChoiceField(label="Tier for the next term", choices=Organisation.Tier.choices)
    message = forms.CharField(
        label="Message to the programme office", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why the tier changes, a purchase order number, who to invoice.",
    )

    def clean_message(self):
        message = self.cleaned_data["message"]
        error = renewal_message_errors(message).get("message")
        if error:
            raise forms.ValidationError(error)
        return message


class RenewForm(PortalForm):
    # The end of the term being renewed, as the page showed it: renewing a term someone else
    # renewed meanwhile is refused rather than adding a second year.
    term_ends_on = forms.DateField(widget=forms.HiddenInput)
    tier = forms.ChoiceField(label="Tier", choices=Organisation.Tier.choices)
    ends_on = forms.DateField(label="New term ends", widget=forms.DateInput(attrs={"type": "date"}))


class RenewalDeclineForm(PortalForm):
    reason = forms.CharField(
        label="Reason for declining", widget=forms.Textarea(attrs={"rows": 1}), max_length=2000,
        help_text="The organisation's admins read this.",
        error_messages={"required": "Give the organisation's admins a reason."},
    )
