from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from safar.api import urls as api_urls
from safar.core import two_factor
from safar.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor.enrol, name="two_factor_enrol"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/recovery/", two_factor.recovery, name="two_factor_recovery"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The JSON API (safar.api): every path under /api/, the OpenAPI document and docs included.
    path("api/", include(api_urls, namespace="api")),
    path("", include("safar.guidance.urls")),
    path("admin/", admin.site.urls),
    path("", include("safar.stations.urls")),
    path("capture/", include("safar.capture.urls")),
    path("reports/", include("safar.reports.urls")),
    path("crossings/", include("safar.crossings.urls")),
    path("helpdesk/", include("safar.helpdesk.urls")),
    path("outreach/", include("safar.outreach.urls")),
    path("monitoring/", include("safar.monitoring.urls")),
]
