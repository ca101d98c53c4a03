"""Case work as the pages and the API do it: one checked input, one transaction, its events.

Like `services.py` for contacts: `clean_case` / `clean_person` take the raw values (a form's or
a JSON body's) and raise `CaseInvalid` with every error by field; the functions that write
(`open_case`, `add_person`, `change_person`, `add_note`, `add_document`, `assign`) run in one
transaction each and leave a `CaseEvent` (the timeline) and an `AuditEvent` (the audit trail;
it names records and fields, never a client's name, number or passport).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safar.core.dates import parse_iso_date
from safar.core.models import AuditEvent, Country, Office
from safar.core.permissions import restrict_to_scope
from safar.core.sensitive import hidden_fields

from .access import mscs_for
from .models import (
    APP,
    Caller,
    Case,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CasePerson,
    Category,
    Contact,
)
from .phones import InvalidPhone, normalise_phone
from .services import nul_fields

MAX_SUMMARY = 300
MAX_NOTE = 10_000
MAX_NAME = 200
MAX_DOCUMENT_BYTES = 10 * 2**20
MAX_SEARCH_RESULTS = 50
# A passport number as staff type it, spaces and dashes taken out: letters and digits.
PASSPORT_RE = re.compile(r"[A-Z0-9]{5,20}")
# The files a case keeps, known by their first bytes (a name's extension proves nothing).
DOCUMENT_TYPES = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)
PERSON_FIELDS = (
    "relation",
    "name",
    "sex",
    "birth_date",
    "phone",
    "passport",
    "school",
    "location",
)
# Personal values an audit event names as changed without repeating them.
PERSONAL = {"name", "birth_date", "phone", "passport"}


class CaseInvalid(ValueError):
    """The input has errors: {field name: [message, …]}."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


@dataclass
class PersonInput:
    relation: str
    name: str
    sex: str = Caller.Sex.UNKNOWN
    birth_date: datetime.date | None = None
    phone: str = ""
    passport: str = ""
    school: str = ""
    location: Country | None = None


@dataclass
class CaseInput:
    msc: Office
    case_type: str
    summary: str
    person: PersonInput
    categories: list[Category] = field(default_factory=list)
    assigned_to: Any = None
    contact: Contact | None = None


def _add(errors: dict, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _choice(raw: dict, name: str, choices, errors: dict, *, prefix: str = "", required=False):
    text = _text(raw, name)
    if not text:
        if required:
            _add(errors, prefix + name, _("This field is required."))
        return ""
    if text not in choices.values:
        _add(
            errors,
            prefix + name,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text[:40], "choices": ", ".join(choices.values)},
        )
        return ""
    return text


def normalise_passport(text: str) -> str:
    """A passport number as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def consultants_of(msc: Office):
    """The active users of the MSC who work its cases (whom a case may be assigned to)."""
    return (
        get_user_model()
        .objects.filter(
            office=msc,
            is_active=True,
            groups__permissions__content_type__app_label="helpdesk",
            groups__permissions__codename="change_case",
        )
        .distinct()
        .order_by("username")
    )


# --- people ---------------------------------------------------------------------------------


def clean_person(raw: Any, *, today: datetime.date, prefix: str = "") -> PersonInput:
    """Check one person of a case; raises CaseInvalid with the errors named `prefix` + field."""
    errors: dict[str, list[str]] = {}
    person = _person(raw, today, errors, prefix)
    if errors:
        raise CaseInvalid(errors)
    return person


def _person(raw: Any, today: datetime.date, errors: dict, prefix: str) -> PersonInput:
    if not isinstance(raw, dict):
        _add(errors, prefix.rstrip(".") or "person", _("Give the person as an object."))
        return PersonInput(relation="", name="")
    nul = nul_fields(raw)
    for name in nul:
        _add(errors, prefix + name, _("Contains a NUL character."))
    if nul:
        return PersonInput(relation="", name="")
    relation = _choice(raw, "relation", CasePerson.Relation, errors, prefix=prefix, required=True)
    name = _text(raw, "name")
    if not name:
        _add(errors, prefix + "name", _("This field is required."))
    elif len(name) > MAX_NAME:
        _add(errors, prefix + "name", _("At most %(n)s characters.") % {"n": MAX_NAME})
    person = PersonInput(
        relation=relation,
        name=name,
        sex=_choice(raw, "sex", Caller.Sex, errors, prefix=prefix) or Caller.Sex.UNKNOWN,
    )
    birth = raw.get("birth_date")
    if isinstance(birth, datetime.date):
        person.birth_date = birth
    elif birth not in (None, ""):
        try:
            person.birth_date = parse_iso_date(str(birth).strip())
        except ValueError:
            _add(errors, prefix + "birth_date", _("Give a date as YYYY-MM-DD."))
    if person.birth_date is not None and not datetime.date(1900, 1, 1) <= person.birth_date:
        _add(errors, prefix + "birth_date", _("The date is too long ago."))
    if person.birth_date is not None and person.birth_date > today:
        _add(errors, prefix + "birth_date", _("The date is in the future."))
    phone = _text(raw, "phone")
    if phone:
        try:
            person.phone = normalise_phone(phone)
        except InvalidPhone:
            _add(
                errors,
                prefix + "phone",
                _("Not a phone number; a number without a country code is taken as Tajik."),
            )
    person.passport = normalise_passport(_text(raw, "passport"))
    if person.passport and not PASSPORT_RE.fullmatch(person.passport):
        _add(errors, prefix + "passport", _("A passport number is 5 to 20 letters and digits."))
    person.school = _choice(raw, "school", CasePerson.School, errors, prefix=prefix)
    if person.school and relation and relation != CasePerson.Relation.CHILD:
        _add(errors, prefix + "school", _("Only a child has a school status."))
    location = _text(raw, "location").upper()
    if location:
        person.location = Country.objects.filter(pk=location[:3]).first()
        if person.location is None or len(location) != 3:
            _add(
                errors,
                prefix + "location",
                _("Not an ISO 3166-1 alpha-3 country code: %(code)s.") % {"code": location[:10]},
            )
    return person


def _person_values(person: PersonInput) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


@transaction.atomic
def add_person(case: Case, person: PersonInput, user, *, caller: Caller | None = None):
    """Add a checked person to the case."""
    added = CasePerson.objects.create(case=case, caller=caller, **_person_values(person))
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.CREATE,
        obj=added,
        changes={"case": case.pk, "relation": added.relation},
    )
    return added


@transaction.atomic
def change_person(person: CasePerson, values: PersonInput, user) -> CasePerson:
    """Change a person of a case to the checked values; the audit names what changed (the
    personal values themselves are not repeated there)."""
    changes: dict[str, list] = {}
    for name, new in _person_values(values).items():
        attr = name
        old = getattr(person, name)
        if name == "location":
            attr, old, new = "location_id", person.location_id, (new.pk if new else None)
        if old == new:
            continue
        setattr(person, attr, new)
        changes[name] = ["…", "…"] if name in PERSONAL else [str(old or ""), str(new or "")]
    if changes:
        person.save()
        AuditEvent.record(user=user, action=AuditEvent.Action.UPDATE, obj=person, changes=changes)
    return person


# --- opening a case ---------------------------------------------------------------------------


def clean_case(raw: dict[str, Any], user, *, today: datetime.date | None = None) -> CaseInput:
    """Check a new case as typed or sent; raises CaseInvalid with every error by field.

    `raw`: msc (a code; the user's own centre when left out and they have one), case_type,
    summary, categories (codes), assigned_to (a username of the centre; empty: nobody yet),
    person (the first person: the migrant or the client, see `clean_person`) and contact (the
    id of the contact the case grows from: its caller becomes the person's caller)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name in nul_fields({k: v for k, v in raw.items() if k != "person"}):
        _add(errors, name, _("Contains a NUL character."))
    if errors:
        raise CaseInvalid(errors)
    mscs = mscs_for(user, "helpdesk.add_case")
    code = _text(raw, "msc").upper()
    if code:
        msc = mscs.filter(code=code).first()
    else:
        own = list(mscs[:2])
        msc = own[0] if len(own) == 1 else None
    if msc is None:
        _add(
            errors,
            "msc",
            _("Not a Migrant Support Centre you may open cases for.")
            if code
            else _("This field is required."),
        )
    case_type = _choice(raw, "case_type", Case.Type, errors, required=True)
    summary = _text(raw, "summary")
    if not summary:
        _add(errors, "summary", _("This field is required."))
    elif len(summary) > MAX_SUMMARY:
        _add(errors, "summary", _("At most %(n)s characters.") % {"n": MAX_SUMMARY})
    categories = _categories(raw.get("categories"), errors)
    assigned_to = None
    username = _text(raw, "assigned_to")
    if username and msc is not None:
        assigned_to = consultants_of(msc).filter(username=username).first()
        if assigned_to is None:
            _add(errors, "assigned_to", _("Not a consultant of this centre."))
    contact = None
    contact_id = _text(raw, "contact")
    if contact_id:
        contact = _contact(contact_id, user, msc, errors)
    person = _person(raw.get("person"), today, errors, "person.")
    if errors:
        raise CaseInvalid(errors)
    return CaseInput(
        msc=msc,  # type: ignore[arg-type]  # None only with an error, raised above
        case_type=case_type,
        summary=summary,
        person=person,
        categories=categories,
        assigned_to=assigned_to,
        contact=contact,
    )


def _categories(value: Any, errors: dict) -> list[Category]:
    codes = value or []
    if isinstance(codes, str):
        codes = [codes]
    if not isinstance(codes, list | tuple):
        _add(errors, "categories", _("Give the categories as a list of codes."))
        return []
    codes = [str(c).strip() for c in codes if str(c).strip()]
    found = {
        c.code: c
        for c in Category.objects.filter(code__in=codes, parent__isnull=False, active=True)
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        _add(
            errors,
            "categories",
            _("Unknown categories: %(codes)s.") % {"codes": ", ".join(u[:60] for u in unknown[:5])},
        )
    return list(dict.fromkeys(found[c] for c in codes if c in found))


def _contact(value: str, user, msc: Office | None, errors: dict) -> Contact | None:
    contact = None
    if value.isdigit() and len(value) < 19:
        contact = (
            Contact.objects.visible_to(user)
            .data_calls()
            .select_related("caller")
            .filter(pk=int(value))
            .first()
        )
    if contact is None or (msc is not None and contact.msc_id != msc.pk):
        _add(errors, "contact", _("Not a conversation of this centre that you may see."))
        return None
    if contact.case_id is not None:
        _add(errors, "contact", _("This contact already belongs to a case."))
        return None
    return contact


@transaction.atomic
def open_case(user, data: CaseInput) -> Case:
    """Open a checked case with its first person; the contact it grows from joins it."""
    case = Case.objects.create(
        msc=data.msc,
        case_type=data.case_type,
        summary=data.summary,
        assigned_to=data.assigned_to,
        opened_by=user,
    )
    if data.categories:
        case.categories.set(data.categories)
    caller = data.contact.caller if data.contact else None
    CasePerson.objects.create(case=case, caller=caller, **_person_values(data.person))
    if data.contact is not None:
        data.contact.case = case
        data.contact.save(update_fields=["case"])
    CaseEvent.objects.create(
        case=case,
        user=user,
        kind=CaseEvent.Kind.OPENED,
        to_status=case.status,
        comment=data.summary,
    )
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.CREATE,
        obj=case,
        changes={
            "msc": data.msc.code,
            "case_type": data.case_type,
            "contact": data.contact.pk if data.contact else None,
        },
    )
    return case


# --- notes, documents, the consultant -------------------------------------------------------


@transaction.atomic
def add_note(case: Case, user, text: str, *, sensitive: bool = False) -> CaseNote:
    """A note on the case; a sensitive one is read only with helpdesk.view_case_sensitive."""
    text = (text or "").strip()
    if not text:
        raise CaseInvalid({"text": [_("This field is required.")]})
    if len(text) > MAX_NOTE:
        raise CaseInvalid({"text": [_("At most %(n)s characters.") % {"n": MAX_NOTE}]})
    if "\x00" in text:
        raise CaseInvalid({"text": [_("Contains a NUL character.")]})
    note = CaseNote.objects.create(case=case, text=text, sensitive=sensitive, written_by=user)
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.CREATE,
        obj=note,
        changes={"case": case.pk, "sensitive": sensitive},
    )
    return note


def document_type(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PDF, JPEG or PNG file from its first bytes."""
    for magic, extension, content_type in DOCUMENT_TYPES:
        if head.startswith(magic):
            return extension, content_type
    return None


def clean_file_name(name: str) -> str:
    """The uploaded file's name as shown on the page: no folders, no control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "document"


@transaction.atomic
def add_document(case: Case, user, upload, *, title: str = "") -> CaseDocument:
    """Keep an uploaded file with the case (PDF, JPEG or PNG, at most 10 MB), stored under the
    data folder by the case's id and the file's hash (like the scans), never under its name."""
    errors: dict[str, list[str]] = {}
    if upload is None:
        raise CaseInvalid({"file": [_("Choose a file.")]})
    # The size is known before the file is read: a big one is refused without reading it.
    if upload.size > MAX_DOCUMENT_BYTES:
        raise CaseInvalid(
            {
                "file": [
                    _("The file is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // 2**20}
                ]
            }
        )
    content = upload.read()
    kind = document_type(content[:16])
    if kind is None:
        _add(errors, "file", _("Only PDF, JPEG and PNG files are kept."))
    original = clean_file_name(getattr(upload, "name", ""))
    title = (title or "").strip() or original
    if len(title) > 200 or "\x00" in title:
        _add(errors, "title", _("At most %(n)s characters.") % {"n": 200})
    if errors or kind is None:
        raise CaseInvalid(errors)
    extension, content_type = kind
    document = CaseDocument(
        case=case,
        title=title,
        original_name=original,
        extension=extension,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    document.file.save(original, ContentFile(content), save=False)
    document.save()
    CaseEvent.objects.create(case=case, user=user, kind=CaseEvent.Kind.DOCUMENT, comment=title)
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.CREATE,
        obj=document,
        changes={"case": case.pk, "content_type": content_type, "size": len(content)},
    )
    return document


@transaction.atomic
def assign(case: Case, consultant, by) -> CaseEvent:
    """Give the case to a consultant of its centre (or to nobody, with None)."""
    if consultant is not None and not consultants_of(case.msc).filter(pk=consultant.pk).exists():
        raise CaseInvalid({"assigned_to": [_("Not a consultant of this centre.")]})
    before = case.assigned_to_id
    case.assigned_to = consultant
    case.save(update_fields=["assigned_to", "updated_at"])
    AuditEvent.record(
        user=by,
        action=AuditEvent.Action.UPDATE,
        obj=case,
        changes={"assigned_to": [before, consultant.pk if consultant else None]},
    )
    return CaseEvent.objects.create(
        case=case,
        user=by,
        kind=CaseEvent.Kind.ASSIGNED,
        comment=(consultant.get_full_name() or consultant.username) if consultant else "",
    )


# --- search before create ---------------------------------------------------------------------


def people_visible_to(user):
    """The people of the cases `user` may see (the rule of `Case.objects.visible_to`, applied
    through the join: `case__in=<subquery>` made SQLite read every case, 385 ms at 200,000
    cases, against 17 ms)."""
    if not user.is_authenticated or not user.has_perm("helpdesk.view_case"):
        return CasePerson.objects.none()
    return restrict_to_scope(
        CasePerson.objects.all(), user, app=APP, organisation_field="case__msc"
    )


def search_people(user, *, phone: str = "", name: str = "", passport: str = "") -> list[CasePerson]:
    """The people in the cases the user may see who match the phone number, the name (a part of
    it, any case) or the passport, so that a second case is not opened for the same client.
    Raises CaseInvalid for a query that is empty or not a number. The audit records which
    criteria were used, never their values."""
    errors: dict[str, list[str]] = {}
    for bad in nul_fields({"phone": phone, "name": name, "passport": passport}):
        _add(errors, bad, _("Contains a NUL character."))
    if errors:
        raise CaseInvalid(errors)
    criteria = Q()
    if phone.strip():
        try:
            criteria |= Q(phone=normalise_phone(phone))
        except InvalidPhone:
            _add(errors, "phone", _("Not a phone number."))
    key = " ".join(name.casefold().split())
    if key:
        if len(key) < 3:
            _add(errors, "name", _("Type at least 3 letters of the name."))
        criteria |= Q(name_key__contains=key[:MAX_NAME])
    if passport.strip():
        criteria |= Q(passport=normalise_passport(passport)[:20])
    if not errors and not criteria:
        _add(errors, "phone", _("Give a phone number, a name or a passport number."))
    if errors:
        raise CaseInvalid(errors)
    found = list(
        people_visible_to(user)
        .filter(criteria)
        .select_related("case", "case__assigned_to")
        .order_by("-case__opened_at", "id")[:MAX_SEARCH_RESULTS]
    )
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.SEARCH,
        object_type="helpdesk.caseperson",
        query={
            "phone": bool(phone.strip()),
            "name": bool(key),
            "passport": bool(passport.strip()),
            "found": len(found),
        },
    )
    return found


# --- the timeline -------------------------------------------------------------------------------

# The workflow's steps by name, as buttons and the timeline say them.
ACTION_LABELS = {
    "start_assessment": gettext_lazy("Start the assessment"),
    "start_plan": gettext_lazy("Go on to the plan"),
    "submit_plan": gettext_lazy("Submit the plan for approval"),
    "approve_plan": gettext_lazy("Approve the plan"),
    "return_plan": gettext_lazy("Return the plan"),
    "start_follow_up": gettext_lazy("Start the follow-up"),
    "request_closure": gettext_lazy("Ask to close the case"),
    "approve_closure": gettext_lazy("Approve the closure"),
    "return_closure": gettext_lazy("Keep the case open"),
    "reopen": gettext_lazy("Reopen the case"),
    "send": gettext_lazy("referral sent"),
    "accept": gettext_lazy("referral accepted"),
    "reject": gettext_lazy("referral rejected"),
    "complete": gettext_lazy("referral done"),
    "revoke": gettext_lazy("referral revoked"),
}


@dataclass
class TimelineEntry:
    at: datetime.datetime
    who: str
    what: str
    text: str = ""
    withheld: bool = False


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def timeline(case: Case, user) -> list[TimelineEntry]:
    """The case's contacts, notes, services, referrals and status changes, newest first, each
    with who and when; what the user may not read (sensitive notes, contact notes, what was
    said in a service) is withheld, its existence shown."""
    sensitive = user.has_perm("helpdesk.view_case_sensitive")
    entries: list[TimelineEntry] = []
    for contact in case.contacts.select_related("created_by").prefetch_related("categories"):
        topics = "; ".join(str(c.name) for c in contact.categories.all())
        entries.append(
            TimelineEntry(
                contact.received_at,
                _who(contact.created_by),
                _("Contact: %(channel)s") % {"channel": contact.get_channel_display()},
                " · ".join(filter(None, [topics, str(contact.get_outcome_display())])),
            )
        )
    for note in case.notes.select_related("written_by"):
        hidden = note.sensitive and not sensitive
        entries.append(
            TimelineEntry(
                note.written_at,
                _who(note.written_by),
                _("Sensitive note") if note.sensitive else _("Note"),
                "" if hidden else note.text,
                withheld=hidden,
            )
        )
    for service in case.services.select_related("given_by", "person"):
        entries.append(
            TimelineEntry(
                service.recorded_at,
                _who(service.given_by),
                _("Service: %(kind)s, %(date)s")
                % {"kind": service.get_kind_display(), "date": service.given_on.isoformat()},
                service.notes if sensitive else "",
                withheld=bool(service.notes) and not sensitive,
            )
        )
    for event in case.events.select_related("user", "referral__partner"):
        entries.append(TimelineEntry(event.at, _who(event.user), *_event_text(event)))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _event_text(event: CaseEvent) -> tuple[str, str]:
    statuses: dict[str, Any] = dict(Case.Status.choices)
    if event.kind == CaseEvent.Kind.STATUS:
        what = str(ACTION_LABELS.get(event.action, event.action))
        moved = f"{statuses.get(event.from_status, '')} → {statuses.get(event.to_status, '')}"
        return what, " · ".join(filter(None, [moved, event.comment]))
    if event.kind == CaseEvent.Kind.REFERRAL and event.referral is not None:
        what = f"{ACTION_LABELS.get(event.action, event.action)}: {event.referral.partner.name}"
        return what, event.comment
    return str(event.get_kind_display()), event.comment


# --- the case's own fields ---------------------------------------------------------------------

MAX_TEXT = 10_000
CASE_TEXTS = ("assessment", "plan", "psychological", "health", "trafficking")


@transaction.atomic
def update_case(case: Case, raw: dict[str, Any], user) -> list[str]:
    """Change the case's assessment, plan, sensitive details, next follow-up date and result
    (what the workflow's steps ask for). Only the fields in `raw` change; a sensitive field the
    user may not read is refused. Returns the names of the fields that changed; the audit names
    them without repeating what was written."""
    errors: dict[str, list[str]] = {}
    hidden = hidden_fields(Case, user)
    values: dict[str, Any] = {}
    for name in nul_fields(raw):
        _add(errors, name, _("Contains a NUL character."))
    if errors:
        raise CaseInvalid(errors)
    for name in CASE_TEXTS:
        if name not in raw:
            continue
        if name in hidden:
            _add(errors, name, _("You may not change this field."))
            continue
        text = str(raw[name] or "").strip()
        if len(text) > MAX_TEXT:
            _add(errors, name, _("At most %(n)s characters.") % {"n": MAX_TEXT})
        values[name] = text
    if "follow_up_due" in raw:
        text = str(raw["follow_up_due"] or "").strip()
        values["follow_up_due"] = None
        if text:
            try:
                values["follow_up_due"] = parse_iso_date(text)
            except ValueError:
                _add(errors, "follow_up_due", _("Give a date as YYYY-MM-DD."))
    for name, choices in (
        ("closure", Case.Closure),
        ("barred_path", Case.BarredPath),
        ("barred_outcome", Case.BarredOutcome),
    ):
        if name in raw:
            values[name] = _choice(raw, name, choices, errors)
            if name.startswith("barred") and values[name] and case.case_type != Case.Type.BARRED:
                _add(errors, name, _("Only for the case of a citizen barred from Russia."))
    if errors:
        raise CaseInvalid(errors)
    changed = [name for name, value in values.items() if getattr(case, name) != value]
    if changed:
        for name in changed:
            setattr(case, name, values[name])
        case.save(update_fields=[*changed, "updated_at"])
        AuditEvent.record(
            user=user,
            action=AuditEvent.Action.UPDATE,
            obj=case,
            changes={name: ["…", "…"] for name in changed},
        )
    return changed
