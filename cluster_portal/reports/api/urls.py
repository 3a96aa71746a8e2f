"""The reports viewset, which cluster_portal/api_urls.py mounts on the /api/v1/ router."""

from rest_framework.routers import SimpleRouter

from .views import ReportJobViewSet

router = SimpleRouter()
router.register("reports", ReportJobViewSet, basename="report-jobs")
