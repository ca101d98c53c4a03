"""A record's history from the audit trail: who changed what and when, and who looked at it.

Any app shows a record's history with `change_history(obj, labels=…, choices=…)` and the
`core/history.html` template, and its access log (the views, for supervisors and administrators)
with `access_log(obj)`. The events are the ones the app's services record with
`AuditEvent.record`; changes are kept as {field: [old, new]}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import AuditEvent

CHANGES = (AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE)


def _events(obj, actions):
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .filter(action__in=actions)
        .select_related("user")
        .order_by("at", "id")
    )


def related_names(model: type[models.Model] | None, field: str, values: list) -> dict:
    """{stored key: the related record's name in the active language} when `field` is a foreign
    key of `model` (audit events keep the key, e.g. a border point's code; pages show names)."""
    if model is None:
        return {}
    try:
        foreign_key = model._meta.get_field(field)
    except FieldDoesNotExist:
        return {}
    related_model = foreign_key.related_model if foreign_key.many_to_one else None
    if not isinstance(related_model, type):
        return {}
    keys = [value for value in values if value not in (None, "")]
    related = related_model._base_manager.filter(pk__in=keys)
    return {record.pk: str(record) for record in related}


def described(
    changes: Mapping[str, list],
    *,
    labels: Mapping[str, Any],
    choices: Mapping[str, Mapping[Any, Any]] | None = None,
    model: type[models.Model] | None = None,
) -> list[dict]:
    """{field: [old, new]} as labelled rows for a page: field labels, choice names and (with
    `model`) the names of related records, in the active language."""
    choices = choices or {}
    rows = []
    for field, values in sorted((changes or {}).items()):
        old, new = values
        names = choices.get(field) or related_names(model, field, [old, new])
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
            "changes": described(event.changes, labels=labels, choices=choices, model=type(obj))
            if event.action == AuditEvent.Action.UPDATE
            else [],
        }
        for event in _events(obj, CHANGES)
    ]


def access_log(obj):
    """Who opened the record and when, newest first."""
    return _events(obj, (AuditEvent.Action.VIEW,)).order_by("-at", "-id")
