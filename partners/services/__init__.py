"""Writes of organisations, their people and agreements. Every state change is a function here.

Split by concern: `organisations` (registration, approval, profile, tier and its daily sweep),
`renewals` (requests to renew, renewing), `people` (memberships, requests to join),
`invitations` and `agreements`.
"""

from .agreements import agreement_confirm, agreement_record, agreement_upload_signed_copy
from .invitations import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitations_import_csv,
)
from .organisations import (
    organisation_approve,
    organisation_create,
    organisation_decline,
    organisation_register,
    organisation_set_tier,
    organisation_tier_statuses_refresh,
    organisation_update_profile,
)
from .people import (
    organisation_membership_add,
    organisation_membership_change_role,
    organisation_membership_remove,
    person_request_approve,
    person_request_create,
    person_request_decline,
    person_request_withdraw,
)
from .renewals import (
    organisation_renew,
    renewal_request_create,
    renewal_request_decline,
    renewal_request_withdraw,
)

__all__ = [
    "agreement_confirm",
    "agreement_record",
    "agreement_upload_signed_copy",
    "invitation_accept",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "invitations_import_csv",
    "organisation_approve",
    "organisation_create",
    "organisation_decline",
    "organisation_membership_add",
    "organisation_membership_change_role",
    "organisation_membership_remove",
    "organisation_register",
    "organisation_renew",
    "organisation_set_tier",
    "organisation_tier_statuses_refresh",
    "organisation_update_profile",
    "person_request_approve",
    "person_request_create",
    "person_request_decline",
    "person_request_withdraw",
    "renewal_request_create",
    "renewal_request_decline",
    "renewal_request_withdraw",
]
