from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _reports_context(request) -> dict:
    from django.urls import reverse

    from .standard import REPORTS

    reports = [
        {"code": code, "title": report.TITLE, "url": reverse("reports:report", args=[code])}
        for code, report in REPORTS.items()
    ]
    return {"reports": reports}


class ReportsConfig(AppConfig):
    name = "safar.reports"
    label = "reports"
    verbose_name = _("Standard reports")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.reports.api:router"

    def ready(self) -> None:
        from safar.core.navigation import HomeSection, Link, register
        from safar.core.roles import Scope, grant

        # The reports cover every centre: reading them is reading all of the cells.
        grant("analyst", app="reports", scope=Scope.ALL, permissions=("reports.read_reports",))

        from .access import can_read_reports

        register(
            Link("reports", "reports:index", _("Reports"), allowed=can_read_reports, order=40),
            HomeSection(
                "reports/home_section.html",
                allowed=can_read_reports,
                order=20,
                context=_reports_context,
            ),
        )
