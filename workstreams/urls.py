from django.urls import path

from . import views

app_name = "workstreams"

urlpatterns = [
    path("", views.workstream_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("queue.csv", views.queue_csv, name="queue_csv"),
    path("requests/<int:pk>/approve/", views.join_request_approve, name="join_request_approve"),
    path("requests/<int:pk>/decline/", views.join_request_decline, name="join_request_decline"),
    path("requests/<int:pk>/withdraw/", views.join_request_withdraw,
         name="join_request_withdraw"),
    # Before "<slug>/": "calendar" is a reserved slug (services.RESERVED_SLUGS).
    path("calendar/renew/", views.calendar_feed_renew, name="calendar_feed_renew"),
    path("calendar/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<slug:slug>/", views.workstream_detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/activate/", views.activate, name="activate"),
    path("<slug:slug>/members/", views.members_area, name="members"),
    path("<slug:slug>/documents/", views.document_share, name="document_share"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document"),
    path("<slug:slug>/meetings/<int:pk>/calendar.ics", views.meeting_calendar,
         name="meeting_calendar"),
    path("<slug:slug>/meetings/<int:pk>/files/", views.meeting_file_upload,
         name="meeting_file_upload"),
    path("<slug:slug>/meeting-files/<int:pk>/", views.meeting_file_download, name="meeting_file"),
    path("<slug:slug>/meeting-files/<int:pk>/remove/", views.meeting_file_remove,
         name="meeting_file_remove"),
    path("<slug:slug>/contact/", views.contact_lead, name="contact_lead"),
    path("<slug:slug>/memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
]
