from django.urls import path

from . import views

app_name = "talent"

# Fixed words come before "<slug>/"; course slugs never take them (services.RESERVED_SLUGS).
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.my_learning, name="my_learning"),
    path("mine/skills/", views.skills_profile, name="skills_profile"),
    path("mine/skills/pdf/", views.skills_profile_pdf, name="skills_profile_pdf"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/calendar.ics", views.run_calendar_file, name="run_calendar"),
    path("runs/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("enrolments/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    # Attendance and completion (the run's trainers and programme staff).
    path("runs/<int:pk>/attendance/", views.run_attendance, name="run_attendance"),
    path("sessions/<int:pk>/attendance/", views.session_attendance,
         name="session_attendance"),
    path("runs/<int:pk>/complete/", views.run_complete, name="run_complete"),
    path("runs/<int:pk>/certificates/", views.run_certificates, name="run_certificates"),
    # Certificates: the holder's, and their public verification by serial or credential.
    path("certificates/", views.my_certificates, name="my_certificates"),
    path("certificates/verify/", views.credential_check, name="credential_check"),
    path("certificates/<str:serial>/", views.certificate, name="certificate"),
    path("certificates/<str:serial>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:serial>/credential/", views.certificate_credential,
         name="certificate_credential"),
    path("certificates/<str:serial>/revoke/", views.certificate_revoke,
         name="certificate_revoke"),
    # Programme staff run the catalogue here; "manage" and the words after it are fixed words.
    path("manage/", views.manage_courses, name="manage_courses"),
    path("manage/new/", views.manage_course_create, name="manage_course_create"),
    path("manage/skill-needs/", views.manage_skill_needs, name="manage_skill_needs"),
    path("manage/skill-needs/skills/", views.manage_skill_create, name="manage_skill_create"),
    path("manage/skill-needs/<int:pk>/remove/", views.manage_skill_need_remove,
         name="manage_skill_need_remove"),
    path("manage/runs/<int:pk>/", views.manage_run, name="manage_run"),
    path("manage/runs/<int:pk>/enrolments.csv", views.staff.manage_run_enrolments_csv,
         name="manage_run_enrolments_csv"),
    path("manage/runs/<int:pk>/edit/", views.manage_run_update, name="manage_run_edit"),
    path("manage/runs/<int:pk>/cancel/", views.manage_run_cancel, name="manage_run_cancel"),
    path("manage/runs/<int:pk>/sessions/new/", views.manage_session_create,
         name="manage_session_create"),
    path("manage/runs/<int:pk>/enrol/", views.manage_enrol, name="manage_enrol"),
    path("manage/runs/<int:pk>/waive/", views.manage_waive, name="manage_waive"),
    path("manage/sessions/<int:pk>/edit/", views.manage_session_update,
         name="manage_session_edit"),
    path("manage/sessions/<int:pk>/remove/", views.manage_session_remove,
         name="manage_session_remove"),
    path("manage/enrolments/<int:pk>/cancel/", views.manage_enrolment_cancel,
         name="manage_enrolment_cancel"),
    path("manage/<slug:slug>/", views.manage_course, name="manage_course"),
    path("manage/<slug:slug>/edit/", views.manage_course_update, name="manage_course_edit"),
    path("manage/<slug:slug>/runs/new/", views.manage_run_create, name="manage_run_create"),
    path("<slug:slug>/", views.course_detail, name="course"),
]
