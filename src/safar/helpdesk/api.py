"""The helpdesk API: `POST /api/helpdesk/contacts` logs a contact, `GET` lists them.

Consultants and supervisors of an MSC (their own MSC's contacts), the coordinator (every MSC's,
read only) and administrators; by web session (with CSRF) or `Authorization: Token …`. A body
with any error is a 400 naming every bad field, and nothing is stored. Every list read is an
audit event (the query's shape, never the phone number).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from safar.core.api import ERRORS, ApiError, user_auth
from safar.core.dates import parse_iso_date
from safar.core.models import AuditEvent
from safar.core.sensitive import visible_values

from .access import can_log_contacts, can_use_helpdesk, mscs_for
from .models import Caller, Contact
from .phones import InvalidPhone, normalise_phone
from .services import ContactInvalid, clean_contact, earlier_contacts, log_contact, nul_fields

router = Router(
    tags=["helpdesk"],
    auth=user_auth(can_use_helpdesk, gettext_lazy("You may not use the MSC helpdesk.")),
)

LIST_LIMIT = 1000

Sex = Literal["F", "M", "U"]
AgeBand = Literal["0-17", "18-24", "25-34", "35-44", "45-54", "55+", "unknown"]


class CallerIn(Schema):
    phone: str = Field("", max_length=40, description="Any usual form; without +country, Tajik.")
    name: str = Field("", max_length=200)
    sex: Sex = "U"
    age_band: AgeBand = "unknown"
    region: str = Field("", max_length=6, description="ISO 3166-2, e.g. TJ-SU.")
    district: str = Field("", max_length=200)


_DATE: dict[str, Any] = {"format": "date"}


class TripIn(Schema):
    entered: str = Field(
        ..., max_length=10, json_schema_extra=_DATE, description="YYYY-MM-DD: entered Russia."
    )
    left: str | None = Field(
        None,
        max_length=10,
        json_schema_extra=_DATE,
        description="YYYY-MM-DD: left Russia; null while still there (the latest trip only).",
    )


class BanCheckIn(Schema):
    """The caller's trips to Russia for the guide's stay calculator and ban self-check."""

    trips: list[TripIn] = Field(..., min_length=1, max_length=200)
    as_of: str | None = Field(
        None,
        max_length=10,
        json_schema_extra=_DATE,
        description="YYYY-MM-DD, the day to judge on; default the day of the contact.",
    )


class ContactIn(Schema):
    msc: str = Field(..., max_length=16, examples=["MSC-DU"])
    received_at: datetime.datetime = Field(
        ..., description="With its offset; a time without one is Dushanbe time."
    )
    channel: Literal["phone", "walk_in", "online", "outreach"]
    call_type: Literal["data", "silent", "hang_up", "prank", "test", "wrong_number"]
    caller: CallerIn | None = Field(None, description="Required for a data call.")
    about: Literal["self", "family_member", "other"] | None = None
    migrant_location: str | None = Field(None, max_length=3, description="ISO 3166-1 alpha-3.")
    categories: list[str] = Field([], max_length=20, examples=[["work/wages_unpaid"]])
    outcome: Literal["information", "referred", "case_opened", "callback"] | None = None
    duration_s: int | None = Field(None, ge=0, le=86400)
    notes: str = Field("", max_length=5000)
    ban_check: BanCheckIn | None = Field(
        None, description="An entry-ban call: the stay calculation is kept with the contact."
    )


class CallerOut(Schema):
    id: int
    msc: str
    phone: str
    name: str
    sex: str
    age_band: str
    region: str | None
    district: str


class TripOut(Schema):
    entered: str
    left: str | None


class BanCheckOut(Schema):
    as_of: str
    trips: list[TripOut]
    days_in_last_180: int
    overstay_days: int
    verdict: str
    ban_possible: bool
    ban_until: str | None


class ContactOut(Schema):
    id: int
    msc: str
    received_at: str
    channel: str
    call_type: str
    caller_id: int | None
    about: str
    migrant_location: str | None
    categories: list[str]
    outcome: str
    duration_s: int | None
    notes: str | None  # None: withheld from a user without helpdesk.view_contact_notes
    ban_check: BanCheckOut | None = None


class Logged(Schema):
    id: int
    caller_profile: CallerOut | None
    earlier_contacts: list[ContactOut]
    ban_check: BanCheckOut | None = Field(
        None, description="The stay calculation kept with the contact, when one was sent."
    )


class ContactList(Schema):
    count: int
    truncated: bool
    contacts: list[ContactOut]


def caller_json(caller: Caller | None) -> dict | None:
    if caller is None:
        return None
    return {
        "id": caller.pk,
        "msc": caller.msc.code,
        "phone": caller.phone,
        "name": caller.name,
        "sex": caller.sex,
        "age_band": caller.age_band,
        "region": caller.region_id,
        "district": caller.district,
    }


def ban_check_json(contact: Contact) -> dict | None:
    check = getattr(contact, "ban_check", None)
    if check is None:
        return None
    return {
        "as_of": check.as_of.isoformat(),
        "trips": check.trips,
        "days_in_last_180": check.days_in_window,
        "overstay_days": check.overstay_days,
        "verdict": check.verdict,
        "ban_possible": check.ban_possible,
        "ban_until": check.ban_until.isoformat() if check.ban_until else None,
    }


def contact_json(contact: Contact, user) -> dict:
    """A contact as the API gives it; its sensitive fields (the notes) withheld from a user
    without the permission that opens them (safar.core.sensitive)."""
    return visible_values(
        Contact,
        {
            "id": contact.pk,
            "msc": contact.msc.code,
            "received_at": timezone.localtime(contact.received_at).isoformat(),
            "channel": contact.channel,
            "call_type": contact.call_type,
            "caller_id": contact.caller_id,
            "about": contact.about,
            "migrant_location": contact.migrant_location_id,
            "categories": sorted(c.code for c in contact.categories.all()),
            "outcome": contact.outcome,
            "duration_s": contact.duration_s,
            "notes": contact.notes,
            "ban_check": ban_check_json(contact),
        },
        user,
    )


@router.post("/helpdesk/contacts", response={201: Logged, **ERRORS}, url_name="helpdesk_contacts")
def create_contact(request: HttpRequest, payload: ContactIn):
    """Log a call, walk-in, online message or outreach conversation; answers with the caller's
    profile at this MSC and their earlier contacts the user may see."""
    if not can_log_contacts(request.user):
        # The coordinator reads every MSC's contacts but logs none.
        raise ApiError(403, "forbidden", _("You may not log contacts."))
    try:
        data = clean_contact(payload.model_dump(), user=request.user, now=timezone.now())
    except ContactInvalid as exc:
        raise ApiError(400, "invalid", _("The request has errors."), exc.fields) from None
    contact = log_contact(user=request.user, data=data)
    caller = contact.caller
    earlier = (
        earlier_contacts(request.user, caller.phone, exclude=contact.pk)
        if caller and caller.phone
        else []
    )
    return Status(
        201,
        {
            "id": contact.pk,
            "caller_profile": caller_json(caller),
            "earlier_contacts": [contact_json(c, request.user) for c in earlier],
            "ban_check": ban_check_json(contact),
        },
    )


def _date(value: str | None, name: str, errors: dict) -> datetime.date | None:
    if not value:
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        errors[name] = [_("Give a date as YYYY-MM-DD.")]
        return None


@router.get(
    "/helpdesk/contacts", response={200: ContactList, **ERRORS}, url_name="helpdesk_contacts"
)
def list_contacts(
    request: HttpRequest,
    msc: str | None = Query(None, max_length=16, description="An MSC code, e.g. MSC-DU."),
    date_from: str | None = Query(
        None, alias="from", description="YYYY-MM-DD, received on or after."
    ),
    date_to: str | None = Query(None, alias="to", description="YYYY-MM-DD, received on or before."),
    phone: str | None = Query(None, max_length=40, description="The caller's number, any form."),
):
    """The contacts the user may see, newest first (at most 1,000), by MSC, period and number."""
    errors: dict[str, list[str]] = {
        name: [_("Contains a NUL character.")]
        for name in nul_fields({"msc": msc, "from": date_from, "to": date_to, "phone": phone})
    }
    if errors:
        raise ApiError(400, "invalid", _("The request has errors."), errors)
    found = Contact.objects.visible_to(request.user)
    if msc:
        if not mscs_for(request.user).filter(code=msc.upper()).exists():
            errors["msc"] = [_("Not a Migrant Support Centre you may see.")]
        found = found.filter(msc__code=msc.upper())
    start, end = _date(date_from, "from", errors), _date(date_to, "to", errors)
    if start and end and end < start:
        errors["to"] = [_("The end is before the start.")]
    if phone:
        try:
            found = found.filter(caller__phone=normalise_phone(phone))
        except InvalidPhone:
            errors["phone"] = [_("Not a phone number.")]
    if errors:
        raise ApiError(400, "invalid", _("The request has errors."), errors)
    if start:
        found = found.filter(received_at__date__gte=start)
    if end:
        found = found.filter(received_at__date__lte=end)
    rows = list(
        found.select_related("msc", "ban_check").prefetch_related("categories")[: LIST_LIMIT + 1]
    )
    AuditEvent.record(
        user=request.user,
        action=AuditEvent.Action.SEARCH,
        object_type="helpdesk.contact",
        query={
            "msc": msc or "",
            "from": date_from or "",
            "to": date_to or "",
            "phone": bool(phone),
        },
    )
    return {
        "count": min(len(rows), LIST_LIMIT),
        "truncated": len(rows) > LIST_LIMIT,
        "contacts": [contact_json(c, request.user) for c in rows[:LIST_LIMIT]],
    }


# Services and referrals: a router of its own (partner organisations sign in to it, who may not
# use the contacts endpoints), in the same schema under the same tag.
from .api_referrals import router as referrals_router  # noqa: E402

router.add_router("", referrals_router)
# The cases' endpoints (/api/helpdesk/cases…), with their own check: case work, not contacts.
router.add_router("", "safar.helpdesk.cases_api.router")
