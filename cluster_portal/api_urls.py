"""/api/v1/: one router for every app's viewsets, plus the endpoints that are not viewsets."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from cluster_portal.core.api.root import ApiRootView
from cluster_portal.notifications.api.urls import router as notifications_router
from cluster_portal.reports.api.urls import router as reports_router
from partners.api.urls import router as partners_router
from projects.api.urls import router as projects_router
from talent.api.urls import router as talent_router
from workstreams.api.urls import router as workstreams_router

app_name = "api"

router = SimpleRouter()
# Each app registers its viewsets on its own router; they are served from this one.
for app_router in (partners_router, workstreams_router, talent_router, projects_router,
                   notifications_router, reports_router):
    router.registry.extend(app_router.registry)

extra_endpoints = ["api:me", "api:me-notification-preferences", "api:me-api-tokens",
                   "api:me-learning", "api:me-certificates", "api:me-skills"]

urlpatterns = [
    path(
        "",
        ApiRootView.as_view(
            endpoint_names=(
                *extra_endpoints,
                *(f"api:{basename}-list" for _, _, basename in router.registry),
            )
        ),
        name="root",
    ),
    path("", include("cluster_portal.accounts.api.urls")),
    path("", include("cluster_portal.notifications.api.urls")),
    path("", include("talent.api.urls")),
    *router.urls,
]
