"""Who may do what in the helpdesk: every helpdesk view and API endpoint asks these.

Consultants and supervisors work on their own MSC's contacts (`user.office`); the MSC
coordinator sees every MSC's; administrators everything. Border-statistics roles hold no
helpdesk permission and get 403, as helpdesk roles do on the border-statistics pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from safar.core.models import Office
from safar.core.roles import Scope, scope_in

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
    if scope_in(user, APP) >= Scope.REGION:
        return mscs
    if scope_in(user, APP) >= Scope.ORGANISATION and user.office_id is not None:
        return mscs.filter(pk=user.office_id)
    return mscs.none()


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
