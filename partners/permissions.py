"""May this person do this to that organisation? Every page, API view and service asks here."""

from cluster_portal.accounts.permissions import is_programme_admin, may_act_as_staff

from .models import Organisation, OrganisationMembership
from .selectors import user_organisation_roles


def is_member_of(user, organisation: Organisation) -> bool:
    return organisation.pk in user_organisation_roles(user)


def is_partner_admin_of(user, organisation: Organisation) -> bool:
    return user_organisation_roles(user).get(organisation.pk) == OrganisationMembership.Role.ADMIN


def may_oversee_organisations(user) -> bool:
    """Programme staff (with MFA) see every organisation, listed or not, approved or not."""
    return may_act_as_staff(user)


def may_decide_organisations(user) -> bool:
    """Approving organisations, tiers and agreements is the programme office's call."""
    return is_programme_admin(user) and may_act_as_staff(user)


def may_view_organisation(user, organisation: Organisation) -> bool:
    if organisation.is_approved and organisation.is_listed:
        return True
    return is_member_of(user, organisation) or may_oversee_organisations(user)


def may_see_people(user, organisation: Organisation) -> bool:
    """Colleagues see each other; other partners and visitors never see an organisation's people."""
    return is_member_of(user, organisation) or may_oversee_organisations(user)


def may_edit_profile(user, organisation: Organisation) -> bool:
    return is_partner_admin_of(user, organisation) or may_decide_organisations(user)


def may_manage_people(user, organisation: Organisation) -> bool:
    """Invite, change roles, remove, decide requests to join. Only once the organisation is
    approved: a pending registration cannot gather people yet."""
    if may_decide_organisations(user):
        return True
    return organisation.is_approved and is_partner_admin_of(user, organisation)


def may_see_agreements(user, organisation: Organisation) -> bool:
    return is_partner_admin_of(user, organisation) or may_oversee_organisations(user)


def may_sign_agreements(user, organisation: Organisation) -> bool:
    """Upload the signed copy of an agreement sent to the organisation: its admins, who sign
    for it. The programme office confirms the copy instead (may_decide_organisations)."""
    return is_partner_admin_of(user, organisation)


def may_request_renewal(user, organisation: Organisation) -> bool:
    """Ask to renew the programme membership (or to change tier): the admins of an approved
    organisation, who commit it to another term."""
    return organisation.is_approved and is_partner_admin_of(user, organisation)


def may_request_workstreams(user, organisation: Organisation) -> bool:
    return organisation.is_approved and is_partner_admin_of(user, organisation)


def may_ask_to_join(user, organisation: Organisation) -> bool:
    """A person asks to act for a listed organisation. Not the programme office: it oversees
    every organisation and adds people directly when it must."""
    return (
        user.is_authenticated
        and organisation.is_approved
        and organisation.is_listed
        and not is_member_of(user, organisation)
        and not is_programme_admin(user)
    )


def may_see_membership_terms(user, organisation: Organisation) -> bool:
    """Approval status, programme membership status and tier dates are the organisation's and the
    programme office's business; the public profile shows only the tier."""
    return is_member_of(user, organisation) or may_oversee_organisations(user)


def may_accept_invitation(user, invitation) -> bool:
    """An invitation is accepted by an account that holds the invited address, verified: the
    link alone proves nothing, since e-mails are forwarded."""
    from allauth.account.models import EmailAddress

    return user.is_authenticated and EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


def may_see_training_record(user, organisation: Organisation) -> bool:
    """Whom the organisation sponsored on courses and how they did (a tab the talent app
    serves): its admins and programme staff, who run the courses."""
    return is_partner_admin_of(user, organisation) or may_oversee_organisations(user)
