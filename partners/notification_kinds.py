"""What the partners app tells people: about their organisations, their place in them, their
agreements and programme membership, and (to the programme office) registrations, signed
agreements and renewals waiting for a decision."""

from functools import partial

from cluster_portal.notifications.kinds import Audience, NotificationKind
from cluster_portal.notifications.models import Delivery

ORGANISATIONS = "Your organisations"
PROGRAMME_OFFICE = "Programme office"

_kind = partial(NotificationKind, app="partners", group=ORGANISATIONS)


ORGANISATION_APPROVED = _kind(
    "organisation_approved", "Your organisation's registration is approved",
    "you administer the organisation that was approved")
ORGANISATION_DECLINED = _kind(
    "organisation_declined", "Your organisation's registration is declined",
    "you registered or administer the organisation concerned")
PERSON_REQUESTED_TO_JOIN = _kind(
    "person_requested", "Someone asks to join an organisation you administer",
    "you administer the organisation they asked to join")
PERSON_REQUEST_DECIDED = _kind(
    "person_request_decided", "Your request to join an organisation is decided",
    "you asked to join the organisation")
INVITATION_SENT = _kind(
    "invitation_sent", "You are invited to act for an organisation",
    "an organisation invited your e-mail address",
    # The invitation itself arrives by e-mail with its link; this is its notice in the portal.
    default=Delivery.IN_APP)
INVITATION_ACCEPTED = _kind(
    "invitation_accepted", "Someone accepted an invitation to your organisation",
    "you administer the organisation they joined", default=Delivery.DIGEST)
ROLE_CHANGED = _kind(
    "role_changed", "Your role in an organisation changed",
    "you act for the organisation concerned")
REMOVED_FROM_ORGANISATION = _kind(
    "removed", "You were removed from an organisation",
    "you acted for the organisation concerned")
TIER_RENEWAL_DUE = _kind(
    "tier_renewal_due", "Your organisation's programme membership is due for renewal",
    "you administer the organisation whose membership ends soon")
TIER_STATUS_CHANGED = _kind(
    "tier_status_changed", "Your organisation's programme membership status changed",
    "you administer the organisation concerned")
TIER_LAPSED = _kind(
    "tier_lapsed", "Your organisation's programme membership has ended",
    "you administer the organisation whose membership ended")
TIER_RENEWED = _kind(
    "tier_renewed", "Your organisation's programme membership is renewed",
    "you administer the organisation whose membership was renewed")
RENEWAL_REQUEST_DECLINED = _kind(
    "renewal_declined", "Your request to renew the programme membership is declined",
    "you administer the organisation that asked to renew")
REGISTRATION_RECEIVED = _kind(
    "registration_received", "Your registration of an organisation is received",
    "you registered the organisation")
AGREEMENT_SENT = _kind(
    "agreement_sent", "An agreement is ready for your organisation to sign",
    "you administer the organisation the agreement is with")
AGREEMENT_CONFIRMED = _kind(
    "agreement_confirmed", "The programme office confirmed your organisation's signed agreement",
    "you administer the organisation the agreement is with")
ORGANISATION_REGISTERED = _kind(
    "organisation_registered", "An organisation registered and waits for approval",
    "you are a programme admin, who approves registrations",
    group=PROGRAMME_OFFICE, audience=Audience.PROGRAMME_ADMIN)
AGREEMENT_SIGNED_COPY_RECEIVED = _kind(
    "agreement_signed_copy", "An organisation uploaded a signed agreement to confirm",
    "you are a programme admin, who confirms signed agreements",
    group=PROGRAMME_OFFICE, audience=Audience.PROGRAMME_ADMIN)
RENEWAL_REQUESTED = _kind(
    "renewal_requested", "An organisation asks to renew its programme membership",
    "you are a programme admin, who renews memberships",
    group=PROGRAMME_OFFICE, audience=Audience.PROGRAMME_ADMIN)

ALL = (
    REGISTRATION_RECEIVED, ORGANISATION_APPROVED, ORGANISATION_DECLINED,
    PERSON_REQUESTED_TO_JOIN, PERSON_REQUEST_DECIDED, INVITATION_SENT, INVITATION_ACCEPTED,
    ROLE_CHANGED, REMOVED_FROM_ORGANISATION, AGREEMENT_SENT, AGREEMENT_CONFIRMED,
    TIER_RENEWAL_DUE, TIER_LAPSED, TIER_RENEWED, RENEWAL_REQUEST_DECLINED, TIER_STATUS_CHANGED,
    ORGANISATION_REGISTERED, AGREEMENT_SIGNED_COPY_RECEIVED, RENEWAL_REQUESTED,
)
