from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "safar.guidance"
    label = "guidance"
    verbose_name = _("Guidance for migrants: articles, stay calculator, ban rules")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.guidance.api:router"
