"""A record's history from the audit trail: who changed what and when, and who looked at it.

Any app shows a record's history with `change_history(obj, labels=…, choices=…)` and the
`core/history.html` template, and its access log (the views, for supervisors and administrators)
with `access_log(obj)`. The events are the ones the app's services record with
`AuditEvent.record`; changes are kept as {field: [old, new]}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .models import AuditEvent

CHANGES = (AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE)


def _events(obj, actions):
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .filter(action__in=actions)
        .select_related("user")
        .order_by("at", "id")
    )


def described(
    changes: Mapping[str, list],
    *,
    labels: Mapping[str, Any],
    choices: Mapping[str, Mapping[Any, Any]] | None = None,
) -> list[dict]:
    """{field: [old, new]} as labelled rows for a page: field labels and choice names in the
    active language."""
    choices = choices or {}
    rows = []
    for field, values in sorted((changes or {}).items()):
        old, new = values
        names = choices.get(field, {})
        rows.append(
            {
                "label": labels.get(field, field),
                "old": names.get(old, old),
                "new": names.get(new, new),
            }
        )
    return rows


def change_history(
    obj, *, labels: Mapping[str, Any], choices: Mapping[str, Mapping[Any, Any]] | None = None
) -> list[dict]:
    """The record's changes, oldest first: each event with its labelled field changes."""
    return [
        {
            "event": event,
            "changes": described(event.changes, labels=labels, choices=choices)
            if event.action == AuditEvent.Action.UPDATE
            else [],
        }
        for event in _events(obj, CHANGES)
    ]


def access_log(obj):
    """Who opened the record and when, newest first."""
    return _events(obj, (AuditEvent.Action.VIEW,)).order_by("-at", "-id")
