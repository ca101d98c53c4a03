"""Timings of the case pages with 200,000 cases (docs/benchmarks.md, "MSC cases").

    D=$(mktemp -d); SAFAR_DATA_DIR=$D PYTHONPATH=src:. .venv/bin/python scripts/cases-timing.py

Runs on a fresh SQLite database in SAFAR_DATA_DIR (never ./var): 200,000 cases over four MSCs
and three years (a third open, follow-up dates around today), two people each, an opening event
each; then times the case list (default and filtered), the overdue list, a case's page with its
timeline, the phone lookup with open cases and the search before create, as a Dushanbe
supervisor. Not yet a `safar bench` command (CASES=n for another size).
"""

import datetime
import os
import random
import statistics
import time

import django


def timed(call, n=20) -> tuple[float, float]:
    """(median, max) in milliseconds of `n` calls; every answer must be a success."""
    spent = []
    for _ in range(n):
        start = time.perf_counter()
        response = call()
        spent.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return round(statistics.median(spent), 1), round(max(spent), 1)


def load(n_cases: int, consultants: dict) -> None:
    from django.db import transaction
    from django.utils import timezone

    from safar.core.models import Office
    from safar.helpdesk.models import Case, CaseEvent, CasePerson

    rng = random.Random(13)
    mscs = list(Office.objects.filter(code__in=consultants))
    now = timezone.now()
    today = timezone.localdate()
    statuses = [s for s in Case.Status.values if s != "closed"]
    names = ["Фирдавс", "Зарина", "Ҷамшед", "Нигора", "Алишер", "Мавзуна", "Рустам", "Гулнора"]
    surnames = ["Раҳимов", "Каримова", "Назаров", "Олимова", "Саидов", "Шарипова", "Юсуфов"]
    batch = 5000
    for start in range(0, n_cases, batch):
        rows, people, events = [], [], []
        for pk in range(start + 1, min(start + batch, n_cases) + 1):
            msc = mscs[pk % len(mscs)]
            opened = now - datetime.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            closed = rng.random() < 0.67
            rows.append(
                Case(
                    pk=pk,
                    msc=msc,
                    number=f"{msc.code}-{opened:%Y}-{pk:06d}",
                    case_type=rng.choice(Case.Type.values),
                    status="closed" if closed else rng.choice(statuses),
                    summary="Wages unpaid for months",
                    assigned_to=rng.choice(consultants[msc.code]),
                    follow_up_due=None
                    if closed
                    else today + datetime.timedelta(days=rng.randrange(-40, 60)),
                    opened_at=opened,
                    closed_at=opened + datetime.timedelta(days=30) if closed else None,
                )
            )
            for relation in ("migrant", "spouse"):
                name = f"{rng.choice(names)} {rng.choice(surnames)}"
                people.append(
                    CasePerson(
                        case_id=pk,
                        relation=relation,
                        name=name,
                        name_key=name.casefold(),
                        phone=f"+99293{rng.randrange(10**7):07d}",
                        passport=f"40{rng.randrange(10**7):07d}",
                    )
                )
            events.append(CaseEvent(case_id=pk, at=opened, kind="opened", to_status="open"))
        with transaction.atomic():
            Case.objects.bulk_create(rows)
            CasePerson.objects.bulk_create(people)
            CaseEvent.objects.bulk_create(events)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safar.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from tests.conftest import make_user

    from safar.helpdesk.models import Case, CasePerson

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    # A data folder that already holds the cases is timed again without loading them.
    supervisor = get_user_model().objects.filter(username="bench-supervisor").first()
    start = time.perf_counter()
    if supervisor is None:
        consultants = {
            code: [make_user(f"c-{code}-{i}", code, "consultant") for i in range(6)]
            for code in ("MSC-DU", "MSC-KH", "MSC-KU", "MSC-BO")
        }
        supervisor = make_user("bench-supervisor", "MSC-DU", "supervisor")
        consultants["MSC-DU"].append(supervisor)
        load(int(os.environ.get("CASES", "200000")), consultants)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    print(
        "cases",
        Case.objects.count(),
        "people",
        CasePerson.objects.count(),
        "loaded in s",
        round(time.perf_counter() - start, 1),
    )
    client = Client()
    client.force_login(supervisor)
    # The two-step sign-in is the middleware's: mark this session as verified the way the
    # tests' client does.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=supervisor, name="bench", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    mine = Case.objects.filter(assigned_to=supervisor).exclude(status="closed").first()
    person = CasePerson.objects.filter(case__msc__code="MSC-DU").first()
    pages = [
        ("GET /helpdesk/cases/ (open, by next follow-up)", lambda: client.get("/helpdesk/cases/")),
        (
            "GET /helpdesk/cases/?consultant=mine",
            lambda: client.get("/helpdesk/cases/", {"consultant": "mine"}),
        ),
        (
            "GET /helpdesk/cases/?status=plan_submitted&type=barred",
            lambda: client.get("/helpdesk/cases/", {"status": "plan_submitted", "type": "barred"}),
        ),
        (
            "GET /helpdesk/cases/?state=all&sort=opened&page=100",
            lambda: client.get("/helpdesk/cases/", {"state": "all", "sort": "opened", "page": 100}),
        ),
        ("GET /helpdesk/cases/overdue/", lambda: client.get("/helpdesk/cases/overdue/")),
        (
            "GET /helpdesk/cases/<id>/ (the case page and its timeline)",
            lambda: client.get(f"/helpdesk/cases/{mine.pk}/"),
        ),
        (
            "POST /helpdesk/lookup/ (with the open cases)",
            lambda: client.post("/helpdesk/lookup/", {"phone": person.phone}),
        ),
        (
            "POST /helpdesk/cases/new/ (search by name)",
            lambda: client.post("/helpdesk/cases/new/", {"search": "1", "search_name": "Раҳимов"}),
        ),
        (
            "POST /helpdesk/cases/new/ (search by phone)",
            lambda: client.post(
                "/helpdesk/cases/new/", {"search": "1", "search_phone": person.phone}
            ),
        ),
        (
            "GET /api/helpdesk/cases?overdue=true",
            lambda: client.get("/api/helpdesk/cases", {"overdue": "true"}),
        ),
    ]
    for label, call in pages:
        print(f"{label}: median, max ms", timed(call))


if __name__ == "__main__":
    main()
