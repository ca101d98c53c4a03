"""Logging a contact: one checked input, one transaction, one audit event.

The API and the web page hand the same raw values to `clean_contact` (every error at once, by
field; nothing is written while any remains) and the result to `log_contact`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safar.core.models import AuditEvent, Country, Office, Region

from .access import mscs_for
from .models import BanCheckResult, Caller, Category, Contact
from .phones import InvalidPhone, normalise_phone
from .staycheck import BanCheckInput, clean_ban_check, run_ban_check

# A contact is logged as it happens or soon after; a time this far ahead is a typing mistake.
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)
MAX_DURATION_S = 24 * 3600
MAX_NOTES = 5000
CALLER_FIELDS = ("phone", "name", "sex", "age_band", "region", "district")


class ContactInvalid(ValueError):
    """The input has errors: {field name: [message, …]}."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


@dataclass
class ContactInput:
    """A contact's values after checking: model instances and normalised text."""

    msc: Office
    received_at: datetime.datetime
    channel: str
    call_type: str
    caller: dict[str, Any] | None = None
    about: str = ""
    migrant_location: Country | None = None
    categories: list[Category] = field(default_factory=list)
    outcome: str = ""
    duration_s: int | None = None
    notes: str = ""
    # The stay calculation for the trips the caller gave (an entry-ban contact), if any.
    ban_check: BanCheckInput | None = None


def _choice(value: Any, choices, name: str, errors: dict, *, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            errors.setdefault(name, []).append(_("This field is required."))
        return ""
    if text not in choices.values:
        errors.setdefault(name, []).append(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text[:40], "choices": ", ".join(choices.values)}
        )
        return ""
    return text


def _caller(raw: Any, errors: dict) -> dict[str, Any] | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, dict):
        errors.setdefault("caller", []).append(_("Give the caller as an object."))
        return None
    caller: dict[str, Any] = {"phone": "", "name": "", "district": ""}
    phone = str(raw.get("phone") or "").strip()
    if phone:
        try:
            caller["phone"] = normalise_phone(phone)
        except InvalidPhone:
            errors.setdefault("caller.phone", []).append(
                _("Not a phone number; a number without a country code is taken as Tajik.")
            )
    caller["name"] = str(raw.get("name") or "").strip()[:200]
    caller["district"] = str(raw.get("district") or "").strip()[:200]
    caller["sex"] = (
        _choice(raw.get("sex"), Caller.Sex, "caller.sex", errors, required=False)
        or Caller.Sex.UNKNOWN
    )
    caller["age_band"] = (
        _choice(raw.get("age_band"), Caller.AgeBand, "caller.age_band", errors, required=False)
        or Caller.AgeBand.UNKNOWN
    )
    region = str(raw.get("region") or "").strip().upper()
    caller["region"] = None
    if region:
        caller["region"] = Region.objects.filter(pk=region).first()
        if caller["region"] is None:
            errors.setdefault("caller.region", []).append(
                _("No such region: %(code)s.") % {"code": region[:10]}
            )
    if not caller["phone"] and not caller["name"] and "caller.phone" not in errors:
        # Neither a number nor a name is nobody: no profile is made for it.
        return None
    return caller


def _received_at(value: Any, now: datetime.datetime, errors: dict) -> datetime.datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
            errors.setdefault("received_at", []).append(
                _("Give the time as 2026-11-03T10:15:00+05:00.")
            )
            return None
    if not isinstance(value, datetime.datetime):
        errors.setdefault("received_at", []).append(_("This field is required."))
        return None
    if timezone.is_naive(value):
        # The web form's local time is the centre's (the server's zone, Asia/Dushanbe).
        value = timezone.make_aware(value)
    if value > now + FUTURE_TOLERANCE:
        errors.setdefault("received_at", []).append(_("The time is in the future."))
        return None
    return value


def nul_fields(value: Any, name: str = "") -> list[str]:
    """The fields of `value` (nested dicts and lists) whose text holds a NUL character, which
    PostgreSQL cannot store or even compare (a 500 deeper down)."""
    if isinstance(value, str):
        return [name] if "\x00" in value else []
    if isinstance(value, dict):
        return [f for key, item in value.items() for f in nul_fields(item, _join(name, key))]
    if isinstance(value, list | tuple):
        return [f for item in value for f in nul_fields(item, name)]
    return []


def _join(prefix: str, key: Any) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def clean_contact(raw: dict[str, Any], *, user, now: datetime.datetime) -> ContactInput:
    """Check a contact as typed or sent; raises ContactInvalid with every error by field.

    Non-data calls need only the centre, the time, the channel and the type; anything else sent
    with them is ignored."""
    nul = nul_fields(raw)
    if nul:
        raise ContactInvalid({name: [_("Contains a NUL character.")] for name in nul})
    errors: dict[str, list[str]] = {}
    code = str(raw.get("msc") or "").strip().upper()
    msc = mscs_for(user, "helpdesk.add_contact").filter(code=code).first() if code else None
    if msc is None:
        errors.setdefault("msc", []).append(
            _("Not a Migrant Support Centre you may log contacts for.")
            if code
            else _("This field is required.")
        )
    received_at = _received_at(raw.get("received_at"), now, errors)
    channel = _choice(raw.get("channel"), Contact.Channel, "channel", errors, required=True)
    call_type = _choice(raw.get("call_type"), Contact.CallType, "call_type", errors, required=True)
    cleaned = ContactInput(
        msc=msc,  # type: ignore[arg-type]  # checked below: errors raise first
        received_at=received_at,  # type: ignore[arg-type]
        channel=channel,
        call_type=call_type,
    )
    if call_type == Contact.CallType.DATA:
        _clean_data_call(raw, cleaned, errors)
        if raw.get("ban_check") not in (None, ""):
            # Judged on the day of the call unless the caller's trips are judged on another.
            day = timezone.localdate(received_at or now)
            cleaned.ban_check = clean_ban_check(
                raw["ban_check"],
                default_as_of=day,
                today=timezone.localdate(now),
                errors=errors,
                prefix="ban_check",
            )
    if errors:
        raise ContactInvalid(errors)
    return cleaned


def _clean_data_call(raw: dict[str, Any], cleaned: ContactInput, errors: dict) -> None:
    cleaned.caller = _caller(raw.get("caller"), errors)
    if cleaned.caller is None and "caller" not in errors:
        errors["caller"] = [_("A conversation needs the caller (a phone number or a name).")]
    cleaned.about = _choice(raw.get("about"), Contact.About, "about", errors, required=False)
    cleaned.outcome = _choice(
        raw.get("outcome"), Contact.Outcome, "outcome", errors, required=False
    )
    location = str(raw.get("migrant_location") or "").strip().upper()
    if location:
        cleaned.migrant_location = Country.objects.filter(pk=location).first()
        if cleaned.migrant_location is None:
            errors.setdefault("migrant_location", []).append(
                _("Not an ISO 3166-1 alpha-3 country code: %(code)s.") % {"code": location[:10]}
            )
    codes = raw.get("categories") or []
    if isinstance(codes, str):
        codes = [codes]
    codes = [str(c).strip() for c in codes if str(c).strip()]
    found = {
        c.code: c
        for c in Category.objects.filter(code__in=codes, parent__isnull=False, active=True)
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        errors.setdefault("categories", []).append(
            _("Unknown categories: %(codes)s.") % {"codes": ", ".join(u[:60] for u in unknown[:5])}
        )
    cleaned.categories = list(dict.fromkeys(found[c] for c in codes if c in found))
    duration = raw.get("duration_s")
    if duration not in (None, ""):
        try:
            cleaned.duration_s = int(duration)
        except (TypeError, ValueError):
            cleaned.duration_s = -1
        if not 0 <= cleaned.duration_s <= MAX_DURATION_S:
            errors.setdefault("duration_s", []).append(
                _("Give the duration in whole seconds, at most a day.")
            )
    cleaned.notes = str(raw.get("notes") or "").strip()
    if len(cleaned.notes) > MAX_NOTES:
        errors.setdefault("notes", []).append(_("At most %(n)s characters.") % {"n": MAX_NOTES})


def _caller_profile(msc: Office, values: dict[str, Any]) -> Caller:
    """The MSC's profile for the number, updated with what was given this time; a caller
    without a number gets a profile of their own."""
    given = {
        k: v for k, v in values.items() if k != "phone" and v not in ("", None, "U", "unknown")
    }
    if not values["phone"]:
        return Caller.objects.create(msc=msc, **given)
    caller, created = Caller.objects.select_for_update().get_or_create(
        msc=msc, phone=values["phone"], defaults=given
    )
    if not created and given:
        for name, value in given.items():
            setattr(caller, name, value)
        caller.save(update_fields=list(given))
    return caller


@transaction.atomic
def log_contact(*, user, data: ContactInput) -> Contact:
    """Store a checked contact (and its caller's profile) and record it in the audit trail."""
    caller = _caller_profile(data.msc, data.caller) if data.caller else None
    contact = Contact.objects.create(
        msc=data.msc,
        received_at=data.received_at,
        channel=data.channel,
        call_type=data.call_type,
        caller=caller,
        about=data.about,
        migrant_location=data.migrant_location,
        outcome=data.outcome,
        duration_s=data.duration_s,
        notes=data.notes,
        created_by=user if user.is_authenticated else None,
    )
    if data.categories:
        contact.categories.set(data.categories)
    if data.ban_check is not None:
        keep_ban_check(contact, data.ban_check)
    # The audit names the record, never the caller's number or name.
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.CREATE,
        obj=contact,
        changes={
            "msc": data.msc.code,
            "call_type": data.call_type,
            **({"ban_check": True} if data.ban_check is not None else {}),
        },
    )
    return contact


def keep_ban_check(contact: Contact, data: BanCheckInput) -> BanCheckResult:
    """Run the stay calculator on the caller's trips and keep its answer with the contact."""
    outcome = run_ban_check(data.case)
    return BanCheckResult.objects.create(
        contact=contact,
        as_of=data.as_of,
        trips=data.trips,
        days_in_window=outcome.days_in_window,
        overstay_days=outcome.overstay_days,
        verdict=outcome.verdict,
        ban_possible=outcome.ban_possible,
        ban_until=outcome.ban_until,
        answer=outcome.answer_json(),
    )


def earlier_contacts(user, phone: str, *, exclude: int | None = None, limit: int = 20):
    """The contacts from this number the user may see, newest first."""
    found = (
        Contact.objects.visible_to(user)
        .filter(caller__phone=phone)
        .select_related("msc", "ban_check")
        .prefetch_related("categories")
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return list(found[:limit])
