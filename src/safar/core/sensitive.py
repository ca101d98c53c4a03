"""Sensitive fields: values only the holders of a named permission may see.

A model lists its sensitive fields and the permission that opens each:

    class CaseNote(models.Model):
        SENSITIVE_FIELDS = {"psychological_notes": "helpdesk.view_psychological_notes"}

Pages, exports and the API pass every record through `visible_values` (or drop the form fields
`hidden_fields` names) so that a user without the permission never receives the value, only the
fact that something is withheld. Apps register these permissions with
`safar.core.roles.register_sensitive`, which also makes their holders sign in with two factors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WITHHELD = None  # what a withheld value becomes in exports and the API


def sensitive_fields(model: Any) -> dict[str, str]:
    """{field name: permission} declared by `model` (a class or an instance)."""
    return dict(getattr(model, "SENSITIVE_FIELDS", {}) or {})


def hidden_fields(model: Any, user) -> set[str]:
    """The sensitive fields of `model` that `user` may not see."""
    return {
        name
        for name, permission in sensitive_fields(model).items()
        if not (user.is_authenticated and user.has_perm(permission))
    }


def visible_values(model: Any, values: Mapping[str, Any], user) -> dict[str, Any]:
    """`values` with every field the user may not see replaced by WITHHELD."""
    hidden = hidden_fields(model, user)
    return {name: (WITHHELD if name in hidden else value) for name, value in values.items()}


def drop_hidden_form_fields(form, model: Any, user) -> None:
    """Remove from a Django form the sensitive fields the user may not see (nor change)."""
    for name in hidden_fields(model, user):
        form.fields.pop(name, None)
