"""The notifications viewset, which cluster_portal/api_urls.py mounts on the /api/v1/ router,
and the caller's notification preferences."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import NotificationPreferencesView, NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notifications")

urlpatterns = [
    path("me/notification-preferences/", NotificationPreferencesView.as_view(),
         name="me-notification-preferences"),
]
