"""The partners API: organisations, their people, invitations, requests to join, agreements and
requests to renew.

Every viewset starts from a selector scoped to the caller, so an object the caller may not see
is a 404. Writes parse input with a serializer, call the same service the pages call, and
present the result read back through the selector; the services decide and refuse
(ApplicationError -> the common error format).
"""


from .organisations import AgreementViewSet, OrganisationViewSet
from .people import InvitationViewSet, OrganisationMembershipViewSet, PersonRequestViewSet
from .renewals import RenewalRequestViewSet

__all__ = [
    "AgreementViewSet",
    "InvitationViewSet",
    "OrganisationMembershipViewSet",
    "OrganisationViewSet",
    "PersonRequestViewSet",
    "RenewalRequestViewSet",
]
