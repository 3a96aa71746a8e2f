from django.urls import path

from .views import ApiTokenDetail, ApiTokenList, MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("me/api-tokens/", ApiTokenList.as_view(), name="me-api-tokens"),
    path("me/api-tokens/<int:pk>/", ApiTokenDetail.as_view(), name="me-api-token"),
]
