"""May this person see a workstream's members' area, or decide who joins it?"""

from cluster_portal.accounts.memo import remembered
from cluster_portal.accounts.permissions import (
    is_programme_admin,
    may_act_as_staff,
    needs_second_factor_first,
)
from partners.models import OrganisationMembership
from partners.selectors import user_organisation_roles

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
    """A calendar feed lists the meetings of the person's organisations' workstreams, so only
    someone who acts for an approved organisation has one."""
    return getattr(user, "is_authenticated", False) and user.is_active and bool(
        user_organisation_roles(user))
