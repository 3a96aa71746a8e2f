"""The portal's own addresses, and the harness's reference endpoints under /bench/."""

from django.urls import path

from cluster_portal.urls import urlpatterns as portal_urlpatterns

from .reference import REFERENCES, reference_list

urlpatterns = [
    *portal_urlpatterns,
    path("bench/reference/<str:name>/", reference_list, name="bench_reference"),
]
assert REFERENCES  # the names the path takes
