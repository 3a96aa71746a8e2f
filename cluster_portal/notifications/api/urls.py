"""The notifications viewset; cluster_portal/api_urls.py mounts it on the /api/v1/ router."""

from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notifications")
