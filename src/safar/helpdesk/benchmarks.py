"""`safar bench helpdesk --contacts N --cases M [--database-url URL]`: the MSC pages at scale.

Generates N contacts and M cases (safar.helpdesk.synthetic, four MSCs), loads them in bulk into
a benchmark database of its own, then times what a consultant of the busiest MSC (Dushanbe)
waits for, each target --runs times after a warm-up (median and 95th percentile):

- the contact form's caller lookup (POST /helpdesk/lookup/) for a frequent and a rare number;
- the case list with filters, the overdue list, one case's detail and timeline.

Each target is a (name, callable) pair in `targets()`: a page requested through Django's test
client, signed in as the consultant (two steps done), or — for the case pages until their URLs
exist — the queries those pages run. When a URL name in CASE_PAGES resolves, its page is timed
too, so the benchmark follows the pages as they land.

The configured database is never touched: without --database-url the benchmark uses a SQLite
file of its own in $SAFAR_DATA_DIR/bench/ (fresh unless --keep); a PostgreSQL URL must name a
database whose name contains "bench" (created when missing; emptied first with --fresh).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from safar.core.benchmarks import benchmark, rerun_against, running_against

TARGET_MS = 200
BUSIEST_MSC = "MSC-DU"
# The case pages (built on the cases-pages branch) by URL name, with the query string each is
# timed with; a name that does not resolve yet is skipped and its queries are timed instead.
CASE_PAGES = (
    ("case list, open, mine, by follow-up (page)", "helpdesk:cases", "?consultant=mine"),
    ("case list, open, by follow-up (page)", "helpdesk:cases", ""),
    (
        "case list, follow-up, family, newest (page)",
        "helpdesk:cases",
        "?status=follow_up&type=family&sort=opened",
    ),
    ("overdue list (page)", "helpdesk:cases_overdue", ""),
)
CASE_DETAIL_PAGE = ("case detail with timeline (page)", "helpdesk:case")

Target = tuple[str, Callable[[], Any]]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="safar bench helpdesk", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--contacts", type=int, required=True, metavar="N")
    parser.add_argument("--cases", type=int, required=True, metavar="M")
    parser.add_argument(
        "--database-url",
        "--database",
        dest="database_url",
        help="sqlite:///file or postgres://…/name_with_bench",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per target (≥ 5)")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it already holds the data"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="empty the --database-url database first"
    )
    args = parser.parse_args(argv)
    if args.contacts <= 0 or args.cases < 0:
        parser.error("--contacts: give a positive number; --cases: zero or more")
    if args.runs < 5:
        parser.error("--runs: at least 5")
    return args


@benchmark("helpdesk")
def run_benchmark(argv: list[str]) -> int:
    args = parse(argv)
    url = args.database_url or _default_url(args.contacts, args.cases)
    if not running_against(url):
        fresh = args.fresh or (args.database_url is None and not args.keep)
        return rerun_against(url, name="helpdesk", argv=argv, fresh=fresh)
    return _run(args)


def _default_url(contacts: int, cases: int) -> str:
    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'helpdesk-{contacts}-{cases}.sqlite3'}"


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from safar.helpdesk.models import Contact

    say(
        f"# safar bench helpdesk --contacts {args.contacts:,} --cases {args.cases:,} on "
        f"{connection.vendor} ({connection.settings_dict['NAME']})"
    )
    say(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; python "
        f"{platform.python_version()}; date {datetime.date.today()}; load average "
        f"{_load_average()}"
    )
    call_command("migrate", verbosity=0, interactive=False)
    stored = Contact.objects.count()
    if stored and not (args.keep and stored == args.contacts):
        raise SystemExit(
            f"the benchmark database holds {stored:,} contacts; give an empty database "
            "(--fresh), or --keep to reuse one with exactly --contacts contacts"
        )
    staff = _staff()
    today = timezone.localdate()
    if not stored:
        _load(args, staff, today)
    else:
        # Statistics for whatever a migration added since the load (an index).
        _analyze()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # Fold the write-ahead log (large after the load) into the file, as production reads it.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    user = _user(staff)
    _describe(user, today)
    say(f"\nload average before timing: {_load_average()}")
    results = [(name, _time(func, args.runs)) for name, func in targets(user, today)]
    _report(results, args.runs)
    say(f"load average after timing: {_load_average()}")
    worst = max(p95 for _name, (_median, p95) in results)
    say(
        f"slowest p95: {worst:.1f} ms (target: under {TARGET_MS} ms) — "
        f"{'MET' if worst < TARGET_MS else 'MISSED'}"
    )
    return 0


def _staff():
    from safar.helpdesk.synthetic import MSC_SHARE, staff_users

    # About one consultant per 15,000 contacts a centre takes, and two supervisors.
    return staff_users(list(MSC_SHARE), consultants=6, supervisors=2, prefix="bench")


def _user(staff):
    from safar.core.models import User

    return User.objects.get(pk=staff[BUSIEST_MSC].consultants[0])


def _load(args: argparse.Namespace, staff, today: datetime.date) -> None:

    from safar.helpdesk.synthetic import load_helpdesk

    started = time.perf_counter()
    loaded = load_helpdesk(
        args.contacts, args.cases, seed=args.seed, today=today, staff=staff, progress=say
    )
    seconds = time.perf_counter() - started
    _analyze()
    rows = sum(loaded.counts.values())
    say(
        f"load: {loaded}\n  {rows:,} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s); "
        f"analyze {time.perf_counter() - started - seconds:.0f} s"
    )


def _describe(user, today: datetime.date) -> None:
    """What the consultant's MSC holds: the sizes the timed queries work through."""
    from safar.helpdesk.models import Case, Contact

    cases = Case.objects.visible_to(user)
    frequent, _rare = _numbers(user)
    say(
        f"{BUSIEST_MSC}: {Contact.objects.visible_to(user).count():,} contacts, "
        f"{cases.count():,} cases ({cases.open().count():,} open, "
        f"{cases.overdue(today).count():,} overdue, {cases.open().filter(assigned_to=user).count():,} "
        f"open assigned to the timed consultant); the frequent number called "
        f"{Contact.objects.visible_to(user).filter(caller__phone=frequent).count()} times"
    )


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh statistics (and, on PostgreSQL, a visibility map for index-only scans; VACUUM
        # cannot run inside a transaction, as in the tests).
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def signed_in_client(user):
    """A test client signed in as `user`, the second sign-in step done as after a code."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safar.core.roles import requires_two_factor

    client = Client()
    client.force_login(user)
    if requires_two_factor(user):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _page(client, method: str, url: str, data: dict | None = None) -> Callable[[], Any]:
    def request():
        response = getattr(client, method)(url, data or {})
        if response.status_code != 200:
            raise SystemExit(f"{method.upper()} {url}: {response.status_code}")
        return response

    return request


def targets(user, today: datetime.date) -> list[Target]:
    """What is timed, as (name, callable) pairs: pages where they exist, else their queries."""
    from django.urls import NoReverseMatch, reverse

    client = signed_in_client(user)
    frequent, rare = _numbers(user)
    lookup = reverse("helpdesk:lookup")
    found: list[Target] = [
        (
            "caller lookup, frequent caller (page)",
            _page(client, "post", lookup, {"phone": frequent}),
        ),
        ("caller lookup, one-time caller (page)", _page(client, "post", lookup, {"phone": rare})),
    ]
    found += case_queries(user, today)
    for name, url_name, query in CASE_PAGES:
        try:
            found.append((name, _page(client, "get", reverse(url_name) + query)))
        except NoReverseMatch:
            pass
    case = _busiest_case(user)
    try:
        url = reverse(CASE_DETAIL_PAGE[1], args=[case.pk])
    except NoReverseMatch:
        pass
    else:
        found.append((CASE_DETAIL_PAGE[0], _page(client, "get", url)))
    return found


def _numbers(user) -> tuple[str, str]:
    """A number that called the consultant's MSC most often, and one that called once."""
    from django.db.models import Count

    from safar.helpdesk.models import Caller

    callers = (
        Caller.objects.visible_to(user)
        .exclude(phone="")
        .annotate(n=Count("contacts"))
        .order_by("-n", "id")
    )
    frequent = callers.values_list("phone", flat=True)[0]
    rare = callers.filter(n=1).order_by("id").values_list("phone", flat=True)[0]
    return frequent, rare


def _busiest_case(user):
    """The case with the longest timeline among the consultant's MSC's."""
    from django.db.models import Count

    from safar.helpdesk.models import Case

    return (
        Case.objects.visible_to(user).annotate(n=Count("events")).order_by("-n", "id").only("pk")[0]
    )


def case_queries(user, today: datetime.date) -> list[Target]:
    """The queries the case pages run (the list with filters, the overdue list, one case's
    detail and timeline), timed until the pages themselves can be."""
    from django.db.models import Count, F, Q

    from safar.helpdesk.models import Case, CaseEvent, CaseNote, Contact, Referral, Service

    visible = Case.objects.visible_to(user).select_related("assigned_to")
    case_id = _busiest_case(user).pk

    def page_of(queryset) -> Callable[[], Any]:
        # A list page shows the first 50, how many there are, and the counts above the list.
        return lambda: (list(queryset[:50]), queryset.count(), counts())

    def counts():
        open_ = ~Q(status=Case.Status.CLOSED)
        return Case.objects.visible_to(user).aggregate(
            open=Count("pk", filter=open_),
            overdue=Count("pk", filter=open_ & Q(follow_up_due__lt=today)),
            mine=Count("pk", filter=open_ & Q(assigned_to=user)),
            awaiting=Count("pk", filter=Q(status__in=["plan_submitted", "closure_requested"])),
        )

    by_follow_up = (F("follow_up_due").asc(nulls_last=True), "-opened_at", "-id")

    def detail_and_timeline():
        case = visible.get(pk=case_id)
        people = list(case.people.all())
        referrals = list(Referral.objects.filter(case=case).select_related("partner"))
        timeline = sorted(
            [
                *((e.at, "event", e) for e in CaseEvent.objects.filter(case=case)),
                *((n.written_at, "note", n) for n in CaseNote.objects.filter(case=case)),
                *((s.recorded_at, "service", s) for s in Service.objects.filter(case=case)),
                *(
                    (c.received_at, "contact", c)
                    for c in Contact.objects.filter(case=case).prefetch_related("categories")
                ),
            ],
            key=lambda item: item[0],
        )
        return case, people, referrals, timeline

    return [
        (
            "case list, open, mine, by follow-up (query)",
            page_of(visible.open().filter(assigned_to=user).order_by(*by_follow_up)),
        ),
        ("case list, open, by follow-up (query)", page_of(visible.open().order_by(*by_follow_up))),
        (
            "case list, follow-up, family, newest (query)",
            page_of(
                visible.filter(status="follow_up", case_type="family").order_by("-opened_at", "-id")
            ),
        ),
        (
            "overdue list (query)",
            # Paginated like the lists, without their counts.
            lambda: (
                list(visible.overdue(today).order_by("follow_up_due", "id")[:50]),
                visible.overdue(today).count(),
            ),
        ),
        ("case detail with timeline (query)", detail_and_timeline),
    ]


def _time(func: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median and 95th percentile in ms of `runs` calls after one warm-up."""
    func()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95


def _report(results: list[tuple[str, tuple[float, float]]], runs: int) -> None:
    say(f"\n| target ({runs} runs) | median | p95 | under {TARGET_MS} ms |")
    say("|---|---:|---:|---|")
    for name, (median, p95) in results:
        say(f"| {name} | {median:.1f} ms | {p95:.1f} ms | {'yes' if p95 < TARGET_MS else 'NO'} |")
