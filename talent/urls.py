from django.urls import path

from . import views

app_name = "talent"

# Fixed words come before "<slug>/"; course slugs never take them (services.RESERVED_SLUGS).
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.my_learning, name="my_learning"),
    path("mine/skills/", views.skills_profile, name="skills_profile"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("enrolments/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    path("<slug:slug>/", views.course_detail, name="course"),
]
