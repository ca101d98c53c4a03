"""Roles, their permissions and scopes, declared by each app; the rules every app shares.

A role is a Django group. Each app declares, in its AppConfig.ready(), what each role may do in
that app (Django permissions of the app's models, "app_label.codename") and how far it sees
there (its scope: the user's own organisation, the user's region, or all):

    from safar.core.roles import Scope, grant

    grant("operator", app="crossings", scope=Scope.ORGANISATION,
          permissions=("crossings.view_crossing", "crossings.add_crossing"))

After every `migrate` the groups are created and given the declared permissions (never taken
away: an administrator may have given more in the admin). Holding a role of one app grants
nothing in another, because each app checks only its own permissions.

A permission that opens sensitive personal data (psychological notes, trafficking details,
health) is registered by its app with `register_sensitive`, so that core can require two-factor
sign-in of anyone who holds it without knowing the app.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

ADMINISTRATOR = "administrator"
# Each role's name for people, in the active language (the group's name is a code).
ROLE_LABELS: dict[str, object] = {}


def label_role(role: str, label) -> None:
    """Give a role (a group name) its name for people, a lazy translation."""
    ROLE_LABELS[role] = label


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


class Scope(enum.IntEnum):
    """How far a role sees in an app, narrowest first (a wider scope includes the narrower)."""

    NONE = 0
    ORGANISATION = 1
    REGION = 2
    ALL = 3


@dataclass(frozen=True)
class Grant:
    role: str
    app: str
    scope: Scope
    permissions: tuple[str, ...]


GRANTS: list[Grant] = []
SENSITIVE_PERMISSIONS: set[str] = set()


def grant(role: str, *, app: str, scope: Scope, permissions: tuple[str, ...]) -> None:
    """Declare that `role` may do `permissions` in `app`, seeing rows within `scope`.

    Administrators receive every grant of every app with scope ALL, so an app need not repeat
    them."""
    GRANTS.append(Grant(role, app, Scope(scope), tuple(permissions)))


def register_sensitive(*permissions: str) -> None:
    """Mark permissions ("app_label.codename") as opening sensitive data."""
    SENSITIVE_PERMISSIONS.update(permissions)


def scope_in(user, app: str) -> Scope:
    """The widest scope the user's roles give in `app` (ALL for administrators and superusers,
    NONE for anyone else without a role there)."""
    if not user.is_authenticated or not user.is_active:
        return Scope.NONE
    if user.is_superuser or user.has_role(ADMINISTRATOR):
        return Scope.ALL
    names = user.role_names()
    return max((g.scope for g in GRANTS if g.app == app and g.role in names), default=Scope.NONE)


def requires_two_factor(user) -> bool:
    """Administrators, superusers and holders of any sensitive permission sign in with two
    factors."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_role(ADMINISTRATOR):
        return True
    return any(user.has_perm(permission) for permission in SENSITIVE_PERMISSIONS)


def declared_roles() -> dict[str, set[str]]:
    """Every declared role with all the permissions granted to it, administrators included."""
    roles: dict[str, set[str]] = {ADMINISTRATOR: set()}
    for item in GRANTS:
        roles.setdefault(item.role, set()).update(item.permissions)
        roles[ADMINISTRATOR].update(item.permissions)
    return roles


def sync_roles(**kwargs) -> None:
    """post_migrate: create each declared role's group and give it its permissions."""
    from django.contrib.auth.models import Group, Permission

    for role, permissions in declared_roles().items():
        group, _created = Group.objects.get_or_create(name=role)
        # Django creates each app's permissions in its own post_migrate; this runs after each,
        # so an app's permissions are given as soon as they exist.
        for permission in sorted(permissions):
            app, codename = permission.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app, codename=codename)
            group.permissions.add(*found)
