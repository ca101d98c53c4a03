"""Who must do what before seeing what: the rules about roles that every app shares.

Each app grants its roles Django permissions (created by its migrations); a permission that
opens sensitive personal data (psychological notes, trafficking details, health) is registered
here by its app with `register_sensitive`, so that core can require two-factor sign-in of anyone
who holds it without knowing the app.
"""

from __future__ import annotations

SENSITIVE_PERMISSIONS: set[str] = set()

# The role that administers everything holds the keys to every app: it always signs in with two
# factors, as do superusers.
ADMINISTRATOR = "administrator"


def register_sensitive(*permissions: str) -> None:
    """Mark permissions ("app_label.codename") as opening sensitive data."""
    SENSITIVE_PERMISSIONS.update(permissions)


def requires_two_factor(user) -> bool:
    """Administrators, superusers and holders of any sensitive permission sign in with two
    factors."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_role(ADMINISTRATOR):
        return True
    return any(user.has_perm(permission) for permission in SENSITIVE_PERMISSIONS)
