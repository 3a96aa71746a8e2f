"""The partners pages: the directory, an organisation's profile and people, registration and
approval, invitations and requests to join.

Views parse the request, call one selector or service, and present the result. Who may see or
do what is asked of partners.permissions; a service's refusal (an ApplicationError) is shown in
its own words, as a form error, a message or an error page (see "Refusals" below).
"""

from .organisations import (
    agreement_confirm,
    agreement_document,
    agreement_signed_copy,
    agreement_upload,
    agreements,
    approvals,
    approve,
    decline,
    detail,
    directory,
    edit,
    logo,
    membership,
    register,
    renew,
    renewal_request_create,
    renewal_request_decline,
    renewal_request_withdraw,
    renewals,
)
from .people import (
    ask_to_join,
    invitation,
    invitation_create,
    invitation_import,
    invitation_revoke,
    membership_remove,
    membership_role,
    my_organisations,
    people,
    person_request_approve,
    person_request_decline,
    person_request_withdraw,
)

__all__ = [
    "agreement_confirm",
    "agreement_document",
    "agreement_signed_copy",
    "agreement_upload",
    "agreements",
    "approvals",
    "approve",
    "ask_to_join",
    "decline",
    "detail",
    "directory",
    "edit",
    "invitation",
    "invitation_create",
    "invitation_import",
    "invitation_revoke",
    "logo",
    "membership",
    "membership_remove",
    "membership_role",
    "my_organisations",
    "people",
    "person_request_approve",
    "person_request_decline",
    "person_request_withdraw",
    "register",
    "renew",
    "renewal_request_create",
    "renewal_request_decline",
    "renewal_request_withdraw",
    "renewals",
]
