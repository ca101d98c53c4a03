"""Demo outreach: a month of sessions at the four MSCs and the Migration Service's airport
showings, one radio phone-in at the Kulob MSC with the wave of hotline calls it brought, and one
training with its trainees' knowledge check scores.

The helpdesk's demo contacts have no wave of their own, so this loader adds one (phone calls
about entry bans on the evening of the programme and the next day) to the Kulob MSC's contacts:
the radio programme's calls on the sessions page are then read from contacts as in real use.
Runs after the helpdesk's demo (order 70), once: a database with sessions is left alone."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from safar.core.demo import register_loader
from safar.core.models import District, Office

from .models import Score, Session, Trainee, Training
from .services import bank_sizes

DAYS = 30
MSC_REGIONS = {"MSC-DU": "TJ-DU", "MSC-KH": "TJ-SU", "MSC-KU": "TJ-KT", "MSC-BO": "TJ-KT"}
JAMOATS = ("Ғаравтӣ", "Зарбдор", "Навобод", "Ленин", "Сарихосор", "Дашти гулистон", "Қизил-Қалъа")
TOPICS = (
    "entry_ban/check",
    "entry_ban/explain",
    "documents/patent",
    "documents/registration",
    "recruitment/agency_complaint",
    "trafficking/forced_labour",
    "return/domestic_jobs",
)
WAVE_CALLS = (28, 17)  # the programme's evening and the next day
TRAINEE_NAMES = (
    "Саодат Раҷабова",
    "Ҳусейн Қурбонов",
    "Мунира Ҷумаева",
    "Далер Сафаров",
    "Гулчеҳра Азимова",
    "Равшан Мирзоев",
    "Нилуфар Ёрова",
    "Шерали Исмоилов",
    "Парвина Холова",
    "Фаридун Бобоев",
)
TRAINEE_ROLES = (
    ("Хадамоти муҳоҷират", "нозир"),
    ("Ҷамоати Зарбдор", "раиси ҷамоат"),
    ("Кумитаи занон", "намоянда"),
    ("МДМ Хуҷанд", "мушовир"),
)


def _session(rng, org, day, kind, districts, **extra) -> Session:
    women, men = rng.randint(8, 60), rng.randint(10, 80)
    return Session(
        org=org,
        held_on=day,
        kind=kind,
        district=rng.choice(districts) if districts else None,
        jamoat=rng.choice(JAMOATS) if kind in ("info_session", "campaign") else "",
        participants_f=women,
        participants_m=men,
        booklets=(women + men) if kind != "radio" else 0,
        flyers=rng.choice((0, 50, 100)),
        **extra,
    )


def _wave(rng, msc: Office, day: datetime.date) -> int:
    """Phone calls about entry bans after the programme, from the MSC's known callers."""
    from safar.helpdesk.contact_counts import recount_mscs
    from safar.helpdesk.models import Caller, Contact

    callers = list(Caller.objects.filter(msc=msc)[:200])
    if not callers:
        return 0
    tz = timezone.get_current_timezone()
    hours = ((18, 22), (8, 17))
    added = []
    for offset, (calls, (first, last)) in enumerate(zip(WAVE_CALLS, hours, strict=True)):
        on = day + datetime.timedelta(days=offset)
        for _ in range(calls):
            at = datetime.datetime.combine(
                on, datetime.time(rng.randint(first, last), rng.randint(0, 59)), tz
            )
            added.append(
                Contact(
                    msc=msc,
                    received_at=at,
                    channel="phone",
                    call_type="data",
                    caller=rng.choice(callers),
                    about="self",
                    migrant_location_id="RUS",
                    outcome="information",
                    duration_s=rng.randint(120, 600),
                )
            )
    Contact.objects.bulk_create(added)
    Through = Contact.categories.through
    Through.objects.bulk_create(
        Through(contact_id=c.pk, category_id=rng.choice(("entry_ban/check", "entry_ban/explain")))
        for c in added
    )
    # The bulk inserts bypass the signals that keep the dashboard's counts.
    recount_mscs([msc.pk])
    return len(added)


def _training(rng, org: Office, day: datetime.date) -> Training:
    from safar.helpdesk.models import Category

    topics = list(Category.objects.filter(code__in=("entry_ban", "documents", "trafficking")))
    training = Training.objects.create(
        org=org,
        title="Маслиҳатдиҳии муҳоҷирон: манъи вуруд, ҳуҷҷатҳо, хариду фурӯши одамон",
        starts_on=day,
        ends_on=day + datetime.timedelta(days=1),
        district=District.objects.filter(code="SU-KHU").first(),
    )
    training.topics.set(topics)
    sizes = bank_sizes(topics)
    for n, name in enumerate(TRAINEE_NAMES):
        organisation, position = TRAINEE_ROLES[n % len(TRAINEE_ROLES)]
        trainee = Trainee.objects.create(
            training=training,
            name=name,
            organisation=organisation,
            position=position,
            sex="F" if n % 2 == 0 else "M",
        )
        scores = []
        for topic in topics:
            asked = sizes[topic.code]
            before = rng.randint(0, asked - 1)
            scores.append(
                Score(
                    trainee=trainee,
                    topic=topic,
                    questions=asked,
                    before=before,
                    after=rng.randint(before, asked),
                )
            )
        Score.objects.bulk_create(scores)
    return training


@transaction.atomic
def load_demo_outreach(stdout) -> None:
    from safar.helpdesk.models import Category

    if Session.objects.exists():
        return
    rng = random.Random(14)
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=DAYS)
    sessions = []
    for code, region in MSC_REGIONS.items():
        org = Office.objects.get(code=code)
        districts = list(District.objects.filter(region_id=region))
        for week in range(4):
            day = first_day + datetime.timedelta(days=7 * week + rng.randint(0, 4))
            kind = rng.choice(("info_session", "info_session", "school", "campaign"))
            sessions.append(_session(rng, org, day, kind, districts))
    service = Office.objects.get(code="MS")
    for week in range(4):
        day = first_day + datetime.timedelta(days=7 * week + 2)
        sessions.append(
            _session(rng, service, day, "airport", [], film_showings=rng.randint(4, 10))
        )
    Session.objects.bulk_create(sessions)
    # The radio phone-in: on Kulob radio, ten days ago, with the calls it brought.
    kulob = Office.objects.get(code="MSC-KU")
    radio_day = today - datetime.timedelta(days=10)
    radio = Session.objects.create(
        org=kulob,
        held_on=radio_day,
        kind=Session.Kind.RADIO,
        district=District.objects.filter(code="KT-KUL").first(),
        programme="«Пеш аз сафар бидон!» — Радиои Кӯлоб",
    )
    radio.topics.set(Category.objects.filter(code__in=("entry_ban/check", "entry_ban/explain")))
    partners = list(Office.objects.filter(code__in=("IOM-TJ", "FLAC")))
    topics = list(Category.objects.filter(code__in=TOPICS))
    for session in Session.objects.exclude(pk=radio.pk):
        session.topics.set(rng.sample(topics, k=rng.choice((1, 2, 3))))
        if rng.random() < 0.3:
            session.partners.set(rng.sample(partners, k=1))
    calls = _wave(rng, kulob, radio_day)
    _training(rng, Office.objects.get(code="MSC-KH"), today - datetime.timedelta(days=12))
    stdout.write(
        f"Demo outreach: {Session.objects.count()} sessions, a radio phone-in at MSC-KU "
        f"with {calls} hotline calls added, and one training."
    )


register_loader(load_demo_outreach, order=70)
