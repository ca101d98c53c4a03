"""Who may do what in the crossing registry: every registry view, list and export asks these.

Operators enter, search and correct the cards of their own centre; analysts read every centre's;
administrators also delete (see apps.py for the grants). Records outside the user's scope are
404, never revealed; users without a registry role get 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from safar.core.models import BorderPoint
from safar.core.roles import Scope, scope_in

from .models import Crossing


def sees_all_centres(user) -> bool:
    """Whether the user's crossings roles reach every centre (analysts, administrators)."""
    return scope_in(user, "crossings") >= Scope.ALL


def border_centre_of(user):
    """The border centre whose cards an operator may see, or None for users who see all centres."""
    if sees_all_centres(user):
        return None
    return user.office


def can_use_registry(user) -> bool:
    """Whether the user may open the crossing registry at all; anyone else gets 403."""
    return user.is_authenticated and user.has_perm("crossings.view_crossing")


def require_registry_access(user) -> None:
    """Raise 403 unless the user holds a role that may read the crossing registry."""
    if not can_use_registry(user):
        raise PermissionDenied


def can_enter_crossings(user) -> bool:
    """Operators enter and correct cards of their own centre; administrators of every centre."""
    if not user.is_authenticated or not user.has_perm("crossings.add_crossing"):
        return False
    return sees_all_centres(user) or user.office_id is not None


def can_delete_crossings(user) -> bool:
    return user.is_authenticated and user.has_perm("crossings.delete_crossing")


def border_points_for_user(user):
    """The border points whose cards the user may enter: an operator's centre's, or all."""
    if not can_enter_crossings(user):
        return BorderPoint.objects.none()
    centre = border_centre_of(user)
    if centre is not None:
        return BorderPoint.objects.filter(centre=centre)
    return BorderPoint.objects.all() if sees_all_centres(user) else BorderPoint.objects.none()


def visible_crossings(user):
    """Crossings the user may read; 403 for users without a registry role."""
    require_registry_access(user)
    return Crossing.objects.visible_to(user)


def get_crossing_for_user(user, pk):
    """The crossing if the user may read it; 404 when it is another centre's (its existence is
    not revealed), 403 when the user holds no registry role."""
    return get_object_or_404(
        visible_crossings(user).select_related(
            "border_point",
            "traveller",
            "traveller__citizenship",
            "purpose",
            "country",
            "region",
            "district",
        ),
        pk=pk,
    )


def get_crossing_for_edit(user, pk):
    """The crossing if the user may correct it (read access and the right to enter cards)."""
    crossing = get_crossing_for_user(user, pk)
    if not can_enter_crossings(user):
        raise PermissionDenied
    return crossing


def get_crossing_for_delete(user, pk):
    crossing = get_crossing_for_user(user, pk)
    if not can_delete_crossings(user):
        raise PermissionDenied
    return crossing
