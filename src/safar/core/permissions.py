"""Building blocks for the apps' permission checks: the role decorator and row scoping.

Each app keeps its own checks beside its models (crossings/access.py, capture/access.py, …);
every view of the app asks those, never the roles directly."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import Scope, scope_in


def permission_required(*permissions: str):
    """View decorator: the user must be signed in and hold one of `permissions` — the app's own
    Django permissions ("crossings.add_crossing"), given to roles by each app's grants (see
    safar.core.roles). A signed-in user without them gets 403, never the login page again."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user.has_perm(permission) for permission in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def restrict_to_scope(
    queryset, user, *, app: str, organisation_field: str, region_field: str | None = None
):
    """The rows of `queryset` the user may read in `app`: all for a scope of ALL, the rows of
    the user's region or organisation for the narrower scopes, and none for a user without a
    scope there or without an organisation (never "all" by omission)."""
    scope = scope_in(user, app)
    if scope >= Scope.ALL:
        return queryset
    office = getattr(user, "office", None)
    if scope >= Scope.REGION and region_field and office is not None and office.region_id:
        return queryset.filter(**{f"{region_field}_id": office.region_id})
    if scope >= Scope.ORGANISATION and office is not None:
        return queryset.filter(**{f"{organisation_field}_id": office.pk})
    return queryset.none()


def organisations_in_scope(organisations, user, *, app: str):
    """The organisations of `organisations` the user works for in `app`: their own with an
    organisation scope, all of them with a wider one (MSCs are not split by region), none
    without a scope or an organisation."""
    scope = scope_in(user, app)
    if scope >= Scope.REGION:
        return organisations
    if scope >= Scope.ORGANISATION and user.office_id is not None:
        return organisations.filter(pk=user.office_id)
    return organisations.none()
