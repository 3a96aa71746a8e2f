"""What the workstreams app tells people: decisions on their organisation's requests to join a
workstream, the end of a membership and documents shared in its members' area, and (to
programme staff) requests waiting in the queue and members writing to a workstream's lead."""

from functools import partial

from cluster_portal.notifications.kinds import Audience, NotificationKind
from cluster_portal.notifications.models import Delivery

WORKSTREAMS = "Workstreams"
PROGRAMME_OFFICE = "Programme office"

_kind = partial(NotificationKind, app="workstreams", group=WORKSTREAMS)


JOIN_REQUEST_DECIDED = _kind(
    "join_request_decided", "Your organisation's request to join a workstream is decided",
    "you administer the organisation, or made the request")
WORKSTREAM_MEMBERSHIP_ENDED = _kind(
    "workstream_membership_ended", "Your organisation's membership of a workstream ended",
    "you administer the organisation concerned")
JOIN_REQUEST_SUBMITTED = _kind(
    "join_request_submitted", "An organisation asks to join a workstream",
    "you are programme staff who review requests to join this workstream",
    group=PROGRAMME_OFFICE, audience=Audience.PROGRAMME_STAFF)
JOIN_REQUEST_WITHDRAWN = _kind(
    "join_request_withdrawn", "An organisation withdrew its request to join a workstream",
    "you are programme staff who review requests to join this workstream",
    group=PROGRAMME_OFFICE, audience=Audience.PROGRAMME_STAFF, default=Delivery.DIGEST)

WORKSTREAM_DOCUMENT_SHARED = _kind(
    "workstream_document_shared", "A document is shared in one of your workstreams",
    "your organisation is a member of the workstream")
WORKSTREAM_LEAD_CONTACTED = _kind(
    "workstream_lead_contacted", "A member writes to a workstream's lead",
    "you lead the workstream, or are programme staff and it has no lead",
    group=PROGRAMME_OFFICE, audience=Audience.PROGRAMME_STAFF)

ALL = (JOIN_REQUEST_DECIDED, WORKSTREAM_MEMBERSHIP_ENDED, WORKSTREAM_DOCUMENT_SHARED,
       JOIN_REQUEST_SUBMITTED, JOIN_REQUEST_WITHDRAWN, WORKSTREAM_LEAD_CONTACTED)
