"""What workstreams holds about a person, for their data download
(cluster_portal.accounts.personal_data explains the registry)."""

from cluster_portal.accounts.personal_data import PersonalData

from .models import JoinRequest


def _join_requests(person) -> list[dict]:
    """The requests the person made for their organisation: what they wrote and what was
    decided, not who decided."""
    return [{"organisation": join_request.organisation.name,
             "workstream": join_request.workstream.name, "motivation": join_request.motivation,
             "status": join_request.status, "requested_at": join_request.created_at,
             "decided_at": join_request.decided_at,
             "decision_reason": join_request.decision_reason}
            for join_request in JoinRequest.objects.filter(requested_by=person)
            .select_related("organisation", "workstream").order_by("-created_at", "-pk")]


PERSONAL_DATA = PersonalData(sections={"workstream_join_requests": _join_requests})
