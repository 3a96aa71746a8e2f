"""The workstreams viewsets; cluster_portal/api_urls.py mounts them on the /api/v1/ router."""

from rest_framework.routers import SimpleRouter

from .views import JoinRequestViewSet, WorkstreamMembershipViewSet, WorkstreamViewSet

router = SimpleRouter()
router.register("workstreams", WorkstreamViewSet, basename="workstreams")
router.register("join-requests", JoinRequestViewSet, basename="join-requests")
router.register("workstream-memberships", WorkstreamMembershipViewSet,
                basename="workstream-memberships")
