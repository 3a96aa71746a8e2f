from django.urls import path

from . import views

app_name = "workstreams"

urlpatterns = [
    path("", views.workstream_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("requests/<int:pk>/approve/", views.join_request_approve, name="join_request_approve"),
    path("requests/<int:pk>/decline/", views.join_request_decline, name="join_request_decline"),
    path("requests/<int:pk>/withdraw/", views.join_request_withdraw,
         name="join_request_withdraw"),
    path("<slug:slug>/", views.workstream_detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/activate/", views.activate, name="activate"),
    path("<slug:slug>/members/", views.members_area, name="members"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document"),
    path("<slug:slug>/memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
]
