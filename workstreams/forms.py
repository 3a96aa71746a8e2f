"""The workstream pages' forms. They check the shape of the input; the services decide."""

from django import forms

from cluster_portal.core.forms import PortalForm

from .models import WorkstreamMeetingFile, WorkstreamMembership
from .services import MOTIVATION_MAX_LENGTH, motivation_too_long

CODE_OF_CONDUCT_REQUIRED = (
    "Acknowledge the programme's competition-law code of conduct to ask to join."
)


class JoinRequestForm(PortalForm):
    organisation = forms.TypedChoiceField(
        coerce=int, label="Organisation",
        help_text="The organisation that asks to join. You act for it as a partner admin.",
    )
    motivation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MOTIVATION_MAX_LENGTH}),
        help_text="Why the organisation wants to join, and what it brings: problems, "
                  f"expertise, equipment, people; at most {MOTIVATION_MAX_LENGTH:,} characters.",
    )
    # The service names this field `code_of_conduct` in its errors; the form uses the same name.
    code_of_conduct = forms.BooleanField(
        label="I acknowledge the programme's competition-law code of conduct on behalf of the "
              "organisation, and will follow it in the workstream's meetings and exchanges.",
        error_messages={"required": CODE_OF_CONDUCT_REQUIRED},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.pk: organisation for organisation in organisations}
        self.fields["organisation"].choices = [
            (organisation.pk, organisation.name) for organisation in organisations
        ]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk

    def clean_motivation(self) -> str:
        message = motivation_too_long(self.cleaned_data["motivation"])
        if message:
            raise forms.ValidationError(message)
        return self.cleaned_data["motivation"]

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]


class JoinRequestApproveForm(PortalForm):
    role = forms.ChoiceField(
        choices=WorkstreamMembership.Role.choices, initial=WorkstreamMembership.Role.CORE,
        label="Role",
    )


class JoinRequestDeclineForm(PortalForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The organisation's admins read it.",
        error_messages={"required": "Say why the request is declined."},
    )


class MembershipEndForm(PortalForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The organisation's admins read it.",
        error_messages={"required": "Say why the membership ends."},
    )


# --- the members' area ------------------------------------------------------------------------
# The services check titles, files and messages (cluster_portal.core.validators); these forms
# only say which fields there are.

DOCUMENT_HELP = "PDF, Word, Excel, PowerPoint, OpenDocument, plain text or CSV; at most 20 MB."


class DocumentShareForm(PortalForm):
    title = forms.CharField(max_length=200, help_text="As members will see it in the list.")
    file = forms.FileField(help_text=DOCUMENT_HELP)


class MeetingFileForm(PortalForm):
    kind = forms.ChoiceField(choices=WorkstreamMeetingFile.Kind.choices, label="This file is")
    file = forms.FileField(help_text=DOCUMENT_HELP)


class LeadContactForm(PortalForm):
    subject = forms.CharField(max_length=150)
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), max_length=5000,
        help_text="Your name, e-mail address and organisation go with it, so the reply can "
                  "come straight to you.",
    )
