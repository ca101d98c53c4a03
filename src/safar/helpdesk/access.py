"""Who may do what in the helpdesk: every helpdesk view and API endpoint asks these.

Consultants and supervisors work on their own MSC's contacts (`user.office`); the MSC
coordinator sees every MSC's; administrators everything. Border-statistics roles hold no
helpdesk permission and get 403, as helpdesk roles do on the border-statistics pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from safar.core.models import Office
from safar.core.permissions import organisations_in_scope

from .models import Case

APP = "helpdesk"


def can_use_helpdesk(user) -> bool:
    """Whether the user may open the helpdesk at all (read contacts)."""
    return user.is_authenticated and user.has_perm("helpdesk.view_contact")


def can_log_contacts(user) -> bool:
    return (
        user.is_authenticated
        and user.has_perm("helpdesk.add_contact")
        and mscs_for(user, "helpdesk.add_contact").exists()
    )


def require_helpdesk(user) -> None:
    if not can_use_helpdesk(user):
        raise PermissionDenied


def mscs_for(user, permission: str = "helpdesk.view_contact"):
    """The MSCs whose contacts the user may `permission`: their own, or all for a wide scope."""
    mscs = Office.objects.filter(kind=Office.Kind.MSC)
    if not (user.is_authenticated and user.has_perm(permission)):
        return mscs.none()
    return organisations_in_scope(mscs, user, app=APP)


# --- referrals, case figures and the coordinator's reasoned look at a case -----------------------


def can_answer_referrals(user) -> bool:
    """A partner organisation's staff (and administrators): the referrals page in the menu."""
    return user.is_authenticated and user.has_perm("helpdesk.answer_referral")


def can_see_referrals(user) -> bool:
    """Whoever reads some referrals: a partner (its own) or MSC staff (their cases')."""
    return user.is_authenticated and (
        user.has_perm("helpdesk.view_referral") or user.has_perm("helpdesk.answer_referral")
    )


def statistics_mscs(user):
    """The MSCs whose case figures the user sees: every MSC for the coordinator
    (view_case_statistics), their own for a supervisor (approve_case)."""
    return (
        mscs_for(user, "helpdesk.view_case_statistics") | mscs_for(user, "helpdesk.approve_case")
    ).distinct()


def can_see_case_statistics(user) -> bool:
    return user.is_authenticated and statistics_mscs(user).exists()


def can_open_case_with_reason(user) -> bool:
    return user.is_authenticated and user.has_perm("helpdesk.open_case_with_reason")


MIN_REASON = 10
MAX_REASON = 1000


class ReasonRefused(ValueError):
    """The coordinator's request to open a case is refused: {field: [message]}."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


def open_case_with_reason(user, number: str, reason: str):
    """The case numbered `number`, for a user who may open any MSC's case with a stated reason
    (the coordinator): the reason is kept on the case's timeline (CaseEvent COORDINATOR) and in
    the audit trail (a VIEW event), in one transaction. Raises ReasonRefused."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from safar.core.models import AuditEvent

    from .models import Case, CaseEvent

    if not can_open_case_with_reason(user):
        raise PermissionDenied
    number = " ".join(str(number or "").split()).upper()
    reason = " ".join(str(reason or "").split())
    errors: dict[str, list[str]] = {}
    if "\x00" in number + reason:
        errors["reason"] = [_("Contains a NUL character.")]
    elif len(reason) < MIN_REASON:
        errors["reason"] = [_("State the reason in at least %(n)d characters.") % {"n": MIN_REASON}]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": MAX_REASON}]
    case = Case.objects.filter(number=number).select_related("msc").first() if number else None
    if case is None and "\x00" not in number:
        errors["number"] = [_("No case has this number.")]
    if errors:
        raise ReasonRefused(errors)
    assert case is not None
    with transaction.atomic():
        CaseEvent.objects.create(
            case=case,
            user=user,
            kind=CaseEvent.Kind.COORDINATOR,
            action="open_with_reason",
            comment=reason,
        )
        AuditEvent.record(
            user=user, action=AuditEvent.Action.VIEW, obj=case, query={"reason": reason}
        )
    return case


def can_view_cases(user) -> bool:
    """Whether the user works on cases (a consultant's or supervisor's own MSC's). The
    coordinator, who sees every MSC's figures, browses no cases."""
    return user.is_authenticated and user.has_perm("helpdesk.view_case")


def can_open_cases(user) -> bool:
    return (
        can_view_cases(user)
        and user.has_perm("helpdesk.add_case")
        and mscs_for(user, "helpdesk.add_case").exists()
    )


def get_case_for_user(user, pk):
    """The case if the user may work on it: 403 without case work, 404 for another MSC's case
    (its existence is not revealed)."""
    if not can_view_cases(user):
        raise PermissionDenied
    return get_object_or_404(
        Case.objects.visible_to(user).select_related("msc", "assigned_to", "opened_by"), pk=pk
    )
