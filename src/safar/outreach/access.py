"""Who may do what in outreach: every view and API endpoint asks these.

MSC consultants and supervisors record their own organisation's sessions and trainings
(`user.office`); the coordinator reads every organisation's; administrators everything."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from safar.core.models import Office
from safar.core.roles import Scope, scope_in

from .models import APP, ORGANISATION_KINDS


def can_read(user) -> bool:
    return user.is_authenticated and user.has_perm("outreach.view_session")


def can_record(user) -> bool:
    return (
        user.is_authenticated
        and user.has_perm("outreach.add_session")
        and organisations_for(user, "outreach.add_session").exists()
    )


def require_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied


def organisations_for(user, permission: str = "outreach.view_session"):
    """The MSCs and the Migration Service as far as the user may `permission` there: their own
    organisation, or all for a wide scope."""
    found = Office.objects.filter(kind__in=ORGANISATION_KINDS)
    if not (user.is_authenticated and user.has_perm(permission)):
        return found.none()
    scope = scope_in(user, APP)
    if scope >= Scope.REGION:
        return found
    if scope >= Scope.ORGANISATION and user.office_id is not None:
        return found.filter(pk=user.office_id)
    return found.none()
