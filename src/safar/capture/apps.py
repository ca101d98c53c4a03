from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "safar.capture"
    label = "capture"
    verbose_name = _("Card capture")

    def ready(self) -> None:
        from safar.core.navigation import Link, register
        from safar.core.roles import Scope, grant
        from safar.crossings.access import can_enter_crossings

        grant(
            "operator",
            app="capture",
            scope=Scope.ORGANISATION,
            permissions=("capture.view_scan", "capture.change_scan", "capture.add_upload"),
        )

        register(
            Link("capture", "capture:overview", _("Scans"), allowed=can_enter_crossings, order=20),
        )
