from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The helpdesk's role names: MSC staff record their centre's sessions and trainings with the
# same role that logs its contacts; the coordinator reads every organisation's.
CONSULTANT = "consultant"
SUPERVISOR = "supervisor"
COORDINATOR = "coordinator"

RECORD = (
    "outreach.view_session",
    "outreach.add_session",
    "outreach.view_training",
    "outreach.add_training",
)
READ = ("outreach.view_session", "outreach.view_training")


def _home_context(request) -> dict:
    from .access import can_record

    return {"can_record": can_record(request.user)}


class OutreachConfig(AppConfig):
    name = "safar.outreach"
    label = "outreach"
    verbose_name = _("Outreach and trainings")
    api_router = "safar.outreach.api:router"

    def ready(self) -> None:
        from safar.core.navigation import HomeSection, Link, register
        from safar.core.roles import Scope, grant

        # Roles are labelled by the helpdesk, whose names they are.
        for role in (CONSULTANT, SUPERVISOR):
            grant(role, app="outreach", scope=Scope.ORGANISATION, permissions=RECORD)
        grant(COORDINATOR, app="outreach", scope=Scope.ALL, permissions=READ)

        from .access import can_read

        register(
            # One menu entry (the menu is already long on a phone): the sessions page and the
            # home section link to the trainings.
            Link("outreach", "outreach:sessions", _("Outreach"), allowed=can_read, order=17),
            HomeSection(
                "outreach/home_section.html",
                allowed=can_read,
                order=16,
                context=_home_context,
            ),
        )
