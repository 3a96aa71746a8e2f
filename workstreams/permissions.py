"""May this person see a workstream's members' area, or decide who joins it?"""

from cluster_portal.accounts.memo import remembered
from cluster_portal.accounts.permissions import is_programme_admin, may_act_as_staff
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
