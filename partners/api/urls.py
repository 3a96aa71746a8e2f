"""The partners viewsets; cluster_portal/api_urls.py mounts them on the one /api/v1/ router."""

from rest_framework.routers import SimpleRouter

from .views import (
    AgreementViewSet,
    InvitationViewSet,
    OrganisationMembershipViewSet,
    OrganisationViewSet,
    PersonRequestViewSet,
    RenewalRequestViewSet,
)

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisations")
router.register("organisation-memberships", OrganisationMembershipViewSet,
                basename="organisation-memberships")
router.register("invitations", InvitationViewSet, basename="invitations")
router.register("person-requests", PersonRequestViewSet, basename="person-requests")
router.register("agreements", AgreementViewSet, basename="agreements")
router.register("renewal-requests", RenewalRequestViewSet, basename="renewal-requests")
