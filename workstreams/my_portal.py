"""The workstreams panel of the person's own page (cluster_portal.core.my_portal): the
workstreams their organisations take part in, their organisations' requests to join one that
wait for a decision, and, for programme staff, the queue of requests to review."""

from cluster_portal.core.my_portal import Panel
from partners.models import Organisation
from partners.selectors import user_organisation_roles

from .models import JoinRequest
from .permissions import may_review_join_requests
from .selectors import (
    join_request_list_visible,
    join_request_queue,
    workstream_membership_list_visible,
)


def read(user) -> dict | None:
    own = list(user_organisation_roles(user))
    context = {
        # The members' area opens to an approved organisation's people (may_see_members_area).
        "memberships": list(
            workstream_membership_list_visible(user=user).filter(
                organisation__in=own, until__isnull=True,
                organisation__status=Organisation.Status.APPROVED,
            ).order_by("workstream__display_order", "workstream__name", "organisation__name")
        ) if own else [],
        "join_requests": list(
            join_request_list_visible(user=user).filter(
                organisation__in=own, status=JoinRequest.Status.PENDING,
            ).order_by("created_at", "pk")
        ) if own else [],
        "queue_waiting": (join_request_queue().count() if may_review_join_requests(user)
                          else None),
    }
    if context["memberships"] or context["join_requests"] or context["queue_waiting"] is not None:
        return context
    return None


PANEL = Panel(key="workstreams", template="workstreams/my_portal_panel.html", read=read,
              order=20)
