"""Permission checks in one place: every view asks these helpers, never the roles directly."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role


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


def border_centre_of(user):
    """The border centre whose cards an operator may see, or None for users who see all centres."""
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR) or user.has_role(Role.ANALYST):
        return None
    return user.office
