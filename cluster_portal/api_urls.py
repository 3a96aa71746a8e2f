"""/api/v1/: one router for every app's viewsets, plus the endpoints that are not viewsets."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from cluster_portal.core.api.root import ApiRootView

app_name = "api"

router = SimpleRouter()
# Each domain app registers its viewsets here as it gains an API:
# router.registry.extend(partners.api.urls.router.registry)

extra_endpoints = ["api:me"]

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
    *router.urls,
]
