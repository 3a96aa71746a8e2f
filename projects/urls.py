from django.urls import path

from . import views

app_name = "projects"

# Fixed words come before "<code>/"; project codes (PROGRAMME-WS-YEAR-NNN) never take them.
urlpatterns = [
    # Reading: the list (the portfolio for staff), its export, one project, its history.
    path("", views.project_list, name="list"),
    path("export.csv", views.portfolio_csv, name="portfolio_csv"),
    path("contributions/", views.contribution_totals, name="contribution_totals"),
    path("new/", views.project_create, name="create"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/history/", views.history, name="history"),
    # Staff: details, organisations and team, the lifecycle.
    path("<str:code>/edit/", views.project_edit, name="edit"),
    path("<str:code>/people/", views.project_people, name="people"),
    path("<str:code>/move/<str:to>/", views.project_move, name="move"),
    # The plan: staff and the team.
    path("<str:code>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("<str:code>/milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("<str:code>/milestones/<int:pk>/complete/", views.milestone_complete,
         name="milestone_complete"),
    path("<str:code>/milestones/<int:pk>/reopen/", views.milestone_reopen,
         name="milestone_reopen"),
    path("<str:code>/milestones/<int:pk>/delete/", views.milestone_delete,
         name="milestone_delete"),
    path("<str:code>/deliverables/new/", views.deliverable_create, name="deliverable_create"),
    path("<str:code>/deliverables/<int:pk>/", views.deliverable_detail, name="deliverable"),
    path("<str:code>/deliverables/<int:pk>/edit/", views.deliverable_edit,
         name="deliverable_edit"),
    path("<str:code>/deliverables/<int:pk>/delete/", views.deliverable_delete,
         name="deliverable_delete"),
    path("<str:code>/deliverables/<int:pk>/draft/", views.deliverable_draft,
         name="deliverable_draft"),
    path("<str:code>/deliverables/<int:pk>/submit/", views.deliverable_submit,
         name="deliverable_submit"),
    path("<str:code>/deliverables/<int:pk>/review/", views.deliverable_review,
         name="deliverable_review"),
    path("<str:code>/deliverables/<int:pk>/file/", views.deliverable_file,
         name="deliverable_file"),
    # Reporting: monthly status updates; contributions (staff record, each organisation sees
    # its own).
    path("<str:code>/updates/new/", views.status_update_create, name="status_update_create"),
    path("<str:code>/contributions/", views.project_contributions, name="contributions"),
    path("<str:code>/contributions/<int:pk>/remove/", views.contribution_remove,
         name="contribution_remove"),
]
