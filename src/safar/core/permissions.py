"""Permission checks in one place: every view asks these helpers, never the roles directly."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role
from .roles import Scope, scope_in


def role_required(*roles: str):
    """View decorator: the user must be logged in and hold one of `roles` (administrators pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user.has_role(role) for role in (*roles, Role.ADMINISTRATOR)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sees_all_centres(user) -> bool:
    """Whether the user's crossings roles reach every centre (analysts, administrators)."""
    return scope_in(user, "crossings") >= Scope.ALL


def restrict_to_centre(queryset, user, centre_field: str):
    """The rows a user may read: all for analysts and administrators, their own centre's for
    everyone else, and none for a user without an office (never "all" by omission)."""
    if sees_all_centres(user):
        return queryset
    if user.office_id is None:
        return queryset.none()
    return queryset.filter(**{f"{centre_field}_id": user.office_id})


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
    from .models import BorderPoint

    if not can_enter_crossings(user):
        return BorderPoint.objects.none()
    centre = border_centre_of(user)
    if centre is not None:
        return BorderPoint.objects.filter(centre=centre)
    return BorderPoint.objects.all() if sees_all_centres(user) else BorderPoint.objects.none()


def visible_crossings(user):
    """Crossings the user may read; 403 for users without a registry role."""
    from safar.crossings.models import Crossing

    require_registry_access(user)
    centre = border_centre_of(user)
    if centre is not None:
        return Crossing.objects.filter(border_point__centre=centre)
    if sees_all_centres(user):
        return Crossing.objects.all()
    # An operator not attached to any office sees nothing rather than everything.
    return Crossing.objects.none()


def get_crossing_for_user(user, pk):
    """The crossing if the user may read it; 404 when it is another centre's (its existence is
    not revealed), 403 when the user holds no registry role."""
    from django.shortcuts import get_object_or_404

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


# -- card capture (scans, their page images and crops) ---------------------------------------


def visible_scans(user):
    """Scans the user may review: an operator's own centre's, an administrator's every centre's;
    403 for anyone else (analysts see capture counts in R12, not the scanned cards)."""
    from safar.capture.models import Scan

    if not can_enter_crossings(user):
        raise PermissionDenied
    return Scan.objects.visible_to(user)


def visible_uploads(user):
    from safar.capture.models import Upload

    if not can_enter_crossings(user):
        raise PermissionDenied
    return Upload.objects.visible_to(user)


def get_scan_for_user(user, pk):
    """The scan if the user may review it; 404 when it is another centre's."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visible_scans(user).select_related("upload__batch__centre"), pk=pk)
