"""May this person see a workstream's members' area, or decide who joins it?"""

from cluster_portal.accounts.memo import remembered
from cluster_portal.accounts.permissions import (
    is_programme_admin,
    may_act_as_staff,
    needs_second_factor_first,
)
from partners.models import OrganisationMembership
from partners.selectors import organisations_of, user_organisation_roles

from .calendars import FEED_SOURCES
from .models import JoinRequest, Workstream


def may_review_join_requests(user) -> bool:
    return may_act_as_staff(user)


def may_manage_workstreams(user) -> bool:
    """Adding workstreams and platforms, activating a planned one: the programme office."""
    return is_programme_admin(user) and may_act_as_staff(user)


def member_organisation_ids(user, workstream: Workstream) -> set[int]:
    """The person's approved organisations that are active members of the workstream."""
    own = list(user_organisation_roles(user))
    if not own:
        return set()
    # One read per workstream per request: pages ask this for every workstream they show.
    per_workstream = remembered(user, "_workstream_member_orgs", dict)
    if workstream.pk not in per_workstream:
        per_workstream[workstream.pk] = set(
            workstream.memberships.filter(
                until__isnull=True, organisation__in=own, organisation__status="approved"
            ).values_list("organisation_id", flat=True)
        )
    return per_workstream[workstream.pk]


def may_see_members_area(user, workstream: Workstream) -> bool:
    return may_act_as_staff(user) or bool(member_organisation_ids(user, workstream))


def may_withdraw_join_request(user, join_request: JoinRequest) -> bool:
    return (
        user_organisation_roles(user).get(join_request.organisation_id)
        == OrganisationMembership.Role.ADMIN
    )


def may_manage_members_area(user, workstream: Workstream) -> bool:
    """Sharing documents and a meeting's agenda, minutes and papers: programme staff, and the
    workstream's lead (with a second factor where their role asks for one)."""
    if may_act_as_staff(user):
        return True
    return (getattr(user, "is_authenticated", False) and user.is_active
            and workstream.lead_id == user.pk and not needs_second_factor_first(user))


def may_contact_workstream_lead(user, workstream: Workstream) -> bool:
    """The people of the workstream's member organisations write to its lead from the members'
    area; staff reach each other without it."""
    return bool(member_organisation_ids(user, workstream))


def may_subscribe_to_meetings(user) -> bool:
    """A calendar feed lists the meetings of the person's organisations' workstreams and what the
    apps above add to it (calendars.FEED_SOURCES), so only someone who acts for an approved
    organisation, or whom a source has something for, has one."""
    return getattr(user, "is_authenticated", False) and user.is_active and (
        bool(user_organisation_roles(user)) or FEED_SOURCES.offered_to(user))


def members_area_refusal(user, workstream: Workstream) -> str:
    """Why the person may not open the workstream's members' area, in words for them (the
    error page shows it); empty when they may. Names only the person's own organisations."""
    if may_see_members_area(user, workstream):
        return ""
    if not workstream.is_active:
        return (f"{workstream.name} is planned and has no members yet: its members' area opens "
                "to the people of its member organisations once it is active.")
    organisations = [membership.organisation for membership in organisations_of(user=user)
                     ] if getattr(user, "is_authenticated", False) else []
    area = (f"The members' area of {workstream.name} is open to the people of its member "
            "organisations and to programme staff")
    if not organisations:
        return (f"{area}, and you don't act for an organisation on the portal. If yours is a "
                "member, ask one of its partner admins to invite you.")
    approved = [organisation for organisation in organisations if organisation.is_approved]
    if not approved:
        return (f"{area}. {_names(organisations)} {_is(organisations)} still waiting for the "
                "programme office's approval.")
    not_member = "is not a member" if len(approved) == 1 else "are not members"
    return (f"{_names(approved)} {not_member} of {workstream.name}, so its "
            f"members' area is closed to you. A partner admin of {_names(approved)} can ask to "
            "join it from the workstream's page.")


def _names(organisations) -> str:
    names = [organisation.name for organisation in organisations]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _is(organisations) -> str:
    return "is" if len(organisations) == 1 else "are"
