from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cluster_portal.accounts import views as account_views
from cluster_portal.accounts.permissions import may_use_admin_site
from cluster_portal.core import my_portal
from cluster_portal.core import views as core_views
from cluster_portal.notifications import views as notification_views
from cluster_portal.reports import views as reports_views
from talent import views as talent_views
from workstreams import views as workstream_views

# The admin site signs people in through allauth (rate limits, MFA) and admits programme admins
# who have MFA; accounts.permissions decides.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = lambda request: may_use_admin_site(request.user)
admin.site.site_header = "Cluster Portal administration"
admin.site.site_title = "Cluster Portal admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health_check, name="health"),
    # Where signing in leads (LOGIN_REDIRECT_URL): the person's own page.
    path("me/", my_portal.my_portal, name="my_portal"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("terms/", core_views.terms, name="terms"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # The public keys that verify the portal's Open Badges credentials, where verifiers look.
    path(".well-known/jwks.json", talent_views.signing_keys, name="jwks"),
    # Beside allauth's account pages (e-mail, password, two-factor), named as they are.
    path("accounts/profile/", account_views.profile, name="account_profile"),
    path("accounts/profile/data/", account_views.personal_data_download,
         name="account_personal_data"),
    path("accounts/notifications/", notification_views.preferences,
         name="account_notifications"),
    path("accounts/api-tokens/", account_views.api_tokens, name="account_api_tokens"),
    path("accounts/2fa/continue/", account_views.continue_after_mfa_setup,
         name="account_mfa_continue"),
    path("accounts/api-tokens/<int:pk>/revoke/", account_views.api_token_revoke_view,
         name="account_api_token_revoke"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cluster_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("workstreams/", include("workstreams.urls")),
    # Tabs of the partners pages that are the workstreams and talent apps' (partners does not
    # import them).
    path("partners/<slug:slug>/workstreams/", workstream_views.organisation_workstreams,
         name="organisation_workstreams"),
    path("partners/<slug:slug>/training/", talent_views.organisation_training,
         name="organisation_training"),
    path("partners/<slug:slug>/training.csv", talent_views.organisation_training_csv,
         name="organisation_training_csv"),
    path("partners/", include("partners.urls")),
    path("notifications/", include("cluster_portal.notifications.urls")),
    path("courses/", include("talent.urls")),
    path("projects/", include("projects.urls")),
    path("reports/", include("cluster_portal.reports.urls")),
    path("dashboard/", reports_views.dashboard, name="dashboard"),
    path("dashboard/<slug:chart>.csv", reports_views.dashboard_csv, name="dashboard_csv"),
]

handler400 = "cluster_portal.core.views.error_400"
handler403 = "cluster_portal.core.views.error_403"
handler404 = "cluster_portal.core.views.error_404"
handler500 = "cluster_portal.core.views.error_500"
