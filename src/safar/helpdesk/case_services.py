"""Recording the services an MSC gives in a case, and the path and outcome of a citizen barred
from Russia: checked input (every error at once, by field), one transaction, one audit event.

The web page (`_services.html`) and the API (`POST /api/helpdesk/cases/{id}/services`) hand the
same raw values here."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safar.core.dates import parse_iso_date
from safar.core.models import AuditEvent

from .models import Case, CasePerson, Service

MAX_NOTES = 5000


class CaseWorkInvalid(ValueError):
    """The input has errors: {field name: [message, …]}; nothing was written."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


def _date(value: Any, name: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        errors.setdefault(name, []).append(_("This field is required."))
        return None
    try:
        return parse_iso_date(text)
    except ValueError:
        errors.setdefault(name, []).append(_("Give a date as YYYY-MM-DD."))
        return None


def _person(case: Case, value: Any, errors: dict[str, list[str]]) -> CasePerson | None:
    """One of the case's people, by id; empty is the case as a whole."""
    if value in (None, ""):
        return None
    try:
        return case.people.get(pk=int(value))
    except (TypeError, ValueError, CasePerson.DoesNotExist):
        errors.setdefault("person", []).append(_("Choose one of the people of this case."))
        return None


@transaction.atomic
def record_service(
    case: Case,
    user,
    *,
    kind: Any,
    given_on: Any,
    person: Any = None,
    notes: Any = "",
    today: datetime.date | None = None,
) -> Service:
    """Record a service given in `case` by `user`. The date may be neither in the future nor
    before the case was opened; the person, if named, is one of this case's."""
    errors: dict[str, list[str]] = {}
    if case.is_closed:
        errors["case"] = [_("A closed case records no services; reopen it first.")]
    kind_text = "" if kind is None else str(kind).strip()
    if kind_text not in Service.Kind.values:
        errors["kind"] = [_("Choose the service given.")]
    date = _date(given_on, "given_on", errors)
    today = today or timezone.localdate()
    if date is not None:
        if date > today:
            errors.setdefault("given_on", []).append(_("The date is in the future."))
        elif date < timezone.localdate(case.opened_at):
            errors.setdefault("given_on", []).append(_("The date is before the case was opened."))
    chosen = _person(case, person, errors)
    notes_text = "" if notes is None else str(notes).strip()
    if len(notes_text) > MAX_NOTES:
        errors["notes"] = [_("At most %(n)d characters.") % {"n": MAX_NOTES}]
    if "\x00" in kind_text + notes_text:
        errors.setdefault("notes", []).append(_("Contains a NUL character."))
    if errors:
        raise CaseWorkInvalid(errors)
    assert date is not None
    service = Service.objects.create(
        case=case, person=chosen, kind=kind_text, given_on=date, given_by=user, notes=notes_text
    )
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.CREATE,
        obj=service,
        changes={"case": case.number, "kind": kind_text, "given_on": date.isoformat()},
    )
    return service


@transaction.atomic
def set_barred(case: Case, user, *, path: Any, outcome: Any) -> Case:
    """Record the path offered to a citizen barred from Russia and its outcome (either may be
    left empty while unknown)."""
    errors: dict[str, list[str]] = {}
    if case.case_type != Case.Type.BARRED:
        errors["case"] = [_("Only the case of a citizen barred from Russia has a path.")]
    path_text = "" if path is None else str(path).strip()
    outcome_text = "" if outcome is None else str(outcome).strip()
    if path_text and path_text not in Case.BarredPath.values:
        errors["barred_path"] = [_("Choose one of the paths.")]
    if outcome_text and outcome_text not in Case.BarredOutcome.values:
        errors["barred_outcome"] = [_("Choose one of the outcomes.")]
    if outcome_text and not path_text:
        errors.setdefault("barred_path", []).append(_("Choose the path the outcome is of."))
    if errors:
        raise CaseWorkInvalid(errors)
    before = {"barred_path": case.barred_path, "barred_outcome": case.barred_outcome}
    # Only these two fields: the case's status is the workflow's (saving it here could undo a
    # transition someone made meanwhile).
    Case.objects.filter(pk=case.pk).update(barred_path=path_text, barred_outcome=outcome_text)
    case.barred_path, case.barred_outcome = path_text, outcome_text
    after = {"barred_path": path_text, "barred_outcome": outcome_text}
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.UPDATE,
        obj=case,
        changes={
            name: [before[name], after[name]] for name in after if before[name] != after[name]
        },
    )
    return case
