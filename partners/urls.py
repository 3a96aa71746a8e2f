from django.urls import path

from . import views

app_name = "partners"

# Fixed words come before "<slug>/"; organisation slugs never take these (see RESERVED_SLUGS).
urlpatterns = [
    path("", views.directory, name="directory"),
    path("register/", views.register, name="register"),
    path("mine/", views.my_organisations, name="my_organisations"),
    path("approvals/", views.approvals, name="approvals"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("requests/<int:pk>/withdraw/", views.person_request_withdraw,
         name="person_request_withdraw"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/logo/", views.logo, name="logo"),
    path("<slug:slug>/approve/", views.approve, name="approve"),
    path("<slug:slug>/decline/", views.decline, name="decline"),
    path("<slug:slug>/ask-to-join/", views.ask_to_join, name="ask_to_join"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/people/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("<slug:slug>/people/<int:pk>/remove/", views.membership_remove,
         name="membership_remove"),
    path("<slug:slug>/invitations/", views.invitation_create, name="invitation_create"),
    path("<slug:slug>/invitations/import/", views.invitation_import, name="invitation_import"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("<slug:slug>/requests/<int:pk>/approve/", views.person_request_approve,
         name="person_request_approve"),
    path("<slug:slug>/requests/<int:pk>/decline/", views.person_request_decline,
         name="person_request_decline"),
    path("<slug:slug>/agreements/", views.agreements, name="agreements"),
]
