"""The projects viewsets, which cluster_portal/api_urls.py mounts on the /api/v1/ router."""

from rest_framework.routers import SimpleRouter

from .views import (
    ContributionViewSet,
    DeliverableViewSet,
    MilestoneViewSet,
    ProjectViewSet,
    StatusUpdateViewSet,
)

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="projects")
router.register("milestones", MilestoneViewSet, basename="milestones")
router.register("deliverables", DeliverableViewSet, basename="deliverables")
router.register("status-updates", StatusUpdateViewSet, basename="status-updates")
router.register("contributions", ContributionViewSet, basename="contributions")
