from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrossingsConfig(AppConfig):
    name = "safar.crossings"
    label = "crossings"
    verbose_name = _("Crossing registry")
