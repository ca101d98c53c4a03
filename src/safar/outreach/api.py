"""The outreach API: `POST /api/outreach/sessions` records a session, `GET` lists them; the same
for trainings (`/api/outreach/trainings`), with each topic's average knowledge gain.

MSC consultants and supervisors (their own organisation's), the coordinator (every
organisation's, read only) and administrators; by web session (with CSRF) or `Authorization:
Token …`. A body with any error is a 400 naming every bad field, and nothing is stored.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from safar.core.api import ERRORS, ApiError, user_auth
from safar.core.dates import parse_iso_date

from .access import can_read, can_record, organisations_for
from .models import MAX_MATERIALS, MAX_PEOPLE, Session, Training
from .services import (
    OutreachInvalid,
    clean_session,
    clean_training,
    record_session,
    record_training,
)

router = Router(
    tags=["outreach"],
    auth=user_auth(can_read, gettext_lazy("You may not use outreach.")),
)

LIST_LIMIT = 1000


# The bounds, the kinds and the dates are described here for the OpenAPI document and checked by
# services.clean_session, so that one 400 names every bad field in the user's language (a
# pydantic bound would stop at the first layer, in English), unknown keys included.
def _iso_date():
    return Field(..., description="YYYY-MM-DD, not in the future.", examples=["2026-11-10"])


class SessionIn(Schema):
    org: str = Field(..., max_length=16, description="MSC-… or MS.", examples=["MSC-KU"])
    held_on: str = _iso_date()
    kind: str = Field(..., max_length=12, json_schema_extra={"enum": list(Session.Kind.values)})
    district: str = Field("", max_length=12, description="A district code, e.g. KT-KUL.")
    jamoat: str = Field("", max_length=200)
    topics: list[str] = Field(
        [], max_length=20, description="Contact categories.", examples=[["entry_ban/explain"]]
    )
    partners: list[str] = Field([], max_length=20, description="Organisation codes (IOM-TJ).")
    participants: dict[str, int] = Field(
        {},
        description=f"Women (F) and men (M) taking part, each 0 … {MAX_PEOPLE:,}.",
        examples=[{"F": 40, "M": 60}],
    )
    materials: dict[str, int] = Field(
        {},
        description="Handed out, by kind: booklet, flyer, film_showing, poster "
        f"(each 0 … {MAX_MATERIALS:,}).",
        examples=[{"booklet": 100, "flyer": 50}],
    )
    programme: str = Field("", max_length=200, description="Radio or TV only.")
    notes: str = Field("", max_length=5000)


class DayCallsOut(Schema):
    date: str
    data: int
    non_data: int


class HotlineCallsOut(Schema):
    day: DayCallsOut
    next_day: DayCallsOut


class SessionOut(Schema):
    id: int
    org: str
    held_on: str
    kind: str
    district: str | None
    jamoat: str
    topics: list[str]
    partners: list[str]
    participants: dict[str, int]
    materials: dict[str, int]
    programme: str
    notes: str
    hotline_calls: HotlineCallsOut | None = Field(
        None, description="Radio and TV: the hotline's contacts that day and the next."
    )


class SessionList(Schema):
    count: int
    truncated: bool
    sessions: list[SessionOut]


class ScoreIn(Schema):
    before: int = Field(..., description="Right answers before the training (0 … questions).")
    after: int = Field(..., description="Right answers after it.")


class TraineeIn(Schema):
    name: str = Field(..., max_length=200)
    organisation: str = Field(..., max_length=200)
    position: str = Field("", max_length=200)
    sex: str = Field(..., max_length=1, json_schema_extra={"enum": ["F", "M"]})
    scores: dict[str, ScoreIn] = Field({}, description="By topic code.")


class TrainingIn(Schema):
    org: str = Field(..., max_length=16, examples=["MSC-KU"])
    title: str = Field(..., max_length=200)
    starts_on: str = _iso_date()
    ends_on: str = _iso_date()
    district: str = Field("", max_length=12)
    topics: list[str] = Field(..., max_length=20, description="Category groups, e.g. entry_ban.")
    notes: str = Field("", max_length=5000)
    trainees: list[TraineeIn] = Field([], max_length=500)


class GainOut(Schema):
    topic: str
    trainees: int
    before_pct: float
    after_pct: float
    gain_pct: float


class TrainingOut(Schema):
    id: int
    org: str
    title: str
    starts_on: str
    ends_on: str
    topics: list[str]
    trainees: int
    gains: list[GainOut]


class TrainingList(Schema):
    count: int
    trainings: list[TrainingOut]


def session_json(session: Session) -> dict:
    calls = session.hotline_calls()
    return {
        "id": session.pk,
        "org": session.org.code,
        "held_on": session.held_on.isoformat(),
        "kind": session.kind,
        "district": session.district_id,
        "jamoat": session.jamoat,
        "topics": sorted(t.code for t in session.topics.all()),
        "partners": sorted(p.code for p in session.partners.all()),
        "participants": {"F": session.participants_f, "M": session.participants_m},
        "materials": session.materials(),
        "programme": session.programme,
        "notes": session.notes,
        "hotline_calls": None
        if calls is None
        else {
            name: {"date": day.on.isoformat(), "data": day.data, "non_data": day.non_data}
            for name, day in (("day", calls.day), ("next_day", calls.next_day))
        },
    }


def training_json(training: Training) -> dict:
    return {
        "id": training.pk,
        "org": training.org.code,
        "title": training.title,
        "starts_on": training.starts_on.isoformat(),
        "ends_on": training.ends_on.isoformat(),
        "topics": sorted(t.code for t in training.topics.all()),
        "trainees": training.trainees.count(),
        "gains": [
            {
                "topic": g.topic,
                "trainees": g.trainees,
                "before_pct": round(g.before_pct, 1),
                "after_pct": round(g.after_pct, 1),
                "gain_pct": g.gain_pct,
            }
            for g in training.gains()
        ],
    }


def _refuse_unless_recorder(request: HttpRequest) -> None:
    if not can_record(request.user):
        # The coordinator reads every organisation's sessions but records none.
        raise ApiError(403, "forbidden", _("You may not record outreach."))


@router.post(
    "/outreach/sessions", response={201: SessionOut, **ERRORS}, url_name="outreach_sessions"
)
def create_session(request: HttpRequest, payload: SessionIn):
    """Record a session held by the user's organisation."""
    _refuse_unless_recorder(request)
    try:
        data = clean_session(payload.model_dump(), user=request.user, today=timezone.localdate())
    except OutreachInvalid as exc:
        raise ApiError(400, "invalid", _("The request has errors."), exc.fields) from None
    return Status(201, session_json(record_session(user=request.user, data=data)))


def _day(value: str | None, name: str, errors: dict) -> datetime.date | None:
    if not value:
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        errors[name] = [_("Give a date as YYYY-MM-DD.")]
        return None


@router.get(
    "/outreach/sessions", response={200: SessionList, **ERRORS}, url_name="outreach_sessions"
)
def list_sessions(
    request: HttpRequest,
    org: str | None = Query(None, max_length=16, description="An organisation code."),
    date_from: str | None = Query(None, alias="from", description="YYYY-MM-DD, held on or after."),
    date_to: str | None = Query(None, alias="to", description="YYYY-MM-DD, held on or before."),
    kind: str | None = Query(None, max_length=12),
):
    """The sessions the user may see, latest first (at most 1,000)."""
    errors: dict[str, list[str]] = {}
    found = Session.objects.visible_to(request.user)
    for name, value in (("org", org), ("kind", kind)):
        if value and "\x00" in value:
            # PostgreSQL cannot compare text holding NUL: a field error, not a 500.
            errors[name] = [_("Contains a NUL character.")]
    if errors:
        raise ApiError(400, "invalid", _("The request has errors."), errors)
    if org:
        if not organisations_for(request.user).filter(code=org.upper()).exists():
            errors["org"] = [_("Not an organisation you may see.")]
        found = found.filter(org__code=org.upper())
    if kind:
        if kind not in Session.Kind.values:
            errors["kind"] = [_("Not a kind of session.")]
        found = found.filter(kind=kind)
    start, end = _day(date_from, "from", errors), _day(date_to, "to", errors)
    if errors:
        raise ApiError(400, "invalid", _("The request has errors."), errors)
    if start:
        found = found.filter(held_on__gte=start)
    if end:
        found = found.filter(held_on__lte=end)
    rows = list(
        found.select_related("org").prefetch_related("topics", "partners")[: LIST_LIMIT + 1]
    )
    return {
        "count": min(len(rows), LIST_LIMIT),
        "truncated": len(rows) > LIST_LIMIT,
        "sessions": [session_json(s) for s in rows[:LIST_LIMIT]],
    }


@router.post(
    "/outreach/trainings", response={201: TrainingOut, **ERRORS}, url_name="outreach_trainings"
)
def create_training(request: HttpRequest, payload: TrainingIn):
    """Record a training with its trainees and their knowledge check scores (right answers out
    of the topic's questions in the bank)."""
    _refuse_unless_recorder(request)
    try:
        data = clean_training(payload.model_dump(), user=request.user, today=timezone.localdate())
    except OutreachInvalid as exc:
        raise ApiError(400, "invalid", _("The request has errors."), exc.fields) from None
    return Status(201, training_json(record_training(user=request.user, data=data)))


@router.get(
    "/outreach/trainings", response={200: TrainingList, **ERRORS}, url_name="outreach_trainings"
)
def list_trainings(request: HttpRequest):
    """The trainings the user may see, latest first, with each topic's average gain."""
    rows = (
        Training.objects.visible_to(request.user)
        .select_related("org")
        .prefetch_related("topics")[:LIST_LIMIT]
    )
    return {"count": len(rows), "trainings": [training_json(t) for t in rows]}
