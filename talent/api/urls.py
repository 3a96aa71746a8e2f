"""The talent viewsets, which cluster_portal/api_urls.py mounts on the /api/v1/ router, and the
caller's learning."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .certificates import CertificateVerifyView, CredentialVerifyView
from .views import (
    CourseRunViewSet,
    CourseViewSet,
    EnrolmentViewSet,
    MyCertificatesView,
    MyLearningView,
    MySkillsView,
    SkillViewSet,
)

router = SimpleRouter()
router.register("skills", SkillViewSet, basename="skills")
router.register("courses", CourseViewSet, basename="courses")
router.register("course-runs", CourseRunViewSet, basename="course-runs")
router.register("enrolments", EnrolmentViewSet, basename="enrolments")

urlpatterns = [
    path("me/learning/", MyLearningView.as_view(), name="me-learning"),
    path("me/certificates/", MyCertificatesView.as_view(), name="me-certificates"),
    path("me/skills/", MySkillsView.as_view(), name="me-skills"),
    # Public verification of certificates (talent/api/certificates.py).
    path("certificates/verify/", CredentialVerifyView.as_view(), name="certificate-verify"),
    path("certificates/verify/<str:serial>/", CertificateVerifyView.as_view(),
         name="certificate-verify-serial"),
]
