"""The programme office's admin pages for organisations, their people, agreements and renewals.

The admin is an adapter like any view: every change of state is a service call, so the admin
records the same audit events and sends the same notifications as the portal's own pages.
Deleting is switched off where a service owns the record's life (an organisation is declined, a
person removed, an invitation revoked, never deleted from under the audit trail).
"""

import datetime

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from cluster_portal.core.service_admin import (
    DecidedByActionsAdmin,
    ReadOnlyInline,
    ServiceBackedAdmin,
    adopt_saved,
    run_for_each,
)

from .models import (
    Agreement,
    Invitation,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    RenewalRequest,
)
from .selectors import RENEWAL_WINDOW_DAYS
from .services import (
    agreement_record,
    invitation_revoke,
    organisation_approve,
    organisation_create,
    organisation_decline,
    organisation_membership_add,
    organisation_membership_change_role,
    organisation_membership_remove,
    organisation_renew,
    organisation_set_tier,
    organisation_update_profile,
    person_request_approve,
    person_request_decline,
    renewal_request_decline,
)
from .services.organisations import PROFILE_FIELDS, normalise_uen
from .validators import agreement_errors, tier_term_errors, validate_agreement_pdf

ORGANISATION_DECLINE_REASON = (
    "The programme office could not confirm this registration. Write to the programme office "
    "for details."
)
PERSON_REQUEST_DECLINE_REASON = "Declined by the programme office."
RENEWAL_DECLINE_REASON = (
    "The programme office could not renew the membership as asked. Write to the programme "
    "office for details."
)
TIER_FIELDS = ("tier", "tier_starts_on", "tier_ends_on")


# --- Organisations ----------------------------------------------------------------------------


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https",
                             widget=admin.widgets.AdminURLFieldWidget)

    class Meta:
        model = Organisation
        fields = ("name", "uen", "kind", "country", "website", "description", "logo",
                  "is_listed", *TIER_FIELDS)

    def clean_uen(self):
        # Compared as the service stores it, so "2017 00001a" meets "201700001A" here. The
        # programme office sees every organisation, so any other one holding the UEN is named.
        uen = normalise_uen(self.cleaned_data["uen"])
        twin = Organisation.objects.filter(uen=uen).exclude(pk=self.instance.pk).first()
        if twin is not None and uen != self.instance.uen:
            raise forms.ValidationError(f"An organisation with this UEN already exists: "
                                        f"{twin.name} ({twin.get_status_display().lower()}).")
        return uen

    def clean(self):
        # The service's rule (partners.validators), asked here to say it beside the fields.
        cleaned = super().clean()
        for field, message in tier_term_errors(
                tier=cleaned.get("tier") or "", starts_on=cleaned.get("tier_starts_on"),
                ends_on=cleaned.get("tier_ends_on"), current_tier=self.instance.tier).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned


class OrganisationMembershipInline(ReadOnlyInline):
    """The organisation's people, for reading; roles change on the membership's own page."""

    model = OrganisationMembership
    fields = ("person", "role", "created_at")


class RenewalFilter(admin.SimpleListFilter):
    """The renewals page's two lists: terms ending soon, and terms that have ended."""

    title = "renewal"
    parameter_name = "renewal"

    def lookups(self, request, model_admin):
        return [("due", f"Ends within {RENEWAL_WINDOW_DAYS} days"), ("ended", "Term ended")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "due":
            return queryset.filter(tier_ends_on__gte=today, tier_ends_on__lte=today
                                   + datetime.timedelta(days=RENEWAL_WINDOW_DAYS))
        if self.value() == "ended":
            return queryset.filter(tier_ends_on__lt=today)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(ServiceBackedAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "uen", "kind", "status", "tier", "tier_status",
                    "tier_ends_on", "is_listed", "country", "created_at")
    list_filter = ("status", "tier_status", "tier", "kind", "is_listed", "country",
                   RenewalFilter)
    search_fields = ("name", "uen")
    list_select_related = ()  # the list shows no related rows
    date_hierarchy = "created_at"
    inlines = [OrganisationMembershipInline]
    actions = ["approve_selected", "decline_selected", "renew_selected"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "uen", "kind", "country", "website", "description",
                           "logo", "is_listed")}),
        ("Approval", {"fields": ("status", "created_by", "created_at", "decided_by",
                                 "decided_at", "decision_reason")}),
        ("Programme membership", {
            "fields": (*TIER_FIELDS, "tier_status", "renewal_reminder_sent_on"),
            "description": "Changing the tier or its dates starts a new term: the status is "
                           "worked out again and a renewal reminder is sent before it ends.",
        }),
    )
    readonly_fields = ("slug", "status", "created_by", "created_at", "decided_by", "decided_at",
                       "decision_reason", "tier_status", "renewal_reminder_sent_on")

    def get_readonly_fields(self, request, obj=None):
        # A UEN identifies the organisation; it is set once, when it registers.
        return (*self.readonly_fields, "uen") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    # Tier and term go through organisation_set_tier here rather than through an action: a term
    # needs a tier and two dates, which the change form already asks for, and the service then
    # works out the status and audits the change. Profile fields go through
    # organisation_update_profile, so both leave the same trail as the portal's own pages.
    def save_model(self, request, obj, form, change):
        data, changed = form.cleaned_data, set(form.changed_data)
        if change:
            organisation = Organisation.objects.get(pk=obj.pk)
            profile = {name: data[name] for name in PROFILE_FIELDS if name in changed}
            if profile or "logo" in changed:
                # The form gives False for a cleared logo and a file for a new one.
                new_logo = data.get("logo") if "logo" in changed else None
                organisation = organisation_update_profile(
                    actor=request.user, organisation=organisation, logo=new_logo or None,
                    remove_logo="logo" in changed and not new_logo, **profile,
                )
        else:
            organisation = organisation_create(
                name=data["name"], uen=data["uen"], kind=data["kind"], website=data["website"],
                country=data["country"], description=data["description"],
                is_listed=data["is_listed"], created_by=request.user,
            )
            if data.get("logo"):
                organisation = organisation_update_profile(
                    actor=request.user, organisation=organisation, logo=data["logo"])
        if changed & set(TIER_FIELDS) and data.get("tier"):
            organisation = organisation_set_tier(
                actor=request.user, organisation=organisation, tier=data["tier"],
                starts_on=data["tier_starts_on"], ends_on=data.get("tier_ends_on"),
            )
        adopt_saved(obj, organisation)

    @admin.action(description="Approve selected organisations", permissions=["change"])
    def approve_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda organisation: organisation_approve(actor=request.user,
                                                      organisation=organisation),
            done="Approved {count} organisation(s); their admins have been told.",
        )

    @admin.action(description="Decline selected organisations (standard reason)",
                  permissions=["change"])
    def decline_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda organisation: organisation_decline(
                actor=request.user, organisation=organisation,
                reason=ORGANISATION_DECLINE_REASON),
            done="Declined {count} organisation(s) with the standard reason; their admins "
                 "have been told.",
        )

    @admin.action(description="Renew the membership of selected organisations (next term)",
                  permissions=["change"])
    def renew_selected(self, request, queryset):
        # Renews the term as the list showed it; one renewed meanwhile is refused, not doubled.
        run_for_each(
            self, request, queryset,
            lambda organisation: organisation_renew(
                actor=request.user, organisation=organisation,
                term_ends_on=organisation.tier_ends_on),
            done="Renewed {count} membership(s) for another term; their admins have been told.",
        )


# --- People -----------------------------------------------------------------------------------


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(ServiceBackedAdmin):
    """Adding attaches a person directly (partners use invitations); changing the role and
    removing go through the services that keep every organisation with an admin."""

    list_display = ("person", "organisation", "role", "created_at")
    list_filter = ("role", "organisation__status")
    search_fields = ("person__email", "person__full_name", "organisation__name")
    list_select_related = ("person", "organisation")
    autocomplete_fields = ("organisation", "person")
    fields = ("organisation", "person", "role", "created_at")
    readonly_fields = ("created_at",)
    actions = ["remove_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return ("organisation", "person", "created_at")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            membership = organisation_membership_change_role(
                actor=request.user, membership=OrganisationMembership.objects.get(pk=obj.pk),
                role=form.cleaned_data["role"],
            )
        else:
            membership = organisation_membership_add(
                actor=request.user, organisation=form.cleaned_data["organisation"],
                person=form.cleaned_data["person"], role=form.cleaned_data["role"],
            )
        adopt_saved(obj, membership)

    @admin.action(description="Remove selected people from their organisations",
                  permissions=["change"])
    def remove_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda membership: organisation_membership_remove(actor=request.user,
                                                              membership=membership),
            done="Removed {count} person(s) from their organisation.",
        )


@admin.register(PersonRequest)
class PersonRequestAdmin(DecidedByActionsAdmin):
    """Requests are decided by the organisation's admins, or here through the same services."""

    list_display = ("person", "organisation", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status",)
    search_fields = ("person__email", "person__full_name", "organisation__name")
    list_select_related = ("person", "organisation", "decided_by")
    readonly_fields = ("organisation", "person", "message", "status", "created_at",
                       "decided_by", "decided_at", "decision_reason")
    actions = ["approve_selected", "decline_selected"]

    @admin.action(description="Approve selected requests (as partner member)",
                  permissions=["change"])
    def approve_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda person_request: person_request_approve(actor=request.user,
                                                          person_request=person_request),
            done="Approved {count} request(s).",
        )

    @admin.action(description="Decline selected requests (standard reason)",
                  permissions=["change"])
    def decline_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda person_request: person_request_decline(
                actor=request.user, person_request=person_request,
                reason=PERSON_REQUEST_DECLINE_REASON),
            done="Declined {count} request(s).",
        )


class InvitationStatusFilter(admin.SimpleListFilter):
    """Status is worked out from the dates (an invitation expires without anyone acting)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value in Invitation.Status.values:
            return queryset.in_status(value)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only. Invitations are sent by partner admins from the portal: the link's token exists
    only in the e-mail (the database keeps a digest), so an invitation made here could never be
    accepted. The programme office can revoke one."""

    list_display = ("email", "organisation", "role", "status", "invited_by", "created_at",
                    "expires_at")
    list_filter = (InvitationStatusFilter, "role")
    search_fields = ("email", "full_name", "organisation__name")
    list_select_related = ("organisation", "invited_by")
    readonly_fields = ("organisation", "email", "full_name", "role", "status", "invited_by",
                       "created_at", "expires_at", "accepted_at", "accepted_by", "revoked_at")
    fields = readonly_fields
    actions = ["revoke_selected"]

    @admin.display(description="status")
    def status(self, invitation: Invitation) -> str:
        return Invitation.Status(invitation.status_at(timezone.now())).label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected invitations", permissions=["change"])
    def revoke_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda invitation: invitation_revoke(actor=request.user, invitation=invitation),
            done="Revoked {count} invitation(s); their links no longer work.",
        )


# --- Agreements -------------------------------------------------------------------------------


class AgreementAdminForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ("organisation", "kind", "status", "reference", "signed_on", "expires_on",
                  "notes", "document")
        # A new PDF replaces the agreement to sign; there is nothing to clear it to.
        widgets = {"document": forms.FileInput(attrs={"accept": ".pdf,application/pdf"})}

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if "document" in self.changed_data and document:
            validate_agreement_pdf(document)  # the service's rule, said beside the field
        return document

    def clean(self):
        # The service's rule (partners.validators), asked here to say it beside the fields.
        cleaned = super().clean()
        for field, message in agreement_errors(
                status=cleaned.get("status"), signed_on=cleaned.get("signed_on"),
                expires_on=cleaned.get("expires_on")).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class AwaitingConfirmationFilter(admin.SimpleListFilter):
    title = "signed copy"
    parameter_name = "signed_copy"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for confirmation")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(status=Agreement.Status.SENT).exclude(signed_copy="")
        return queryset


@admin.register(Agreement)
class AgreementAdmin(ServiceBackedAdmin):
    """Recording agreements and attaching the PDF to sign. The organisation's admins upload the
    signed copy on its Agreements page, where the programme office confirms it."""

    form = AgreementAdminForm
    list_display = ("organisation", "kind", "status", "reference", "signed_on", "expires_on",
                    "awaits_confirmation", "updated_by", "updated_at")
    list_filter = ("kind", "status", AwaitingConfirmationFilter)
    search_fields = ("organisation__name", "reference")
    list_select_related = ("organisation", "updated_by")
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "kind", "status", "reference", "signed_on", "expires_on", "notes",
              "document", "signed_copy_link", "signed_copy_uploaded_at",
              "signed_copy_uploaded_by", "decided_by", "decided_at", "decision_reason",
              "updated_by", "updated_at")
    readonly_fields = ("signed_copy_link", "signed_copy_uploaded_at", "signed_copy_uploaded_by",
                       "decided_by", "decided_at", "decision_reason", "updated_by",
                       "updated_at")

    @admin.display(boolean=True, description="signed copy to confirm")
    def awaits_confirmation(self, agreement: Agreement) -> bool:
        return agreement.awaits_confirmation

    @admin.display(description="signed copy")
    def signed_copy_link(self, agreement: Agreement) -> str:
        if not agreement.pk or not agreement.signed_copy:
            return "Not uploaded"
        url = reverse("partners:agreement_signed_copy",
                      kwargs={"slug": agreement.organisation.slug, "pk": agreement.pk})
        confirm = reverse("partners:agreements", kwargs={"slug": agreement.organisation.slug})
        return format_html('<a href="{}">Download</a> · <a href="{}">confirm it on the '
                           "organisation's Agreements page</a>", url, confirm)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "organisation") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # An agreement ends by becoming expired or terminated; its record stays.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        agreement = agreement_record(
            actor=request.user, organisation=obj.organisation, kind=data["kind"],
            status=data["status"], signed_on=data.get("signed_on"),
            expires_on=data.get("expires_on"), reference=data.get("reference", ""),
            notes=data.get("notes", ""),
            agreement=Agreement.objects.get(pk=obj.pk) if change else None,
            document=data.get("document") if "document" in form.changed_data else None,
        )
        adopt_saved(obj, agreement)


# --- Renewals ---------------------------------------------------------------------------------


@admin.register(RenewalRequest)
class RenewalRequestAdmin(DecidedByActionsAdmin):
    """Requests to renew are asked by the organisation's admins and decided through the
    services: renewing the organisation approves its request; declining says why."""

    list_display = ("organisation", "tier", "term_ends_on", "status", "requested_by",
                    "created_at", "decided_by", "decided_at")
    list_filter = ("status", "tier")
    search_fields = ("organisation__name", "requested_by__email")
    list_select_related = ("organisation", "requested_by", "decided_by")
    readonly_fields = ("organisation", "tier", "term_ends_on", "message", "status",
                       "requested_by", "created_at", "decided_by", "decided_at",
                       "decision_reason")
    fields = readonly_fields
    actions = ["renew_selected", "decline_selected"]

    @admin.action(description="Renew the memberships asked for (next term)",
                  permissions=["change"])
    def renew_selected(self, request, queryset):
        def renew(renewal_request: RenewalRequest):
            # Only a request still waiting renews anything: a decided one is refused in words.
            RenewalRequest.MOVES.check_move(renewal_request, RenewalRequest.Status.APPROVED,
                                            subject=renewal_request.decision_subject())
            return organisation_renew(
                actor=request.user, organisation=renewal_request.organisation,
                term_ends_on=renewal_request.organisation.tier_ends_on)

        run_for_each(self, request, queryset, renew,
                     done="Renewed {count} membership(s) and approved their requests.")

    @admin.action(description="Decline selected requests (standard reason)",
                  permissions=["change"])
    def decline_selected(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda renewal_request: renewal_request_decline(
                actor=request.user, renewal_request=renewal_request,
                reason=RENEWAL_DECLINE_REASON),
            done="Declined {count} request(s) to renew; the organisations' admins have been "
                 "told.",
        )
