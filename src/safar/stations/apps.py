from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "safar.stations"
    label = "stations"
    verbose_name = _("Border stations")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.stations.api:router"
