"""`safar bench msc-reports [--contacts N] [--cases M] [--database-url URL] [--keep]`: every
M-table for one MSC-month and for all MSCs summed, at scale (issue 14: 1 M contacts and 200 k
cases; under 200 ms per MSC-month, 500 ms summed).

Synthetic records over two years at the four MSCs (seeded): contacts, cases, referrals, services,
and the outreach sessions and trainings M11 and the dashboard read; loaded by bulk inserts into a
database of its own (a SQLite file in $SAFAR_DATA_DIR/bench/ unless --database-url names a
PostgreSQL database whose name contains "bench"); then each table is timed warm, the median of
--runs runs, for a month in the middle of the data.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import time
from pathlib import Path

from safar.core.benchmarks import benchmark, rerun_against, running_against

START = datetime.date(2025, 1, 1)
MONTHS = 24
BATCH = 5000


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="safar bench msc-reports")
    parser.add_argument("--contacts", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--cases", type=int, default=200_000, metavar="M")
    parser.add_argument("--database-url", help="sqlite:///file or postgres://…/name_with_bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the database if filled")
    args = parser.parse_args(argv)
    if args.contacts <= 0 or args.cases < 0:
        parser.error("--contacts: give a positive number")
    return args


@benchmark("msc-reports")
def run_benchmark(argv: list[str]) -> int:
    args = parse(argv)
    url = args.database_url or _default_url(args.contacts, args.cases)
    if not running_against(url):
        fresh = args.database_url is None and not args.keep
        return rerun_against(url, name="msc-reports", argv=argv, fresh=fresh)
    return _run(args)


def _default_url(contacts: int, cases: int) -> str:
    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'msc-reports-{contacts}-{cases}.sqlite3'}"


def _run(args) -> int:
    from django.core.management import call_command
    from django.db import connection

    from safar.core.models import Office
    from safar.helpdesk.contact_counts import rebuild
    from safar.helpdesk.models import Contact, ContactCount

    from .figures import TABLES, Month

    print(f"# safar bench msc-reports on {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0, interactive=False)
    if Contact.objects.count() != args.contacts:
        began = time.perf_counter()
        _fill(args.contacts, args.cases)
        print(f"filled in {time.perf_counter() - began:.0f} s")
    if not ContactCount.objects.exists():
        # A database filled before the contact counts were kept (--keep).
        began = time.perf_counter()
        rebuild()
        print(f"contact counts rebuilt in {time.perf_counter() - began:.0f} s")
    if _has_outreach() and not _outreach_filled():
        # Apart from the contacts, so that a database filled before the sessions were (--keep)
        # gets them too.
        began = time.perf_counter()
        _fill_outreach()
        print(f"outreach filled in {time.perf_counter() - began:.0f} s")
    # Statistics (and on PostgreSQL the visibility map its index-only scans need), as the
    # database's own maintenance keeps them on a server that has been running.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    mscs = list(Office.objects.filter(kind=Office.Kind.MSC).order_by("code"))
    month = Month(2025, 11)
    _describe_outreach(mscs, month)
    worst_one = worst_all = 0.0
    print(f"{'table':6} {'one MSC (ms)':>14} {'all MSCs (ms)':>14}")
    for code, table in TABLES.items():
        one = _median(lambda t=table: t.rows([mscs[0].pk], month), args.runs)
        every = _median(lambda t=table: t.rows([m.pk for m in mscs], month), args.runs)
        worst_one, worst_all = max(worst_one, one), max(worst_all, every)
        print(f"{code:6} {one:14.1f} {every:14.1f}")
    print(f"slowest: one MSC {worst_one:.1f} ms (target 200), all {worst_all:.1f} ms (target 500)")
    dashboard_one, dashboard_all = _time_dashboard(mscs, month, args.runs)
    fast = worst_one < 200 and worst_all < 500 and dashboard_one < 500 and dashboard_all < 500
    return 0 if fast else 1


def _time_dashboard(mscs, month, runs: int) -> tuple[float, float]:
    """The dashboard's queries (every figure over the twelve months ending with `month`, and the
    month's completeness), for one MSC and for all summed: the issue's 500 ms."""
    from django.utils import timezone

    from .dashboard import FIGURES, completeness, months_ending

    months = months_ending(month)

    def dashboard(ids: list[int]) -> None:
        for compute in FIGURES.values():
            compute(ids, months)
        completeness(mscs, month, timezone.now())

    print(f"{'figure':11} {'one MSC (ms)':>14} {'all MSCs (ms)':>14}")
    for name, compute in FIGURES.items():
        one = _median(lambda c=compute: c([mscs[0].pk], months), runs)
        every = _median(lambda c=compute: c([m.pk for m in mscs], months), runs)
        print(f"{name:11} {one:14.1f} {every:14.1f}")
    one = _median(lambda: dashboard([mscs[0].pk]), runs)
    every = _median(lambda: dashboard([m.pk for m in mscs]), runs)
    print(f"dashboard: one MSC {one:.1f} ms, all {every:.1f} ms (target 500)")
    return one, every


def _median(run, runs: int) -> float:
    run()  # warm
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _fill(contacts: int, cases: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from safar.core.models import Office, User
    from safar.helpdesk.contact_counts import recount_mscs
    from safar.helpdesk.models import Caller, Case, CaseEvent, Category, Contact, Referral, Service

    rng = random.Random(14)
    tz = timezone.get_current_timezone()
    mscs = list(Office.objects.filter(kind=Office.Kind.MSC).order_by("code"))
    partners = list(Office.objects.filter(code__in=["FLAC", "IOM-TJ", "EO-DU", "EMB-RU"]))
    user, _ = User.objects.get_or_create(username="bench")
    categories = list(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    days = (START.replace(year=START.year + MONTHS // 12) - START).days

    def moment() -> datetime.datetime:
        day = START + datetime.timedelta(days=rng.randrange(days))
        return datetime.datetime.combine(
            day, datetime.time(rng.randint(0, 23), rng.randint(0, 59)), tz
        )

    with transaction.atomic():
        callers_per_msc = max(1, contacts // 20)
        callers: dict[int, list[int]] = {}
        for msc in mscs:
            made = Caller.objects.bulk_create(
                [
                    Caller(
                        msc=msc,
                        phone=f"+99293{i:07d}",
                        sex=rng.choice("FFMMU"),
                        region_id=rng.choice(("TJ-DU", "TJ-SU", "TJ-KT", None)),
                    )
                    for i in range(callers_per_msc)
                ],
                batch_size=BATCH,
            )
            callers[msc.pk] = [c.pk for c in made]
        through = Contact.categories.through
        left = contacts
        while left > 0:
            size = min(BATCH * 4, left)
            left -= size
            batch = []
            for _ in range(size):
                msc = rng.choice(mscs)
                data = rng.random() < 0.8
                batch.append(
                    Contact(
                        msc=msc,
                        received_at=moment(),
                        channel=rng.choice(("phone", "phone", "walk_in", "online")),
                        call_type="data" if data else rng.choice(("silent", "prank", "hang_up")),
                        caller_id=rng.choice(callers[msc.pk]) if data else None,
                        migrant_location_id=rng.choice(("RUS", "KAZ", "TJK", None))
                        if data
                        else None,
                        outcome=rng.choice(("information", "referred", "")) if data else "",
                    )
                )
            contacts_made = Contact.objects.bulk_create(batch, batch_size=BATCH)
            through.objects.bulk_create(
                [
                    through(contact_id=c.pk, category_id=code)
                    for c in contacts_made
                    if c.call_type == "data"
                    for code in set(rng.choices(categories, k=rng.choice((1, 1, 2))))
                ],
                batch_size=BATCH,
            )
        left = cases
        while left > 0:
            size = min(BATCH, left)
            left -= size
            batch_cases: list[Case] = []
            for _ in range(size):
                opened = moment()
                closed = rng.random() < 0.6
                batch_cases.append(
                    Case(
                        msc=rng.choice(mscs),
                        number=f"B-{left}-{len(batch_cases)}",
                        case_type=rng.choice(("migrant", "family", "barred")),
                        summary="bench",
                        opened_at=opened,
                        status="closed" if closed else "follow_up",
                        closed_at=opened + datetime.timedelta(days=rng.randint(1, 90))
                        if closed
                        else None,
                        follow_up_due=None
                        if closed
                        else (opened + datetime.timedelta(days=rng.randint(5, 60))).date(),
                    )
                )
            made_cases = Case.objects.bulk_create(batch_cases, batch_size=BATCH)
            events = [
                CaseEvent(
                    case=c,
                    at=c.closed_at,
                    kind="status",
                    action="approve_closure",
                    to_status="closed",
                )
                for c in made_cases
                if c.closed_at
            ]
            referrals = [
                Referral(
                    case=c,
                    partner=rng.choice(partners),
                    reason="bench",
                    consent="given",
                    sent_by=user,
                    sent_at=c.opened_at + datetime.timedelta(days=2),
                    status=rng.choice(("sent", "accepted", "done", "rejected")),
                )
                for c in made_cases
                if rng.random() < 0.3
            ]
            Referral.objects.bulk_create(referrals, batch_size=BATCH)
            events += [
                CaseEvent(
                    case_id=r.case_id,
                    referral=r,
                    kind="referral",
                    action="x",
                    at=r.sent_at + datetime.timedelta(days=rng.randint(0, 40)),
                    to_status=r.status,
                )
                for r in referrals
            ]
            CaseEvent.objects.bulk_create(events, batch_size=BATCH)
            Service.objects.bulk_create(
                [
                    Service(
                        case=c,
                        kind=rng.choice(("legal", "psychological", "documents")),
                        given_on=(c.opened_at + datetime.timedelta(days=3)).date(),
                        given_by=user,
                    )
                    for c in made_cases
                    if rng.random() < 0.5
                ],
                batch_size=BATCH,
            )
        # The bulk inserts bypass the signals that keep the dashboard's contact counts.
        recount_mscs([m.pk for m in mscs])


# --- outreach: sessions (M11, the dashboard's people reached) and trainings ----------------------

SESSIONS_PER_YEAR = 3000
TRAININGS_PER_YEAR = 100
# Who holds them: the Dushanbe centre most, Bokhtar fewest; the Migration Service's own (national
# programmes) count in no MSC's report but are in the table M11 reads.
ORGANISER_WEIGHTS = {"MSC-DU": 40, "MSC-KH": 28, "MSC-KU": 18, "MSC-BO": 9, "MS": 5}
# kind: (weight, fewest and most people taking part). Radio and TV reach listeners, not
# participants: a guest or two in the studio.
KIND_WEIGHTS = {
    "info_session": (40, 15, 120),
    "school": (20, 25, 300),
    "campaign": (10, 50, 600),
    "training": (9, 8, 30),
    "airport": (9, 30, 400),
    "radio": (8, 0, 3),
    "tv": (4, 0, 3),
}
# More before the spring departures and in December (International Migrants Day, 18 December).
MONTH_WEIGHTS = (8, 12, 14, 12, 10, 8, 6, 7, 10, 11, 11, 13)
QUESTIONS = 10  # per topic in a knowledge check


def _has_outreach() -> bool:
    from django.apps import apps

    return apps.is_installed("safar.outreach")


def _outreach_filled() -> bool:
    from safar.outreach.models import Session

    return Session.objects.exists()


def _describe_outreach(mscs, month) -> None:
    if not _has_outreach():
        print("outreach not installed: M11 and the dashboard's sessions and trainings are empty")
        return
    from safar.outreach.models import Score, Session, Training

    held = Session.objects.filter(org__in=mscs)
    print(
        f"outreach: {Session.objects.count():,} sessions ({held.count():,} at the MSCs, "
        f"{held.held_between(month.first_day, month.last_day).count()} in {month}), "
        f"{Training.objects.count():,} trainings, {Score.objects.count():,} scores"
    )


def _held_on(rng: random.Random, year: int, *, kind: str) -> datetime.date:
    """A weekday of `year`, more in the busy months; campaigns cluster before 18 December."""
    around_migrants_day = kind == "campaign" and rng.random() < 0.4
    while True:
        if around_migrants_day:
            day = datetime.date(year, 12, rng.randint(8, 20))
        else:
            month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
            first = datetime.date(year, month, 1)
            after = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            day = first + datetime.timedelta(days=rng.randrange((after - first).days))
        if day.weekday() < 5 or (day.weekday() == 5 and rng.random() < 0.3):
            return day


def _fill_outreach() -> None:
    """Sessions (SESSIONS_PER_YEAR over the bench's years, skewed across organisers, kinds and
    months) with their topics, and trainings with trainees and knowledge-check scores."""
    from django.db import transaction

    from safar.core.models import District, Office, User
    from safar.helpdesk.models import Category
    from safar.outreach.models import Score, Session, Trainee, Training

    rng = random.Random(1411)
    user, _ = User.objects.get_or_create(username="bench")
    organisers = {o.code: o for o in Office.objects.filter(code__in=ORGANISER_WEIGHTS)}
    codes = [code for code in ORGANISER_WEIGHTS if code in organisers]
    weights = [ORGANISER_WEIGHTS[code] for code in codes]
    districts: dict[str | None, list[str]] = {}
    for code, region in District.objects.values_list("code", "region_id"):
        districts.setdefault(region, []).append(code)
    everywhere = [d for ds in districts.values() for d in ds]
    topics = list(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    kinds = list(KIND_WEIGHTS)
    kind_weights = [KIND_WEIGHTS[k][0] for k in kinds]
    years = [START.year + i for i in range(MONTHS // 12)]

    def district_of(org: Office) -> str | None:
        pool = districts.get(org.region_id) or everywhere
        return rng.choice(pool) if pool and rng.random() < 0.95 else None

    with transaction.atomic():
        sessions = []
        for year in years:
            for _ in range(SESSIONS_PER_YEAR):
                org = organisers[rng.choices(codes, weights=weights)[0]]
                kind = rng.choices(kinds, weights=kind_weights)[0]
                _weight, fewest, most = KIND_WEIGHTS[kind]
                people = rng.randint(fewest, most)
                # Migrants and their families: more men than women, except at schools.
                share_f = rng.uniform(0.4, 0.6) if kind == "school" else rng.uniform(0.2, 0.45)
                women = round(people * share_f)
                broadcast = kind in ("radio", "tv")
                sessions.append(
                    Session(
                        org=org,
                        held_on=_held_on(rng, year, kind=kind),
                        kind=kind,
                        district_id=None if broadcast else district_of(org),
                        jamoat="" if broadcast else f"Jamoat {rng.randint(1, 40)}",
                        participants_f=women,
                        participants_m=people - women,
                        booklets=0 if broadcast else rng.randint(0, people * 2),
                        flyers=0 if broadcast else rng.randint(0, people),
                        film_showings=rng.randint(1, 6) if kind == "airport" else 0,
                        posters=rng.randint(0, 10) if kind == "campaign" else 0,
                        programme=f"Programme {rng.randint(1, 20)}" if broadcast else "",
                        created_by=user,
                    )
                )
        made = Session.objects.bulk_create(sessions, batch_size=BATCH)
        through = Session.topics.through
        through.objects.bulk_create(
            [
                through(session_id=s.pk, category_id=code)
                for s in made
                for code in set(rng.choices(topics, k=rng.choice((1, 1, 2, 3))))
            ],
            batch_size=BATCH,
        )
        trainings = []
        for year in years:
            for i in range(TRAININGS_PER_YEAR):
                org = organisers[rng.choices(codes, weights=weights)[0]]
                starts = _held_on(rng, year, kind="training")
                trainings.append(
                    Training(
                        org=org,
                        title=f"Training {year}-{i + 1}",
                        starts_on=starts,
                        ends_on=starts + datetime.timedelta(days=rng.choice((0, 1, 2, 4))),
                        district_id=district_of(org),
                        created_by=user,
                    )
                )
        made_trainings = Training.objects.bulk_create(trainings, batch_size=BATCH)
        taught = {t.pk: rng.sample(topics, k=rng.randint(1, 3)) for t in made_trainings}
        Training.topics.through.objects.bulk_create(
            [
                Training.topics.through(training_id=pk, category_id=code)
                for pk, codes_taught in taught.items()
                for code in codes_taught
            ],
            batch_size=BATCH,
        )
        trainees = Trainee.objects.bulk_create(
            [
                Trainee(
                    training=t,
                    name=f"Trainee {t.pk}-{n}",
                    organisation=rng.choice(("Migration Service", "jamoat", "MSC", "committee")),
                    position=rng.choice(("specialist", "head", "")),
                    sex=rng.choice("FMM"),
                )
                for t in made_trainings
                for n in range(rng.randint(10, 25))
            ],
            batch_size=BATCH,
        )
        scores = []
        for trainee in trainees:
            for code in taught[trainee.training_id]:
                before = rng.randint(1, 7)
                scores.append(
                    Score(
                        trainee=trainee,
                        topic_id=code,
                        questions=QUESTIONS,
                        before=before,
                        after=min(QUESTIONS, before + rng.randint(0, 5)),
                    )
                )
        Score.objects.bulk_create(scores, batch_size=BATCH)
