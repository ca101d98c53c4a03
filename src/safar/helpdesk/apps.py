from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CONSULTANT = "consultant"
SUPERVISOR = "supervisor"
COORDINATOR = "coordinator"
PARTNER = "partner"

# What MSC staff do with contacts.
CONTACT_WORK = (
    "helpdesk.view_contact",
    "helpdesk.add_contact",
    "helpdesk.view_caller",
    "helpdesk.add_caller",
    "helpdesk.change_caller",
)
# What MSC staff do with their centre's cases: the people in them, notes, documents, services
# and referrals, and the crossings lookup (with the client's consent).
CASE_WORK = (
    "helpdesk.view_case",
    "helpdesk.add_case",
    "helpdesk.change_case",
    "helpdesk.view_caseperson",
    "helpdesk.add_caseperson",
    "helpdesk.change_caseperson",
    "helpdesk.view_casenote",
    "helpdesk.add_casenote",
    "helpdesk.view_casedocument",
    "helpdesk.add_casedocument",
    "helpdesk.view_service",
    "helpdesk.add_service",
    "helpdesk.view_referral",
    "helpdesk.add_referral",
    "helpdesk.change_referral",
    "helpdesk.look_up_crossings",
)
# Each opens what a client says about their mind, health or exploitation, or their crossings.
SENSITIVE = (
    "helpdesk.view_contact_notes",
    "helpdesk.view_case_sensitive",
    "helpdesk.look_up_crossings",
)


def _home_context(request) -> dict:
    """Today's contacts the user may see, counted as on the contacts page."""
    from django.db.models import Count, F, Q
    from django.utils import timezone

    from .access import (
        can_log_contacts,
        can_open_case_with_reason,
        can_open_cases,
        can_see_case_statistics,
        can_view_cases,
    )
    from .models import Case, Contact

    day = timezone.localdate()
    today = Contact.objects.visible_to(request.user).filter(received_at__date=day)
    counts = today.aggregate(
        data=Count("pk", filter=Q(call_type=Contact.CallType.DATA)),
        non_data=Count("pk", filter=~Q(call_type=Contact.CallType.DATA)),
    )
    context = {
        "today": counts,
        "can_log": can_log_contacts(request.user),
        # The coordinator's case pages, also in the menu: the home section is where one looks.
        "can_see_figures": can_see_case_statistics(request.user),
        "can_open_with_reason": can_open_case_with_reason(request.user),
    }
    if can_view_cases(request.user):
        # My open cases, the next follow-up first, and how many of the centre's are overdue.
        cases = Case.objects.visible_to(request.user).open()
        context |= {
            "show_cases": True,
            "can_open_case": can_open_cases(request.user),
            "my_cases": list(
                cases.filter(assigned_to=request.user)
                .order_by(F("follow_up_due").asc(nulls_last=True), "-opened_at")
                .only("pk", "number", "status", "follow_up_due", "summary")[:10]
            ),
            "overdue_count": cases.overdue(day).count(),
            "today_date": day,
        }
        if request.user.has_perm("helpdesk.approve_case"):
            # A supervisor's work waits in two statuses: the links open the list filtered.
            context["awaiting_plans"] = cases.filter(status=Case.Status.PLAN_SUBMITTED).count()
            context["awaiting_closures"] = cases.filter(
                status=Case.Status.CLOSURE_REQUESTED
            ).count()
    return context


def _referrals_home_context(request) -> dict:
    from .views_referrals import new_referral_counts

    return {"referral_counts": new_referral_counts(request.user)}


class HelpdeskConfig(AppConfig):
    name = "safar.helpdesk"
    label = "helpdesk"
    verbose_name = _("MSC helpdesk")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.helpdesk.api:router"

    def ready(self) -> None:
        from . import contact_counts

        # The dashboard's contact counts, recounted in the transaction of every contact write.
        contact_counts.connect()

        from safar.core.navigation import HomeSection, Link, register
        from safar.core.roles import Scope, grant, label_role, register_sensitive

        label_role(CONSULTANT, _("MSC consultant"))
        label_role(SUPERVISOR, _("MSC supervisor"))
        label_role(COORDINATOR, _("MSC coordinator"))
        label_role(PARTNER, _("partner organisation"))

        # Consultants and supervisors: their own MSC (user.office). Supervisors also correct
        # contacts, approve or return plans and closures, and may send a referral without the
        # client's consent, giving a reason.
        grant(
            CONSULTANT,
            app="helpdesk",
            scope=Scope.ORGANISATION,
            permissions=(
                *CONTACT_WORK,
                *CASE_WORK,
                "helpdesk.view_contact_notes",
                "helpdesk.view_case_sensitive",
            ),
        )
        grant(
            SUPERVISOR,
            app="helpdesk",
            scope=Scope.ORGANISATION,
            permissions=(
                *CONTACT_WORK,
                *CASE_WORK,
                "helpdesk.view_contact_notes",
                "helpdesk.view_case_sensitive",
                "helpdesk.change_contact",
                "helpdesk.approve_case",
                "helpdesk.override_referral_consent",
            ),
        )
        # Whoever may read the sensitive parts signs in with two factors.
        register_sensitive(*SENSITIVE)
        # The coordinator at the centre reads every MSC's contacts and the case figures, logs
        # nothing, and opens a single case only with a stated reason (audited).
        grant(
            COORDINATOR,
            app="helpdesk",
            scope=Scope.ALL,
            permissions=(
                "helpdesk.view_contact",
                "helpdesk.view_caller",
                "helpdesk.view_case_statistics",
                "helpdesk.open_case_with_reason",
            ),
        )
        # Partner organisations see the referrals sent to them, with what the client agreed to
        # share, and answer them (ReferralQuerySet.visible_to).
        grant(
            PARTNER,
            app="helpdesk",
            scope=Scope.ORGANISATION,
            permissions=("helpdesk.view_referral", "helpdesk.answer_referral"),
        )

        from .access import (
            can_answer_referrals,
            can_log_contacts,
            can_open_case_with_reason,
            can_see_case_statistics,
            can_use_helpdesk,
            can_view_cases,
        )

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
            Link("helpdesk-cases", "helpdesk:cases", _("Cases"), allowed=can_view_cases, order=17),
            HomeSection(
                "helpdesk/home_section.html",
                allowed=can_use_helpdesk,
                order=15,
                context=_home_context,
            ),
            # A partner organisation's staff: the referrals sent to it.
            Link(
                "helpdesk-referrals",
                "helpdesk:referrals",
                _("Referrals"),
                allowed=can_answer_referrals,
                order=17,
            ),
            HomeSection(
                "helpdesk/referrals_home_section.html",
                allowed=can_answer_referrals,
                order=16,
                context=_referrals_home_context,
            ),
            # The coordinator (every MSC) and the supervisors (their own): the case figures.
            Link(
                "helpdesk-statistics",
                "helpdesk:case-statistics",
                _("Case figures"),
                allowed=can_see_case_statistics,
                order=18,
            ),
            Link(
                "helpdesk-open-with-reason",
                "helpdesk:case-open-with-reason",
                _("Open a case with a reason"),
                allowed=can_open_case_with_reason,
                order=19,
            ),
        )
