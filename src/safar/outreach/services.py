"""Recording a session or a training: one checked input, one transaction, one audit event.

The API and the web form hand the same raw values (the API's JSON shape) to `clean_session` or
`clean_training`, which report every error at once by field (names as in the JSON:
"participants.F", "trainees[0].sex"); nothing is written while any remains."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safar.core.dates import parse_iso_date
from safar.core.models import AuditEvent, District, Office

from .access import organisations_for
from .models import (
    EARLIEST,
    MAX_MATERIALS,
    MAX_PEOPLE,
    Question,
    Score,
    Session,
    Sex,
    Trainee,
    Training,
)

MAX_TEXT = 200
MAX_NOTES = 5000
MAX_TOPICS = 20
MAX_TRAINEES = 500
SEXES = ("F", "M")


class OutreachInvalid(ValueError):
    """The input has errors: {field name: [message, …]}."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def _text(raw: dict, name: str, errors: _Errors, *, limit: int = MAX_TEXT, required=False) -> str:
    value = raw.get(name)
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        errors.add(name, _("Contains a NUL character."))
        return ""
    if required and not text:
        errors.add(name, _("This field is required."))
    elif len(text) > limit:
        errors.add(name, _("At most %(n)s characters.") % {"n": limit})
    return text


def _count(value: Any, name: str, errors: _Errors, *, limit: int) -> int:
    """A whole number 0 … limit; empty is 0."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        errors.add(name, _("Give a whole number."))
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add(name, _("Give a whole number."))
        return 0
    if not 0 <= number <= limit:
        errors.add(name, _("Give a number from 0 to %(n)s.") % {"n": f"{limit:,}"})
        return 0
    return number


def _date(value: Any, name: str, errors: _Errors, today: datetime.date) -> datetime.date | None:
    """A date from the programme's start to today, given as a date or YYYY-MM-DD."""
    if value in (None, ""):
        errors.add(name, _("This field is required."))
        return None
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = parse_iso_date(str(value))
        except ValueError:
            errors.add(name, _("Give a date as YYYY-MM-DD."))
            return None
    if day < EARLIEST:
        errors.add(name, _("Not before %(date)s.") % {"date": EARLIEST.isoformat()})
    elif day > today:
        errors.add(name, _("Not in the future: record it once it is held."))
    return day


def _codes(value: Any, name: str, errors: _Errors) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        errors.add(name, _("Give a list of codes."))
        return []
    if len(value) > MAX_TOPICS:
        errors.add(name, _("At most %(n)s.") % {"n": MAX_TOPICS})
        return []
    codes = [str(code).strip() for code in value]
    if any("\x00" in code for code in codes):
        # PostgreSQL cannot compare text holding NUL: refused here, not a 500 there.
        errors.add(name, _("Contains a NUL character."))
        return []
    return list(dict.fromkeys(code for code in codes if code))


def _organisation(raw: dict, user, permission: str, errors: _Errors) -> Office | None:
    code = _text(raw, "org", errors, limit=16, required=True)
    if not code:
        return None
    found = organisations_for(user, permission).filter(code=code.upper()).first()
    if found is None:
        errors.add("org", _("Not an organisation whose outreach you may record."))
    return found


def _district(raw: dict, errors: _Errors) -> District | None:
    code = _text(raw, "district", errors, limit=12)
    if not code:
        return None
    found = District.objects.filter(code=code.upper()).first()
    if found is None:
        errors.add("district", _("Not a district or city code."))
    return found


def _topics(raw: dict, errors: _Errors, *, groups_only: bool = False) -> list:
    from safar.helpdesk.models import Category

    codes = _codes(raw.get("topics"), "topics", errors)
    found = Category.objects.filter(code__in=codes, active=True)
    if groups_only:
        found = found.filter(parent__isnull=True)
    by_code = {c.code: c for c in found}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        errors.add("topics", _("Not a topic: %(codes)s.") % {"codes": ", ".join(unknown)})
    return [by_code[code] for code in codes if code in by_code]


@dataclass
class SessionInput:
    org: Office
    held_on: datetime.date
    kind: str
    district: District | None = None
    jamoat: str = ""
    topics: list = field(default_factory=list)
    partners: list[Office] = field(default_factory=list)
    participants_f: int = 0
    participants_m: int = 0
    materials: dict[str, int] = field(default_factory=dict)
    programme: str = ""
    notes: str = ""


def clean_session(raw: dict[str, Any], *, user, today: datetime.date) -> SessionInput:
    """The session's values checked, or OutreachInvalid with every error by field."""
    errors = _Errors()
    org = _organisation(raw, user, "outreach.add_session", errors)
    held_on = _date(raw.get("held_on"), "held_on", errors, today)
    kind = _text(raw, "kind", errors, limit=12, required=True)
    if kind and kind not in Session.Kind.values:
        errors.add("kind", _("Not a kind of session."))
    district = _district(raw, errors)
    jamoat = _text(raw, "jamoat", errors)
    topics = _topics(raw, errors)
    partner_codes = [c.upper() for c in _codes(raw.get("partners"), "partners", errors)]
    partners = list(Office.objects.filter(code__in=partner_codes))
    unknown = sorted(set(partner_codes) - {p.code for p in partners})
    if unknown:
        errors.add("partners", _("Not an organisation: %(codes)s.") % {"codes": ", ".join(unknown)})
    participants = raw.get("participants") or {}
    if not isinstance(participants, dict):
        errors.add("participants", _("Give the numbers of women (F) and men (M)."))
        participants = {}
    for key in set(participants) - set(SEXES):
        errors.add(f"participants.{key}", _("Only F and M are counted."))
    counts = {
        sex: _count(participants.get(sex), f"participants.{sex}", errors, limit=MAX_PEOPLE)
        for sex in SEXES
    }
    materials_raw = raw.get("materials") or {}
    if not isinstance(materials_raw, dict):
        errors.add("materials", _("Give the materials by kind."))
        materials_raw = {}
    for key in set(materials_raw) - set(Session.MATERIALS):
        errors.add(f"materials.{key}", _("Not a kind of material."))
    materials = {
        kind_: _count(materials_raw.get(kind_), f"materials.{kind_}", errors, limit=MAX_MATERIALS)
        for kind_ in Session.MATERIALS
    }
    programme = _text(raw, "programme", errors)
    if programme and kind not in Session.BROADCAST:
        errors.add("programme", _("Only a radio or TV programme has a programme name."))
    notes = _text(raw, "notes", errors, limit=MAX_NOTES)
    if errors:
        raise OutreachInvalid(dict(errors))
    assert org is not None and held_on is not None
    return SessionInput(
        org=org,
        held_on=held_on,
        kind=kind,
        district=district,
        jamoat=jamoat,
        topics=topics,
        partners=partners,
        participants_f=counts["F"],
        participants_m=counts["M"],
        materials=materials,
        programme=programme,
        notes=notes,
    )


@transaction.atomic
def record_session(*, user, data: SessionInput) -> Session:
    session = Session.objects.create(
        org=data.org,
        held_on=data.held_on,
        kind=data.kind,
        district=data.district,
        jamoat=data.jamoat,
        participants_f=data.participants_f,
        participants_m=data.participants_m,
        programme=data.programme,
        notes=data.notes,
        created_by=user,
        **{Session.MATERIALS[kind]: n for kind, n in data.materials.items()},
    )
    session.topics.set(data.topics)
    session.partners.set(data.partners)
    AuditEvent.record(user=user, action=AuditEvent.Action.CREATE, obj=session)
    return session


# --- trainings -------------------------------------------------------------------------------


@dataclass
class TraineeInput:
    name: str
    organisation: str
    position: str
    sex: str
    # topic code → (right before, right after)
    scores: dict[str, tuple[int, int]]


@dataclass
class TrainingInput:
    org: Office
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    district: District | None
    topics: list
    notes: str
    trainees: list[TraineeInput]
    # topic code → the questions of its knowledge check
    questions: dict[str, int]


def bank_sizes(topics) -> dict[str, int]:
    """The active questions of each topic's knowledge check."""
    sizes = dict.fromkeys((t.code for t in topics), 0)
    for question in Question.objects.filter(topic__in=topics, active=True):
        sizes[question.topic_id] += 1
    return sizes


def _trainee(raw: Any, at: str, topic_sizes: dict[str, int], errors: _Errors):
    if not isinstance(raw, dict):
        errors.add(at, _("Give the trainee's name, organisation, position and sex."))
        return None
    sub = _Errors()
    name = _text(raw, "name", sub, required=True)
    organisation = _text(raw, "organisation", sub, required=True)
    position = _text(raw, "position", sub)
    sex = _text(raw, "sex", sub, limit=1, required=True)
    if sex and sex not in SEXES:
        sub.add("sex", _("F or M."))
    scores: dict[str, tuple[int, int]] = {}
    given = raw.get("scores") or {}
    if not isinstance(given, dict):
        sub.add("scores", _("Give the scores by topic."))
        given = {}
    for topic, pair in given.items():
        if topic not in topic_sizes:
            sub.add(f"scores.{topic}", _("Not a topic of this training."))
            continue
        if not isinstance(pair, dict):
            sub.add(f"scores.{topic}", _("Give the right answers before and after."))
            continue
        limit = topic_sizes[topic]
        before = _count(pair.get("before"), f"scores.{topic}.before", sub, limit=limit)
        after = _count(pair.get("after"), f"scores.{topic}.after", sub, limit=limit)
        scores[topic] = (before, after)
    for name_, messages in sub.items():
        for message in messages:
            errors.add(f"{at}.{name_}", message)
    return TraineeInput(name, organisation, position, sex, scores)


def clean_training(raw: dict[str, Any], *, user, today: datetime.date) -> TrainingInput:
    errors = _Errors()
    org = _organisation(raw, user, "outreach.add_training", errors)
    title = _text(raw, "title", errors, required=True)
    starts_on = _date(raw.get("starts_on"), "starts_on", errors, today)
    ends_on = _date(raw.get("ends_on") or raw.get("starts_on"), "ends_on", errors, today)
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", _("The end is before the start."))
    district = _district(raw, errors)
    topics = _topics(raw, errors, groups_only=True)
    if not topics and "topics" not in errors:
        errors.add("topics", _("This field is required."))
    sizes = bank_sizes(topics)
    for code, size in sizes.items():
        if not size:
            errors.add("topics", _("No knowledge check questions on %(topic)s.") % {"topic": code})
    notes = _text(raw, "notes", errors, limit=MAX_NOTES)
    trainees_raw = raw.get("trainees") or []
    if not isinstance(trainees_raw, list) or len(trainees_raw) > MAX_TRAINEES:
        errors.add("trainees", _("Give at most %(n)s trainees.") % {"n": MAX_TRAINEES})
        trainees_raw = []
    trainees = [
        _trainee(item, f"trainees[{i}]", {c: s for c, s in sizes.items() if s}, errors)
        for i, item in enumerate(trainees_raw)
    ]
    if errors:
        raise OutreachInvalid(dict(errors))
    assert org is not None and starts_on is not None and ends_on is not None
    return TrainingInput(
        org=org,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        district=district,
        topics=topics,
        notes=notes,
        trainees=[t for t in trainees if t is not None],
        questions=sizes,
    )


def clean_trainee(training: Training, raw: dict[str, Any]) -> tuple[TraineeInput, dict[str, int]]:
    """One trainee added to a recorded training, with their scores on its topics (the bank's
    questions now): the input and each topic's number of questions, or OutreachInvalid."""
    errors = _Errors()
    sizes = {code: n for code, n in bank_sizes(training.topics.all()).items() if n}
    trainee = _trainee(raw, "trainee", sizes, errors)
    if errors or trainee is None:
        # The form names its fields without the prefix: "name", "scores.entry_ban.before".
        raise OutreachInvalid(
            {name.removeprefix("trainee."): found for name, found in errors.items()}
        )
    return trainee, sizes


@transaction.atomic
def add_trainee(*, user, training: Training, data: TraineeInput, sizes: dict[str, int]) -> Trainee:
    trainee = Trainee.objects.create(
        training=training,
        name=data.name,
        organisation=data.organisation,
        position=data.position,
        sex=Sex(data.sex),
    )
    Score.objects.bulk_create(
        Score(trainee=trainee, topic_id=topic, questions=sizes[topic], before=b, after=a)
        for topic, (b, a) in data.scores.items()
    )
    AuditEvent.record(user=user, action=AuditEvent.Action.CREATE, obj=trainee)
    return trainee


@transaction.atomic
def record_training(*, user, data: TrainingInput) -> Training:
    training = Training.objects.create(
        org=data.org,
        title=data.title,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        district=data.district,
        notes=data.notes,
        created_by=user,
    )
    training.topics.set(data.topics)
    for item in data.trainees:
        trainee = Trainee.objects.create(
            training=training,
            name=item.name,
            organisation=item.organisation,
            position=item.position,
            sex=Sex(item.sex),
        )
        Score.objects.bulk_create(
            Score(
                trainee=trainee,
                topic_id=topic,
                questions=data.questions[topic],
                before=before,
                after=after,
            )
            for topic, (before, after) in item.scores.items()
        )
    AuditEvent.record(user=user, action=AuditEvent.Action.CREATE, obj=training)
    return training
