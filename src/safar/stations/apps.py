from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "safar.stations"
    label = "stations"
    verbose_name = _("Border stations")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.stations.api:router"

    def ready(self) -> None:
        from safar.core.navigation import Link, register
        from safar.core.roles import Scope, grant

        grant("analyst", app="stations", scope=Scope.ALL, permissions=("stations.view_station",))
        # Registering stations and revoking their tokens: administrators only.
        grant(
            "administrator",
            app="stations",
            scope=Scope.ALL,
            permissions=("stations.add_station", "stations.change_station"),
        )
        from safar.reports.access import can_read_reports

        # The stations dashboard is for those who read the reports: analysts and administrators.
        register(
            Link(
                "stations",
                "stations:dashboard",
                _("Border stations"),
                allowed=can_read_reports,
                order=50,
            ),
            # Registering stations and revoking their tokens: administrators only.
            Link(
                "stations_manage",
                "stations:manage",
                _("Manage stations"),
                allowed=lambda user: (
                    user.is_authenticated and user.has_perm("stations.change_station")
                ),
                order=85,
            ),
        )
