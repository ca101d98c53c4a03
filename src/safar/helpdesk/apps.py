from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CONSULTANT = "consultant"
SUPERVISOR = "supervisor"
COORDINATOR = "coordinator"
PARTNER = "partner"

# What MSC staff do with contacts; cases, referrals and approvals come with the case workflow.
CONTACT_WORK = (
    "helpdesk.view_contact",
    "helpdesk.add_contact",
    "helpdesk.view_caller",
    "helpdesk.add_caller",
    "helpdesk.change_caller",
)


def _home_context(request) -> dict:
    """Today's contacts the user may see, counted as on the contacts page."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from .access import can_log_contacts
    from .models import Contact

    today = Contact.objects.visible_to(request.user).filter(received_at__date=timezone.localdate())
    counts = today.aggregate(
        data=Count("pk", filter=Q(call_type=Contact.CallType.DATA)),
        non_data=Count("pk", filter=~Q(call_type=Contact.CallType.DATA)),
    )
    return {"today": counts, "can_log": can_log_contacts(request.user)}


class HelpdeskConfig(AppConfig):
    name = "safar.helpdesk"
    label = "helpdesk"
    verbose_name = _("MSC helpdesk")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.helpdesk.api:router"

    def ready(self) -> None:
        from safar.core.navigation import HomeSection, Link, register
        from safar.core.roles import Scope, grant, register_sensitive

        # Consultants and supervisors: their own MSC (user.office). Supervisors also correct
        # contacts; approving plans and closures comes with cases.
        notes = "helpdesk.view_contact_notes"
        grant(
            CONSULTANT, app="helpdesk", scope=Scope.ORGANISATION, permissions=(*CONTACT_WORK, notes)
        )
        grant(
            SUPERVISOR,
            app="helpdesk",
            scope=Scope.ORGANISATION,
            permissions=(*CONTACT_WORK, "helpdesk.change_contact", notes),
        )
        # The notes are sensitive: whoever may read them signs in with two factors.
        register_sensitive(notes)
        # The coordinator at the centre reads every MSC's contacts and logs none.
        grant(
            COORDINATOR,
            app="helpdesk",
            scope=Scope.ALL,
            permissions=("helpdesk.view_contact", "helpdesk.view_caller"),
        )
        # Partner organisations will see the referrals sent to them; until referrals exist the
        # role opens nothing of the helpdesk.
        grant(PARTNER, app="helpdesk", scope=Scope.ORGANISATION, permissions=())

        from .access import can_log_contacts, can_use_helpdesk

        register(
            Link(
                "helpdesk", "helpdesk:contacts", _("Helpdesk"), allowed=can_use_helpdesk, order=15
            ),
            Link(
                "helpdesk-new",
                "helpdesk:new",
                _("Log a contact"),
                allowed=can_log_contacts,
                order=16,
            ),
            HomeSection(
                "helpdesk/home_section.html",
                allowed=can_use_helpdesk,
                order=15,
                context=_home_context,
            ),
        )
