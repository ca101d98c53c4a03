"""Writing crossings: create, correct and delete one card, keeping audit and aggregates exact.

The web form, the scan pipeline and the API call these; the bulk CSV import has its own path
(safar.crossings.importer) with the same guarantees. Both apply the registry's rules
(safar.crossings.rules) before anything is written. Each function is one transaction: the
crossing, its traveller, the report cells and the audit event change together or not at all.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safar.core.models import AuditEvent, District

from . import rules
from .aggregates import apply_delta, contributions_of
from .models import Crossing, Traveller

# The keys of `data`, in the order they appear in audit events.
FIELDS = (
    "card_number",
    "direction",
    "crossed_on",
    "border_point",
    "citizenship",
    "passport_number",
    "birth_date",
    "sex",
    "surname",
    "given_names",
    "purpose",
    "country",
    "region",
    "district",
    "source",
)
IDENTITY = ("citizenship", "passport_number", "birth_date")
NAMES = ("surname", "given_names")


class StaleCrossing(Exception):
    """The card was corrected by someone else after this correction was started from it.

    `changes` holds what changed meanwhile, {field: [old, new]} (as in audit events), and
    `version` the card's current version.
    """

    def __init__(self, *, version: int, changes: dict[str, list]):
        self.version = version
        self.changes = changes
        super().__init__(f"crossing is at version {version}: changed meanwhile {sorted(changes)}")


def crossing_values(crossing: Crossing) -> dict[str, Any]:
    """A stored crossing in the shape of `data` (codes, dates, None for no region/district)."""
    traveller = crossing.traveller
    return {
        "card_number": crossing.card_number,
        "direction": crossing.direction,
        "crossed_on": crossing.crossed_on,
        "border_point": crossing.border_point_id,
        "citizenship": traveller.citizenship_id,
        "passport_number": traveller.passport_number,
        "birth_date": traveller.birth_date,
        "sex": crossing.sex,
        "surname": crossing.surname,
        "given_names": crossing.given_names,
        "purpose": crossing.purpose_id,
        "country": crossing.country_id,
        "region": crossing.region_id,
        "district": crossing.district_id,
        "source": crossing.source,
    }


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    values = {field: data.get(field) for field in FIELDS}
    values["card_number"] = rules.normalise_card_number(values["card_number"] or "")
    values["passport_number"] = rules.normalise_passport_number(values["passport_number"] or "")
    for field in NAMES:
        values[field] = (values[field] or "").strip()
    for field in ("region", "district"):
        values[field] = values[field] or None
    values["source"] = values["source"] or Crossing.Source.FORM
    if values["region"] is None and values["citizenship"] == rules.CITIZEN_COUNTRY:
        # The district names its region (as in the form and the import).
        values["region"] = _district_region(values)
    return values


def _district_region(values: dict[str, Any]) -> str | None:
    """The region of the card's district (None without one, or for an unknown code, which
    full_clean then refuses)."""
    if values["district"] is None:
        return None
    return (
        District.objects.filter(pk=values["district"]).values_list("region_id", flat=True).first()
    )


def check_rules(values: dict[str, Any]) -> None:
    """Raise ValidationError (per field) when clean values break the registry's rules
    (safar.crossings.rules); today is the local date."""
    refused = rules.refusals(
        values,
        today=timezone.localdate(),
        earliest=rules.earliest_crossing(),
        district_region=_district_region(values),
    )
    if refused:
        raise ValidationError(
            {
                name: ValidationError(refusal.message, code=refusal.code, params=refusal.params)
                for name, refusal in refused.items()
            }
        )


def _traveller_for(values: dict[str, Any]) -> Traveller:
    """The traveller with this identity, created (and validated) when new."""
    identity = {
        "citizenship_id": values["citizenship"],
        "passport_number": values["passport_number"],
        "birth_date": values["birth_date"],
    }
    found = Traveller.objects.filter(**identity).first()
    if found is not None:
        return found
    candidate = Traveller(**identity)
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    traveller, _created = Traveller.objects.get_or_create(**identity)
    return traveller


def _lock(traveller_ids) -> None:
    # PostgreSQL: writers of one traveller's crossings queue up, so each computes its cell
    # difference from a stable history. SQLite already runs one writer at a time.
    list(
        Traveller.objects.select_for_update()
        .filter(pk__in=traveller_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _assign(crossing: Crossing, values: dict[str, Any], traveller: Traveller) -> None:
    crossing.card_number = values["card_number"]
    crossing.direction = values["direction"]
    crossing.crossed_on = values["crossed_on"]
    crossing.border_point_id = values["border_point"]
    crossing.traveller = traveller
    crossing.surname = values["surname"]
    crossing.given_names = values["given_names"]
    crossing.sex = values["sex"]
    crossing.purpose_id = values["purpose"]
    crossing.country_id = values["country"]
    crossing.region_id = values["region"]
    crossing.district_id = values["district"]
    crossing.source = values["source"]


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    return {
        field: [_audit_value(old.get(field)), _audit_value(new.get(field))]
        for field in FIELDS
        if old.get(field) != new.get(field)
    }


def _keep_same_names(old: dict[str, Any], values: dict[str, Any]) -> None:
    """A name that differs from the stored one only in letter case or spacing is the same name
    (the form writes names in capitals, an import may not): it stays as stored, so saving an
    unchanged form changes nothing."""
    for field in NAMES:
        if rules.normalise_name(values[field]) == rules.normalise_name(old[field] or ""):
            values[field] = old[field]


def changes_since(crossing: Crossing, version: int) -> dict[str, list]:
    """What the corrections after `version` changed, {field: [old, new]}: each field's value
    at `version` and now (fields changed and changed back are left out)."""
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE,
        object_type=Crossing._meta.label_lower,
        object_id=str(crossing.pk),
        query__version__gt=version,
    ).order_by("at", "id")
    folded: dict[str, list] = {}
    for event in events:
        for field, (old, new) in event.changes.items():
            folded.setdefault(field, [old, new])[1] = new
    return {field: pair for field, pair in folded.items() if pair[0] != pair[1]}


def _drop_if_orphan(traveller_id: int) -> None:
    """A traveller exists only through their crossings: the last one gone, the row goes too."""
    if not Crossing.objects.filter(traveller_id=traveller_id).exists():
        Traveller.objects.filter(pk=traveller_id).delete()


def _recount(before_ids, after_ids, change):
    delta = contributions_of(before_ids, sign=-1)
    result = change()
    contributions_of(after_ids, sign=1, into=delta)
    apply_delta(delta)
    return result


@transaction.atomic
def create_crossing(*, user, data: dict[str, Any]) -> Crossing:
    """Store one card; the traveller is found or created by citizenship, passport and birth date.

    Raises django.core.exceptions.ValidationError (nothing stored) when a value is invalid or
    the card number is already stored.
    """
    values = _clean(data)
    check_rules(values)
    traveller = _traveller_for(values)
    _lock([traveller.pk])
    crossing = Crossing(created_by=user if user is not None and user.is_authenticated else None)
    _assign(crossing, values, traveller)
    crossing.full_clean()
    _recount([traveller.pk], [traveller.pk], crossing.save)
    AuditEvent.record(
        user=user, action=AuditEvent.Action.CREATE, obj=crossing, changes=_changes({}, values)
    )
    return crossing


@transaction.atomic
def update_crossing(
    *, user, crossing: Crossing, data: dict[str, Any], based_on: int | None = None
) -> Crossing:
    """Correct a stored card. `data` may hold every field or only those that change.

    `based_on` is the version the correction was started from (the form's hidden field): when
    the card has been corrected since, nothing is saved and StaleCrossing says what changed
    meanwhile. Changing citizenship, passport number or date of birth moves the card to that
    traveller. Records an audit event with [old, new] for each changed field; when nothing
    changed, nothing is written (no event, no new version, `updated_at` as it was).
    """
    current = (
        Crossing.objects.select_for_update(of=("self",))
        .select_related("traveller")
        .get(pk=crossing.pk)
    )
    if based_on is not None and based_on != current.version:
        raise StaleCrossing(version=current.version, changes=changes_since(current, based_on))
    old = crossing_values(current)
    values = _clean({**old, **data})
    _keep_same_names(old, values)
    changes = _changes(old, values)
    if not changes:
        return current
    check_rules(values)
    old_traveller_id = current.traveller_id
    traveller = (
        current.traveller if all(values[f] == old[f] for f in IDENTITY) else _traveller_for(values)
    )
    ids = sorted({old_traveller_id, traveller.pk})
    _lock(ids)
    _assign(current, values, traveller)
    current.version += 1
    current.full_clean()
    _recount(ids, ids, current.save)
    if traveller.pk != old_traveller_id:
        _drop_if_orphan(old_traveller_id)
    # The version the correction made, so a stale correction can be told what changed since.
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.UPDATE,
        obj=current,
        changes=changes,
        query={"version": current.version},
    )
    return current


@transaction.atomic
def delete_crossing(*, user, crossing: Crossing) -> None:
    """Delete a card; the audit event keeps every value it had."""
    current = Crossing.objects.select_related("traveller").get(pk=crossing.pk)
    old = crossing_values(current)
    traveller_id, pk = current.traveller_id, current.pk
    _lock([traveller_id])
    _recount([traveller_id], [traveller_id], current.delete)
    _drop_if_orphan(traveller_id)
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.DELETE,
        object_type=Crossing._meta.label_lower,
        object_id=pk,
        changes=_changes(old, {}),
    )
