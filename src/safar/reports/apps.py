from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "safar.reports"
    label = "reports"
    verbose_name = _("Standard reports")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.reports.api:router"
