"""Realistic synthetic helpdesk data: contacts, callers and cases shaped like the MSCs' work.

For the benchmark (`safar bench helpdesk`, a million contacts) and the demo (a month). What is
imitated, so that the timed pages meet the shapes they will meet in use:

- four MSCs with skewed volume (Dushanbe and Khujand the busiest);
- contacts over time with a daily and weekly rhythm (mornings, weekdays; Fridays and weekends
  quieter), a yearly wave (departures in early spring) and radio phone-in days that bring
  several times the usual calls;
- 25–35 % non-data calls (silent, hung up, prank, test, wrong number);
- repeat callers: a caller calls 1–8 times (Zipf-like), the later calls within weeks;
- Tajik (+992 9x…) and Russian (+7 9xx…) mobile numbers; Tajik names from common given names
  and surnames ending -ов/-ова/-зода;
- categories weighted as the MSCs hear them (entry bans first);
- cases opened from some data contacts, with their people (the migrant; for a family left
  behind, the spouse and children with their school status), statuses spread over the workflow
  with the events that led there, follow-up dates (some overdue), notes, services, referrals to
  partner organisations with their answers, and the barred citizens' paths and outcomes.

Deterministic: the same seed, sizes and `today` give the same rows. Rows are built in memory
per MSC with their ids fixed beforehand (so rows can point at each other before any is stored)
and stored in bulk, in batches (COPY on PostgreSQL, one prepared INSERT on SQLite: Django's
bulk_create spent three quarters of the load compiling SQL), bypassing `save()` — which is why
the values `save()` would derive (a case's number, a person's name key) are set here.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from safar.core.models import Office

from .contact_counts import recount_mscs
from .models import (
    Caller,
    Case,
    CaseEvent,
    CaseNote,
    CasePerson,
    Category,
    Contact,
    Referral,
    Service,
)

# Each MSC's share of the contacts and the regions its callers live in (with weights).
MSC_SHARE = {"MSC-DU": 0.37, "MSC-KH": 0.31, "MSC-KU": 0.17, "MSC-BO": 0.15}
MSC_PLACES: dict[str, tuple[tuple[str, tuple[str, ...], int], ...]] = {
    "MSC-DU": (
        ("TJ-DU", ("Сино", "Фирдавсӣ", "Шоҳмансур", "Исмоили Сомонӣ"), 60),
        ("TJ-RA", ("Ваҳдат", "Ҳисор", "Рӯдакӣ", "Турсунзода", "Файзобод"), 40),
    ),
    "MSC-KH": (
        (
            "TJ-SU",
            ("Хуҷанд", "Истаравшан", "Конибодом", "Исфара", "Панҷакент", "Бобоҷон Ғафуров"),
            100,
        ),
    ),
    "MSC-KU": (("TJ-KT", ("Кӯлоб", "Восеъ", "Данғара", "Фархор", "Мӯъминобод"), 100),),
    "MSC-BO": (("TJ-KT", ("Бохтар", "Вахш", "Ҷалолиддини Балхӣ", "Кушониён", "Ҷайҳун"), 100),),
}
# The employment office of each MSC's region, for barred citizens seeking work at home.
EMPLOYMENT_OFFICE = {"MSC-DU": "EO-DU", "MSC-KH": "EO-SU", "MSC-KU": "EO-KT", "MSC-BO": "EO-KT"}

MALE_NAMES = (
    "Фирдавс", "Манучеҳр", "Бахтовар", "Сино", "Ҷамшед", "Рустам", "Фаррух", "Далер", "Шаҳром",
    "Комрон", "Умед", "Алишер", "Беҳрӯз", "Сӯҳроб", "Зафар", "Исмоил", "Муҳаммад", "Абдулло",
    "Шерзод", "Носир", "Ҳусейн", "Парвиз", "Равшан", "Фирӯз", "Икром", "Аброр", "Дилшод", "Азиз",
    "Хуршед", "Меҳрубон",
)  # fmt: skip
FEMALE_NAMES = (
    "Фарзона", "Нигора", "Зарина", "Шаҳло", "Мавзуна", "Гулнора", "Малика", "Мадина", "Таҳмина",
    "Дилноза", "Ситора", "Фирӯза", "Парвина", "Шабнам", "Мунира", "Нилуфар", "Гулчеҳра",
    "Зулайхо", "Садбарг", "Манижа", "Ҳилола", "Лола", "Рухшона", "Мижгона", "Сабрина",
)  # fmt: skip
# Surname roots: -ов for men, -ова for women, -зода for either (the newer Tajik form).
SURNAME_ROOTS = (
    "Раҳим", "Шариф", "Карим", "Давлат", "Саид", "Ҳасан", "Олим", "Назар", "Сафар", "Юсуф",
    "Қодир", "Азиз", "Ҷалол", "Носир", "Собир", "Исмоил", "Иброҳим", "Умар", "Ҳусейн", "Рустам",
    "Ашур", "Турсун", "Ғафур", "Зокир", "Шукур", "Холмат", "Наим", "Қаюм", "Мурод", "Латиф",
)  # fmt: skip

TJ_PREFIXES = ("93", "92", "91", "90", "98", "88", "55", "50", "77")
RU_PREFIXES = ("916", "926", "903", "905", "909", "915", "925", "965", "977", "985", "999")

# What contacts are about, weighted as the MSCs hear it: entry bans first.
TOPICS = {
    "entry_ban/check": 20,
    "entry_ban/explain": 9,
    "entry_ban/appeal": 4,
    "documents/patent": 10,
    "documents/registration": 7,
    "documents/passport": 4,
    "documents/migration_card": 3,
    "work/wages_unpaid": 7,
    "work/contract": 3,
    "work/employer_abuse": 3,
    "work/injury": 1.5,
    "recruitment/vacancies": 5,
    "recruitment/agency_complaint": 1,
    "recruitment/organized": 2,
    "trafficking/forced_labour": 0.7,
    "missing_migrant/search": 1.5,
    "detention/deportation": 3,
    "family/legal": 3,
    "family/psychological": 2,
    "family/child_school": 1.5,
    "return/domestic_jobs": 4,
    "return/retraining": 2,
    "return/reintegration": 1.5,
    "health/medical": 1.5,
    "remittances/transfer": 2,
    "other/other": 3,
}
NON_DATA = {"silent": 30, "hang_up": 35, "prank": 12, "test": 5, "wrong_number": 18}
CHANNELS = {"phone": 72, "walk_in": 15, "online": 9, "outreach": 4}
# Calls by hour of the day (the centres answer 8–18; online messages come at any hour).
HOURS = (
    (0.02,) * 8
    + (0.6, 1.0, 1.3, 1.3, 0.8, 0.7, 1.1, 1.1, 0.9, 0.6, 0.25, 0.15, 0.1, 0.05)
    + (0.02,) * 2
)
WEEKDAYS = (1.2, 1.0, 1.0, 1.0, 0.85, 0.45, 0.2)  # Monday … Sunday
PHONE_IN_EVERY_DAYS = 40  # about one radio phone-in per MSC in that many days
PHONE_IN_FACTOR = 4.0
ZIPF_CALLS = tuple(k**-1.6 for k in range(1, 9))  # a caller calls k = 1…8 times

# The workflow's steps up to each working status (see models.cases).
STEPS = ("start_assessment", "start_plan", "submit_plan", "approve_plan", "start_follow_up")
STEPS_TO = {
    "open": 0,
    "assessment": 1,
    "plan": 2,
    "plan_submitted": 3,
    "services": 4,
    "follow_up": 5,
}
AFTER_STEP = {
    "start_assessment": ("open", "assessment"),
    "start_plan": ("assessment", "plan"),
    "submit_plan": ("plan", "plan_submitted"),
    "approve_plan": ("plan_submitted", "services"),
    "return_plan": ("plan_submitted", "plan"),
    "start_follow_up": ("services", "follow_up"),
}
WORKING_SPREAD = {
    "open": 8,
    "assessment": 20,
    "plan": 12,
    "plan_submitted": 6,
    "services": 24,
    "follow_up": 24,
    "closure_requested": 6,
}
CLOSURES = {
    "resolved": 45,
    "partly_resolved": 25,
    "not_resolved": 10,
    "lost_contact": 15,
    "withdrew": 5,
}
BARRED_PATHS = {"domestic_employment": 45, "retraining": 35, "organized_recruitment": 20}
BARRED_OUTCOMES = {
    "domestic_employment": {"employed": 55, "no_result": 45},
    "retraining": {"in_training": 60, "employed": 15, "no_result": 25},
    "organized_recruitment": {"departed": 60, "no_result": 40},
}
SERVICES_BY_TYPE = {
    "family": {"psychological": 35, "school": 25, "mediation": 20, "legal": 20},
    "barred": {"legal": 30, "documents": 20, "other": 50},
    "trafficking": {"psychological": 40, "legal": 40, "documents": 20},
    "migrant": {"legal": 60, "documents": 30, "other": 10},
    "missing": {"legal": 50, "psychological": 30, "other": 20},
}
PARTNERS_BY_TYPE = {
    "migrant": {"EMB-RU": 35, "IOM-MOW": 25, "FLAC": 30, "IOM-TJ": 10},
    "family": {"FLAC": 50, "IOM-TJ": 30, "MS": 20},
    "trafficking": {"IOM-TJ": 50, "IOM-MOW": 40, "FLAC": 10},
    "missing": {"EMB-RU": 50, "IOM-MOW": 35, "MS": 15},
}
BARRED_PARTNER = {
    "domestic_employment": None,  # the MSC region's employment office
    "retraining": "ATC",
    "organized_recruitment": "IOM-TJ",
}
SUMMARIES = {
    "entry_ban": (
        "Запрет на въезд в РФ до 2029 года, просит разъяснить и обжаловать",
        "Манъи вуруд ба Русия, мехоҳад сабабро фаҳмад",
        "Не может вернуться на работу в Москву из-за запрета на въезд",
    ),
    "documents": (
        "Просроченный патент, работодатель требует продления",
        "Паспорт утерян в Екатеринбурге",
        "Шиноснома дар назди корфармо мондааст",
    ),
    "work": (
        "Не выплачена зарплата за четыре месяца на стройке в Москве",
        "Музди меҳнат се моҳ пардохт нашудааст",
        "Травма на производстве, работодатель отказывается платить",
    ),
    "trafficking": (
        "Удерживают документы и не выпускают с объекта в Подмосковье",
        "Аломатҳои меҳнати маҷбурӣ дар хоҷагии деҳқонӣ",
    ),
    "missing_migrant": (
        "Сын не выходит на связь два месяца, последний раз был в Новосибирске",
        "Шавҳар аз моҳи август дар Русия бедарак аст",
    ),
    "detention": ("Задержан в Санкт-Петербурге, ждёт выдворения",),
    "family": (
        "Муж в России не присылает денег, дети перестали ходить в школу",
        "Оила бе саробон монд, кӯдакон ба мактаб намераванд",
        "Семья мигранта без средств, нужна психологическая помощь",
    ),
    "return": (
        "Вернулся после запрета на въезд, ищет работу в Таджикистане",
        "Мехоҳад ихтисоси нав омӯзад (ронандагӣ, дӯзандагӣ)",
    ),
}
NOTES = (
    "Позвонил(а) повторно, уточнили документы.",
    "Мизоҷ ҳуҷҷатҳоро овард.",
    "Связались с работодателем, ждём ответа.",
    "Бо оила тамос гирифтем.",
    "Клиент не ответил на звонок, перезвонить.",
)
SENSITIVE_NOTES = (
    "Состояние тревожное, рекомендована встреча с психологом.",
    "Ҳолати рӯҳӣ вазнин, ба равоншинос фиристода шуд.",
)


def _weighted(weights: Mapping[str, float]) -> tuple[list[str], list[float]]:
    """Values and cumulative weights, for rng.choices(values, cum_weights=…)."""
    values = list(weights)
    total, cumulative = 0.0, []
    for value in values:
        total += weights[value]
        cumulative.append(total)
    return values, cumulative


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    values, cumulative = _weighted(weights)
    return rng.choices(values, cum_weights=cumulative)[0]


@dataclass
class Staff:
    """The user ids who work at one MSC: consultants take cases, supervisors approve."""

    consultants: list[int]
    supervisors: list[int]


@dataclass
class Loaded:
    """How many rows of each kind were stored."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def __str__(self) -> str:
        return ", ".join(f"{n:,} {name}" for name, n in self.counts.items())


class _Ids:
    """The next free id of each table, so rows can point at each other before they are stored."""

    def __init__(self, *model_classes: type[models.Model]) -> None:
        self.next = {
            m: (m._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1
            for m in model_classes
        }

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


@dataclass
class _Person:
    name: str
    sex: str


def _surname(rng: random.Random, sex: str, root: str | None = None) -> str:
    root = root or rng.choice(SURNAME_ROOTS)
    if rng.random() < 0.3:
        return f"{root}зода"
    return f"{root}ова" if sex == "F" else f"{root}ов"


def _person(rng: random.Random, sex: str, root: str | None = None) -> _Person:
    given = rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES)
    return _Person(f"{given} {_surname(rng, sex, root)}", sex)


def _phone(rng: random.Random, russian: bool) -> str:
    if russian:
        return f"+7{rng.choice(RU_PREFIXES)}{rng.randrange(10**7):07d}"
    return f"+992{rng.choice(TJ_PREFIXES)}{rng.randrange(10**7):07d}"


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


class _Rhythm:
    """When contacts come to one MSC: days weighted by weekday, season and phone-in days;
    hours by the time of day."""

    def __init__(self, rng: random.Random, first_day: datetime.date, days: int) -> None:
        self.first_day = first_day
        self.days = days
        phone_ins = max(1, round(days / PHONE_IN_EVERY_DAYS))
        self.phone_in_days = set(rng.sample(range(days), min(phone_ins, days)))
        total, cumulative = 0.0, []
        for index in range(days):
            day = first_day + datetime.timedelta(days=index)
            # Departures peak in early spring, and so do the questions before them.
            season = 1 + 0.3 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 70) / 365)
            weight = WEEKDAYS[day.weekday()] * season
            if index in self.phone_in_days:
                weight *= PHONE_IN_FACTOR
            total += weight
            cumulative.append(total)
        self.day_weights = cumulative
        total, cumulative = 0.0, []
        for weight in HOURS:
            total += weight
            cumulative.append(total)
        self.hour_weights = cumulative

    def days_sample(self, rng: random.Random, n: int) -> list[int]:
        return rng.choices(range(self.days), cum_weights=self.day_weights, k=n)

    def moment(self, rng: random.Random, day_index: int, tz) -> datetime.datetime:
        day = self.first_day + datetime.timedelta(days=day_index)
        hour = rng.choices(range(24), cum_weights=self.hour_weights)[0]
        return datetime.datetime.combine(
            day, datetime.time(hour, rng.randrange(60), rng.randrange(60)), tz
        )


@dataclass
class _Batch:
    """The rows of one MSC, in the order they must be stored."""

    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    contact_categories: list[tuple[int, str]] = field(default_factory=list)
    case_categories: list[tuple[int, str]] = field(default_factory=list)

    def add(self, row: models.Model) -> None:
        self.rows.setdefault(type(row), []).append(row)


ORDER = (Caller, Case, Contact, CasePerson, CaseNote, Service, Referral, CaseEvent)


class HelpdeskGenerator:
    """Builds one MSC's callers, contacts and cases at a time (see the module's note)."""

    def __init__(
        self,
        *,
        seed: int,
        today: datetime.date,
        days: int,
        staff: dict[str, Staff],
        partner_users: dict[str, int] | None = None,
    ) -> None:
        self.seed = seed
        self.today = today
        self.days = days
        self.first_day = today - datetime.timedelta(days=days)
        self.staff = staff
        self.partner_users = partner_users or {}
        self.tz = timezone.get_current_timezone()
        self.now = datetime.datetime.combine(today, datetime.time(9, 0), self.tz)
        self.ids = _Ids(Caller, Case, Contact, CasePerson, CaseNote, Service, Referral, CaseEvent)
        self.topics = _weighted(TOPICS)
        self.partners = {o.code: o.pk for o in Office.objects.all()}

    # --- contacts and callers ---------------------------------------------------------------

    def msc_batch(self, code: str, n_contacts: int, n_cases: int) -> _Batch:
        # One generator per MSC (seeded by the seed and the MSC), so one centre's rows do not
        # change when another's sizes do.
        rng = random.Random(f"{self.seed}:{code}")
        msc_id = self.partners[code]
        staff = self.staff[code]
        rhythm = _Rhythm(rng, self.first_day, self.days)
        batch = _Batch()
        n_non_data = round(n_contacts * rng.uniform(0.25, 0.35))
        # (received_at, contact) for every contact, and each caller's contacts in time order.
        contacts: list[Contact] = []
        for day in rhythm.days_sample(rng, n_non_data):
            at = rhythm.moment(rng, day, self.tz)
            contacts.append(
                Contact(
                    msc_id=msc_id,
                    received_at=at,
                    channel="phone" if rng.random() < 0.92 else "online",
                    call_type=_pick(rng, NON_DATA),
                    created_by_id=rng.choice(staff.consultants),
                    created_at=at + datetime.timedelta(seconds=rng.randint(20, 120)),
                )
            )
        calls_of: list[list[Contact]] = []
        remaining = n_contacts - n_non_data
        firsts = rhythm.days_sample(rng, remaining)
        places = MSC_PLACES[code]
        while remaining > 0:
            calls = min(rng.choices(range(1, 9), weights=ZIPF_CALLS)[0], remaining)
            caller = self._caller(rng, msc_id, places)
            batch.add(caller)
            own: list[Contact] = []
            day = firsts[remaining - 1]
            for index in range(calls):
                if index:
                    # A repeat caller calls back within weeks; past the period's end, before.
                    gap = int(rng.expovariate(1 / 12)) + 1
                    day = day + gap if day + gap < self.days else max(0, day - gap * 2)
                own.append(
                    self._data_contact(rng, msc_id, caller, rhythm.moment(rng, day, self.tz))
                )
            own.sort(key=lambda c: c.received_at)
            caller.created_at = own[0].received_at
            calls_of.append(own)
            contacts.extend(own)
            remaining -= calls
        self._cases(rng, code, msc_id, calls_of, n_cases, batch)
        contacts.sort(key=lambda c: c.received_at)
        for contact in contacts:
            contact.id = self.ids.take(Contact)
            batch.add(contact)
            for category in getattr(contact, "_categories", ()):
                batch.contact_categories.append((contact.id, category))
        return batch

    def _caller(self, rng: random.Random, msc_id: int, places) -> Caller:
        region, districts, _weight = rng.choices(places, weights=[p[2] for p in places])[0]
        sex = rng.choices("FMU", (40, 55, 5))[0]
        russian = rng.random() < 0.3  # migrants calling from Russia
        phone = ""
        if rng.random() > 0.04:  # some walk-ins give no number
            phone = self._unique_phone(rng, msc_id, russian)
        person = _person(rng, "F" if sex == "F" else "M")
        named = not phone or rng.random() > 0.15
        caller = Caller(
            id=self.ids.take(Caller),
            msc_id=msc_id,
            phone=phone,
            name=person.name if named else "",
            sex=sex,
            age_band=rng.choices(
                ("18-24", "25-34", "35-44", "45-54", "55+", "unknown"), (18, 34, 22, 10, 6, 10)
            )[0],
            region_id=region,
            district=rng.choice(districts) if rng.random() < 0.7 else "",
            created_at=self.now,
        )
        caller._russian = russian  # type: ignore[attr-defined]
        return caller

    _phones: set[tuple[int, str]]

    def _unique_phone(self, rng: random.Random, msc_id: int, russian: bool) -> str:
        if not hasattr(self, "_phones"):
            self._phones = set()
        while True:
            phone = _phone(rng, russian)
            if (msc_id, phone) not in self._phones:
                self._phones.add((msc_id, phone))
                return phone

    def _data_contact(
        self, rng: random.Random, msc_id: int, caller: Caller, at: datetime.datetime
    ) -> Contact:
        channel = _pick(rng, CHANNELS) if caller.phone else rng.choice(("walk_in", "outreach"))
        if caller._russian:  # type: ignore[attr-defined]
            location = "RUS" if rng.random() < 0.93 else "KAZ"
        else:
            location = rng.choices(("RUS", "KAZ", "TUR", "TJK"), (68, 7, 4, 21))[0]
        topics, cumulative = self.topics
        picked = rng.choices(
            topics, cum_weights=cumulative, k=rng.choices((1, 2, 3), (70, 25, 5))[0]
        )
        contact = Contact(
            msc_id=msc_id,
            received_at=at,
            channel=channel,
            call_type="data",
            caller_id=caller.id,
            about=rng.choices(("self", "family_member", "other"), (58, 37, 5))[0],
            migrant_location_id=location,
            outcome=rng.choices(("information", "referred", "callback"), (76, 12, 12))[0],
            duration_s=int(min(3600, max(30, rng.lognormvariate(5.6, 0.6)))),
            notes=rng.choice(NOTES) if rng.random() < 0.1 else "",
            created_by_id=rng.choice(self.staff_of(msc_id).consultants),
            created_at=at + datetime.timedelta(seconds=rng.randint(60, 600)),
        )
        contact._categories = list(dict.fromkeys(picked))  # type: ignore[attr-defined]
        contact._caller = caller  # type: ignore[attr-defined]
        return contact

    def staff_of(self, msc_id: int) -> Staff:
        if not hasattr(self, "_staff_by_id"):
            self._staff_by_id = {self.partners[c]: s for c, s in self.staff.items()}
        return self._staff_by_id[msc_id]

    # --- cases ------------------------------------------------------------------------------

    def _cases(
        self,
        rng: random.Random,
        code: str,
        msc_id: int,
        calls_of: list[list[Contact]],
        n_cases: int,
        batch: _Batch,
    ) -> None:
        """Open `n_cases` cases from data contacts; a caller's later contacts join their case."""
        pool = [(i, j) for i, own in enumerate(calls_of) for j in range(len(own))]
        chosen = sorted(rng.sample(pool, min(n_cases, len(pool))))
        by_caller: dict[int, list[int]] = {}
        for i, j in chosen:
            by_caller.setdefault(i, []).append(j)
        for i, openings in by_caller.items():
            own = calls_of[i]
            for number, j in enumerate(openings):
                contact = own[j]
                case = self._case(rng, code, msc_id, contact, batch)
                contact.outcome = "case_opened"
                contact.case_id = case.id
                # The caller's later calls (until the next case, while this one is open) are
                # about this case.
                last = openings[number + 1] if number + 1 < len(openings) else len(own)
                for later in own[j + 1 : last]:
                    if case.closed_at is None or later.received_at < case.closed_at:
                        later.case_id = case.id
                        if later.outcome == "referred":
                            later.outcome = "information"

    def _case(
        self, rng: random.Random, code: str, msc_id: int, contact: Contact, batch: _Batch
    ) -> Case:
        staff = self.staff[code]
        caller: Caller = contact._caller  # type: ignore[attr-defined]
        categories: list[str] = contact._categories  # type: ignore[attr-defined]
        group = categories[0].split("/")[0]
        case_type = self._case_type(rng, group, contact.migrant_location_id)
        opened_at = contact.created_at + datetime.timedelta(minutes=rng.randint(1, 30))
        age = (self.now - opened_at).days
        status = self._status(rng, age)
        consultant = rng.choice(staff.consultants)
        supervisor = rng.choice(staff.supervisors)
        case = Case(
            id=self.ids.take(Case),
            msc_id=msc_id,
            case_type=case_type,
            status=status,
            assigned_to_id=consultant,
            summary=rng.choice(SUMMARIES.get(group, SUMMARIES["work"])),
            opened_at=opened_at,
            opened_by_id=contact.created_by_id,
        )
        case.number = f"{code}-{timezone.localtime(opened_at):%Y}-{case.id:06d}"
        batch.add(case)
        batch.case_categories.extend((case.id, c) for c in categories)
        # The life of the case so far: the transitions and when they happened.
        end = self.now - datetime.timedelta(hours=rng.randint(1, 72))
        if status == "closed":
            length = datetime.timedelta(days=rng.randint(7, 150), hours=rng.randint(0, 8))
            end = min(opened_at + length, end)
            case.closed_at = end
        end = max(end, opened_at + datetime.timedelta(minutes=5))
        actions = self._actions(rng, status)
        times = sorted(opened_at + (end - opened_at) * rng.random() for _ in range(len(actions)))
        if status == "closed" and times:
            times[-1] = end
        events = [
            CaseEvent(
                id=self.ids.take(CaseEvent),
                case_id=case.id,
                at=opened_at,
                user_id=contact.created_by_id,
                kind="opened",
            )
        ]
        approved_at = None
        current = "open"
        for action, at in zip(actions, times, strict=True):
            before, after = self._move(action, current)
            approver = action.startswith(("approve", "return"))
            comment = ""
            if action == "return_plan":
                comment = "Уточните сроки и кто отвечает за каждое действие."
            events.append(
                CaseEvent(
                    id=self.ids.take(CaseEvent),
                    case_id=case.id,
                    at=at,
                    user_id=supervisor if approver else consultant,
                    kind="status",
                    action=action,
                    from_status=before,
                    to_status=after,
                    comment=comment,
                )
            )
            current = after
            if action == "approve_plan":
                approved_at = at
        steps = {a for a in actions}
        if "start_plan" in steps or (status == "assessment" and rng.random() < 0.5):
            case.assessment = "Оценка: мигрант и семья без дохода, документы в порядке частично."
        if "submit_plan" in steps or (status == "plan" and rng.random() < 0.5):
            case.plan = "Нақша: машварати ҳуқуқӣ, тамос бо корфармо, пайгирӣ баъди ду ҳафта."
        if status not in ("closed", "open") and (
            status in ("services", "follow_up", "closure_requested") or rng.random() < 0.3
        ):
            case.follow_up_due = self.today + datetime.timedelta(days=rng.randint(-25, 45))
        if status in ("closure_requested", "closed"):
            case.closure = _pick(rng, CLOSURES)
        if case_type == "barred" and approved_at is not None:
            case.barred_path = _pick(rng, BARRED_PATHS)
            if status in ("closure_requested", "closed"):
                case.barred_outcome = _pick(rng, BARRED_OUTCOMES[case.barred_path])
        if case_type == "barred" and status in ("closure_requested", "closed"):
            # Closed before any path was offered (a client who could not be reached).
            case.barred_outcome = case.barred_outcome or "no_result"
        if case_type in ("family", "trafficking") and rng.random() < 0.4:
            case.psychological = "Тревога, бессонница после звонков кредиторов."
        if case_type == "trafficking":
            case.trafficking = "Документы удерживал бригадир; работа без оплаты 12 часов в день."
        if case_type == "barred" and rng.random() < 0.3:
            case.crossings_consent_at = opened_at + datetime.timedelta(hours=1)
            case.crossings_consent_by_id = consultant
            events.append(
                CaseEvent(
                    id=self.ids.take(CaseEvent),
                    case_id=case.id,
                    at=case.crossings_consent_at,
                    user_id=consultant,
                    kind="consent",
                )
            )
        people = self._people(rng, case, caller, contact)
        for person in people:
            batch.add(person)
        self._notes(rng, case, consultant, opened_at, end, batch)
        if approved_at is not None:
            self._services(rng, case, people, consultant, approved_at, end, batch)
            self._referrals(rng, code, case, consultant, supervisor, approved_at, end, events)
        for event in events:
            batch.add(event)
        for referral in getattr(case, "_referrals", ()):
            batch.add(referral)
        return case

    @staticmethod
    def _case_type(rng: random.Random, group: str, location: str | None) -> str:
        if group == "entry_ban":
            return "barred" if location == "TJK" or rng.random() < 0.5 else "migrant"
        if group == "return":
            return "barred" if rng.random() < 0.7 else "migrant"
        fixed = {"family": "family", "trafficking": "trafficking", "missing_migrant": "missing"}
        if group in fixed:
            return fixed[group]
        return rng.choices(("migrant", "family", "trafficking"), (78, 20, 2))[0]

    @staticmethod
    def _status(rng: random.Random, age_days: int) -> str:
        """Older cases are mostly closed; young ones spread over the working statuses."""
        closed_share = 0.9 if age_days > 120 else 0.45 if age_days > 30 else 0.08
        if age_days >= 7 and rng.random() < closed_share:
            return "closed"
        if age_days < 2:
            return rng.choice(("open", "assessment"))
        return _pick(rng, WORKING_SPREAD)

    @staticmethod
    def _actions(rng: random.Random, status: str) -> list[str]:
        """The transitions that brought a case from open to `status`."""
        if status in STEPS_TO:
            reached = STEPS_TO[status]
            closing: list[str] = []
        else:
            reached = rng.choice((1, 2, 4, 5, 5, 5))  # closing asked from a working status
            closing = ["request_closure"] + (["approve_closure"] if status == "closed" else [])
        actions = list(STEPS[:reached])
        if "approve_plan" in actions and rng.random() < 0.12:
            # The supervisor returned the plan once before approving it.
            at = actions.index("approve_plan")
            actions[at:at] = ["return_plan", "submit_plan"]
        return actions + closing

    @staticmethod
    def _move(action: str, current: str) -> tuple[str, str]:
        if action == "request_closure":
            return current, "closure_requested"
        if action == "approve_closure":
            return current, "closed"
        return AFTER_STEP[action]

    def _people(
        self, rng: random.Random, case: Case, caller: Caller, contact: Contact
    ) -> list[CasePerson]:
        root = rng.choice(SURNAME_ROOTS)
        self_call = contact.about == "self" and caller.name
        abroad = case.case_type not in ("barred",)
        migrant_sex = caller.sex if self_call and caller.sex != "U" else "M"
        if rng.random() < 0.12 and not self_call:
            migrant_sex = "F"
        migrant = (
            _Person(caller.name, migrant_sex) if self_call else _person(rng, migrant_sex, root)
        )
        people = [
            self._case_person(
                rng,
                case,
                "migrant",
                migrant,
                age=rng.randint(19, 55),
                phone=caller.phone if self_call else "",
                caller_id=caller.id if self_call else None,
                location="RUS" if abroad else "TJK",
                passport=rng.random() < 0.4,
            )
        ]
        if case.case_type == "family" or (case.case_type == "migrant" and rng.random() < 0.15):
            spouse_sex = "F" if migrant.sex == "M" else "M"
            from_caller = not self_call and caller.name and caller.sex == spouse_sex
            spouse = (
                _Person(caller.name, spouse_sex) if from_caller else _person(rng, spouse_sex, root)
            )
            people.append(
                self._case_person(
                    rng,
                    case,
                    "spouse",
                    spouse,
                    age=rng.randint(19, 50),
                    phone=caller.phone if from_caller else "",
                    caller_id=caller.id if from_caller else None,
                    location="TJK",
                )
            )
        if case.case_type == "family":
            for _ in range(rng.choices((1, 2, 3, 4), (25, 35, 25, 15))[0]):
                sex = rng.choice("FM")
                age = rng.randint(1, 17)
                if age < 7:
                    school = "not_of_age"
                else:
                    school = rng.choices(("attending", "at_risk", "left"), (60, 25, 15))[0]
                people.append(
                    self._case_person(
                        rng, case, "child", _person(rng, sex, root), age=age, school=school
                    )
                )
            if rng.random() < 0.3:
                people.append(
                    self._case_person(
                        rng, case, "parent", _person(rng, rng.choice("FM"), root), age=62
                    )
                )
        return people

    def _case_person(
        self,
        rng: random.Random,
        case: Case,
        relation: str,
        person: _Person,
        *,
        age: int,
        phone: str = "",
        caller_id: int | None = None,
        location: str = "TJK",
        passport: bool = False,
        school: str = "",
    ) -> CasePerson:
        born = self.today - datetime.timedelta(days=age * 365 + rng.randrange(365))
        number = f"{rng.choice('AB')}{rng.randrange(10**8):08d}" if passport else ""
        return CasePerson(
            id=self.ids.take(CasePerson),
            case_id=case.id,
            relation=relation,
            name=person.name,
            name_key=_name_key(person.name),
            sex=person.sex,
            birth_date=born if rng.random() < 0.8 else None,
            phone=phone,
            passport=number,
            school=school,
            location_id=location,
            caller_id=caller_id,
        )

    def _notes(self, rng, case, consultant, start, end, batch: _Batch) -> None:
        for _ in range(rng.choices((0, 1, 2, 3, 4), (20, 30, 25, 15, 10))[0]):
            sensitive = case.case_type in ("family", "trafficking") and rng.random() < 0.3
            batch.add(
                CaseNote(
                    id=self.ids.take(CaseNote),
                    case_id=case.id,
                    text=rng.choice(SENSITIVE_NOTES if sensitive else NOTES),
                    sensitive=sensitive,
                    written_by_id=consultant,
                    written_at=start + (end - start) * rng.random(),
                )
            )

    def _services(self, rng, case, people, consultant, start, end, batch: _Batch) -> None:
        kinds = SERVICES_BY_TYPE[case.case_type]
        children = [p for p in people if p.relation == "child" and p.school in ("at_risk", "left")]
        for _ in range(rng.choices((1, 2, 3), (50, 35, 15))[0]):
            kind = _pick(rng, kinds)
            person = rng.choice(children) if kind == "school" and children else people[0]
            at = start + (end - start) * rng.random()
            batch.add(
                Service(
                    id=self.ids.take(Service),
                    case_id=case.id,
                    person_id=person.id,
                    kind=kind,
                    given_on=timezone.localtime(at).date(),
                    given_by_id=consultant,
                    recorded_at=at,
                )
            )

    def _referrals(
        self, rng, code, case, consultant, supervisor, start, end, events: list[CaseEvent]
    ) -> None:
        if case.case_type == "barred":
            if rng.random() > 0.75:
                return
            partner = BARRED_PARTNER[case.barred_path] or EMPLOYMENT_OFFICE[code]
        else:
            if rng.random() > 0.3:
                return
            partner = _pick(rng, PARTNERS_BY_TYPE[case.case_type])
        sent_at = start + (end - start) * rng.random() * 0.5
        overridden = rng.random() < 0.04
        referral = Referral(
            id=self.ids.take(Referral),
            case_id=case.id,
            partner_id=self.partners[partner],
            reason="Просим содействия по делу клиента (подробности в переданных сведениях).",
            consent="overridden" if overridden else "given",
            consent_note="Угроза жизни клиента, согласие получить нельзя." if overridden else "",
            shared=["contact", "summary"]
            + (["identity"] if rng.random() < 0.5 else [])
            + (["family"] if case.case_type == "family" else []),
            sent_at=sent_at,
            sent_by_id=supervisor if overridden else consultant,
        )
        events.append(
            CaseEvent(
                id=self.ids.take(CaseEvent),
                case_id=case.id,
                at=sent_at,
                user_id=referral.sent_by_id,
                kind="referral",
                action="send",
                to_status="sent",
                referral_id=referral.id,
            )
        )
        waited = (self.now - sent_at).days
        if case.closed_at is not None:
            path = rng.choices(("done", "rejected", "revoked"), (75, 18, 7))[0]
        elif waited > 30:
            path = rng.choices(
                ("sent", "accepted", "done", "rejected", "revoked"), (10, 20, 55, 10, 5)
            )[0]
        else:
            path = rng.choices(("sent", "accepted", "done", "rejected"), (45, 40, 7, 8))[0]
        answerer = self.partner_users.get(partner)
        steps = {"sent": [], "accepted": ["accept"], "done": ["accept", "complete"]}.get(
            path, ["reject"] if path == "rejected" else ["revoke"]
        )
        at = sent_at
        status = "sent"
        for step in steps:
            at = at + (end - at) * rng.random() * 0.5 + datetime.timedelta(minutes=10)
            before, status = (
                status,
                {
                    "accept": "accepted",
                    "complete": "done",
                    "reject": "rejected",
                    "revoke": "revoked",
                }[step],
            )
            text = ""
            if step in ("accept", "reject"):
                referral.answered_at = at
                referral.answered_by_id = answerer
            if step == "reject":
                text = referral.rejection_reason = "Не относится к нашему мандату."
            if step == "complete":
                text = referral.feedback = "Клиент получил консультацию и документы."
            if step in ("complete", "reject", "revoke"):
                referral.finished_at = at
            events.append(
                CaseEvent(
                    id=self.ids.take(CaseEvent),
                    case_id=case.id,
                    at=at,
                    user_id=consultant if step == "revoke" else answerer,
                    kind="referral",
                    action=step,
                    from_status=before,
                    to_status=status,
                    referral_id=referral.id,
                    comment=text,
                )
            )
        referral.status = status
        case._referrals = [referral]  # type: ignore[attr-defined]


def split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """`total` split by `shares`, the rounding left over given to the first."""
    parts = {code: int(total * share) for code, share in shares.items()}
    first = next(iter(parts))
    parts[first] += total - sum(parts.values())
    return parts


def _converter(field: models.Field) -> Callable[[Any], Any]:
    """How a value of `field` goes to the database: what bulk_create would send, without the
    per-row SQL compilation that made up three quarters of its time here."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def insert_rows(table: str, columns: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
    """Insert rows of ready values: COPY on PostgreSQL, one prepared statement on SQLite."""
    if not values:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", values)


def bulk_insert(
    model: type[models.Model], rows: Sequence[models.Model], *, batch_size: int
) -> None:
    """Store model instances whose ids are set, in batches; values a field fills on saving
    (auto_now) are filled as a save would."""
    fields = list(model._meta.concrete_fields)
    converters = [_converter(f) for f in fields]
    filled = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    columns = [str(f.column) for f in fields]
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        for row in chunk:
            for f in filled:
                f.pre_save(row, add=True)
        insert_rows(
            model._meta.db_table,
            columns,
            [
                tuple(
                    convert(getattr(row, f.attname))
                    for f, convert in zip(fields, converters, strict=True)
                )
                for row in chunk
            ],
        )


def store(batch: _Batch, loaded: Loaded, *, batch_size: int = 20_000) -> None:
    """Store one MSC's rows, referenced rows first."""
    for model in ORDER:
        rows = batch.rows.get(model, [])
        bulk_insert(model, rows, batch_size=batch_size)
        loaded.add(str(model._meta.model_name), len(rows))
    links: tuple[tuple[Any, list[tuple[int, str]], str], ...] = (
        (Contact.categories.through, batch.contact_categories, "contact_id"),
        (Case.categories.through, batch.case_categories, "case_id"),
    )
    for through, pairs, owner in links:
        for start in range(0, len(pairs), batch_size):
            insert_rows(
                through._meta.db_table, (owner, "category_id"), pairs[start : start + batch_size]
            )
    loaded.add("categories given", len(batch.contact_categories) + len(batch.case_categories))


def sync_sequences() -> None:
    """After inserting explicit ids on PostgreSQL, move the sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in ORDER:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))",
                [table],
            )


# Without a number of cases: about one data contact in seven opens one.
CASES_PER_DATA_CONTACT = 0.15


def load_helpdesk(
    contacts: int,
    cases: int | None = None,
    *,
    seed: int,
    today: datetime.date,
    staff: dict[str, Staff],
    days: int | None = None,
    partner_users: dict[str, int] | None = None,
    progress: Callable[[str], Any] | None = None,
) -> Loaded:
    """Generate and store `contacts` contacts and `cases` cases over the MSCs in `staff`
    (their shares as MSC_SHARE), ending the day before `today`. Without `cases`, about 15 % of
    the data contacts open one.

    Without `days`, the period is as long as the four MSCs need to take `contacts` calls at
    about 300 a day together (a month at least)."""
    if cases is None:
        cases = round(contacts * 0.7 * CASES_PER_DATA_CONTACT)
    if contacts < 0 or cases < 0:
        raise ValueError("contacts and cases must not be negative")
    days = days or max(30, round(contacts / 300))
    shares = {code: MSC_SHARE[code] for code in staff}
    total = sum(shares.values())
    shares = {code: share / total for code, share in shares.items()}
    contacts_by = split(contacts, shares)
    cases_by = split(cases, shares)
    if not Category.objects.filter(code__in=list(TOPICS)).count() == len(TOPICS):
        raise RuntimeError("the helpdesk categories are missing: run `safar migrate` first")
    generator = HelpdeskGenerator(
        seed=seed, today=today, days=days, staff=staff, partner_users=partner_users
    )
    loaded = Loaded()
    for code in staff:
        batch = generator.msc_batch(code, contacts_by[code], cases_by[code])
        with transaction.atomic():
            store(batch, loaded)
            # The bulk insert bypasses the signals that keep the dashboard's counts.
            recount_mscs([generator.partners[code]])
        if progress:
            progress(f"{code}: {contacts_by[code]:,} contacts, {cases_by[code]:,} cases stored")
    sync_sequences()
    return loaded


def staff_users(
    codes: Sequence[str], *, consultants: int, supervisors: int, prefix: str = "synthetic"
) -> dict[str, Staff]:
    """Make (or find) unusable-password staff accounts for each MSC, with the MSC roles."""
    from django.contrib.auth.models import Group

    from safar.core.models import User

    from .apps import CONSULTANT, SUPERVISOR

    groups = {g.name: g for g in Group.objects.filter(name__in=(CONSULTANT, SUPERVISOR))}
    staff = {}
    # Names for the pages that show who works a case (the same for the same accounts).
    rng = random.Random(f"staff:{prefix}")
    for code in codes:
        office = Office.objects.get(code=code)
        ids: dict[str, list[int]] = {CONSULTANT: [], SUPERVISOR: []}
        for role, n in ((CONSULTANT, consultants), (SUPERVISOR, supervisors)):
            for number in range(1, n + 1):
                username = f"{prefix}-{code.lower()}-{role}-{number}"
                sex = rng.choice("FM")
                person = _person(rng, sex)
                given, family = person.name.split(" ", 1)
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"office": office, "first_name": given, "last_name": family},
                )
                if created:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                    user.groups.add(groups[role])
                ids[role].append(user.pk)
        staff[code] = Staff(consultants=ids[CONSULTANT], supervisors=ids[SUPERVISOR])
    return staff
