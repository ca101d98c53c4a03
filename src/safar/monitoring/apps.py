from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The helpdesk's roles (safar.helpdesk.apps): the same people read and submit the reports.
CONSULTANT = "consultant"
SUPERVISOR = "supervisor"
COORDINATOR = "coordinator"


def _home_context(request) -> dict:
    """Last month's report of each MSC the user sees, with its status."""
    from django.utils import timezone

    from .access import mscs_for
    from .exports import describe_month
    from .figures import Month
    from .models import MonthlyReport

    month = Month.of(timezone.localdate()).previous
    mscs = list(mscs_for(request.user).order_by("code"))
    found = dict(
        MonthlyReport.objects.filter(month=month.first_day, msc__in=mscs).values_list(
            "msc_id", "status"
        )
    )
    labels = dict(MonthlyReport.Status.choices)
    return {
        "month": str(month),
        "month_label": describe_month(month),
        "rows": [
            {"code": msc.code, "status": labels[found.get(msc.pk, MonthlyReport.Status.DRAFT)]}
            for msc in mscs
        ],
    }


def _outreach_sessions(msc_ids: list[int], month) -> list[list]:
    """M11 from the outreach app's sessions: kind, sessions, participants F and M."""
    import datetime

    from safar.outreach.models import Session

    last_day = month.next.first_day - datetime.timedelta(days=1)
    held = Session.objects.filter(org_id__in=msc_ids).held_between(month.first_day, last_day)
    return [
        [row["kind"], row["sessions"], row["participants_f"], row["participants_m"]]
        for row in held.by_kind()
    ]


class MonitoringConfig(AppConfig):
    name = "safar.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and evaluation")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.monitoring.api:router"

    def ready(self) -> None:
        from django.apps import apps

        from safar.core.navigation import HomeSection, Link, register

        from .figures import register_sessions

        if apps.is_installed("safar.outreach"):
            register_sessions(_outreach_sessions)
        from safar.core.roles import ADMINISTRATOR, Scope, grant

        # An MSC's consultants read their centre's monthly reports; its head (the supervisor)
        # types the hand-counted figures and submits them.
        grant(
            CONSULTANT,
            app="monitoring",
            scope=Scope.ORGANISATION,
            permissions=("monitoring.view_monthlyreport",),
        )
        grant(
            SUPERVISOR,
            app="monitoring",
            scope=Scope.ORGANISATION,
            permissions=("monitoring.view_monthlyreport", "monitoring.submit_monthlyreport"),
        )
        # The coordinator at the centre reviews every MSC's: returns, accepts, reopens.
        grant(
            COORDINATOR,
            app="monitoring",
            scope=Scope.ALL,
            permissions=("monitoring.view_monthlyreport", "monitoring.review_monthlyreport"),
        )
        # Administrators (who receive every grant besides) map the figures to DHIS2, send
        # them, and read the send log.
        grant(
            ADMINISTRATOR,
            app="monitoring",
            scope=Scope.ALL,
            permissions=(
                "monitoring.send_to_dhis2",
                "monitoring.view_dhis2sendlog",
                *(
                    f"monitoring.{verb}_{model}"
                    for model in ("dhis2dataset", "dhis2orgunit", "dhis2indicator")
                    for verb in ("view", "add", "change", "delete")
                ),
            ),
        )

        from .access import can_read_monthly_reports

        register(
            Link(
                "monitoring",
                "monitoring:index",
                _("Monthly reports"),
                allowed=can_read_monthly_reports,
                order=17,
            ),
            Link(
                "monitoring_dashboard",
                "monitoring:dashboard",
                _("Dashboard"),
                allowed=can_read_monthly_reports,
                order=18,
            ),
            HomeSection(
                "monitoring/home_section.html",
                allowed=can_read_monthly_reports,
                order=17,
                context=_home_context,
            ),
        )
