"""Demo logins for the MSC helpdesk and a month of synthetic contacts at the four MSCs.

The contacts end yesterday (the demo is loaded today); a fixed seed makes every load the same.
Loaded once: a database that already has contacts is left alone."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from safar.core.demo import DemoUser, register_loader, register_users
from safar.core.models import Office

from .apps import CONSULTANT, COORDINATOR, PARTNER, SUPERVISOR
from .models import Caller, Category, Contact
from .phones import normalise_phone

DAYS = 30
MSCS = {"MSC-DU": "TJ-DU", "MSC-KH": "TJ-SU", "MSC-KU": "TJ-KT", "MSC-BO": "TJ-KT"}
GIVEN = (
    "Фарзона",
    "Манучеҳр",
    "Нигора",
    "Фирдавс",
    "Зарина",
    "Бахтовар",
    "Шаҳло",
    "Сино",
    "Мавзуна",
    "Ҷамшед",
)
SURNAMES = (
    "Раҳимов",
    "Назарова",
    "Шарипов",
    "Каримова",
    "Давлатов",
    "Саидова",
    "Ҳасанов",
    "Олимова",
)
# Weights: what the MSCs hear about most (documents, entry bans and wages, in that order).
TOPICS = (
    ("documents/patent", 14),
    ("entry_ban/check", 14),
    ("documents/registration", 9),
    ("work/wages_unpaid", 9),
    ("entry_ban/explain", 6),
    ("recruitment/vacancies", 6),
    ("documents/passport", 5),
    ("return/domestic_jobs", 5),
    ("family/legal", 4),
    ("work/contract", 4),
    ("remittances/transfer", 3),
    ("detention/deportation", 3),
    ("missing_migrant/search", 2),
    ("family/psychological", 2),
    ("work/injury", 2),
    ("health/medical", 2),
    ("trafficking/forced_labour", 1),
    ("entry_ban/appeal", 2),
    ("recruitment/agency_complaint", 1),
    ("other/other", 3),
)
NON_DATA = ("silent", "hang_up", "prank", "test", "wrong_number")

register_users(
    DemoUser(
        "consultant-du",
        "safar-consultant",
        "MSC-DU",
        (CONSULTANT,),
        "consultant of the Dushanbe MSC: logs hotline contacts (two-step sign-in)",
    ),
    DemoUser(
        "supervisor-du",
        "safar-supervisor",
        "MSC-DU",
        (SUPERVISOR,),
        "supervisor of the Dushanbe MSC (two-step sign-in)",
    ),
    DemoUser(
        "coordinator",
        "safar-coordinator",
        "MS",
        (COORDINATOR,),
        "MSC coordinator at the Migration Service: every MSC's contacts, read only",
    ),
    DemoUser(
        "partner",
        "safar-partner",
        "IOM-TJ",
        (PARTNER,),
        "partner organisation (IOM): will see the referrals sent to it",
    ),
)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.3:  # migrants calling from Russia
        return normalise_phone(
            f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        )
    prefix = rng.choice(("93", "92", "91", "90", "98", "88", "55"))
    return normalise_phone(f"{prefix} {rng.randint(100, 999)} {rng.randint(1000, 9999)}")


def _callers(rng: random.Random, msc: Office, region: str) -> list[Caller]:
    callers = []
    for phone in sorted({_phone(rng) for _ in range(160)}):
        callers.append(
            Caller(
                msc=msc,
                phone=phone,
                name=f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
                sex=rng.choice("FFMMMU"),
                age_band=rng.choice(
                    ("18-24", "25-34", "25-34", "35-44", "45-54", "55+", "unknown")
                ),
                region_id=region,
            )
        )
    return Caller.objects.bulk_create(callers)


@transaction.atomic
def load_demo_contacts(stdout) -> None:
    if Contact.objects.exists():
        return
    rng = random.Random(13)
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=False)}
    codes, weights = zip(*TOPICS, strict=True)
    first_day = timezone.localdate() - datetime.timedelta(days=DAYS)
    tz = timezone.get_current_timezone()
    topics_of: list[tuple[Contact, list[str]]] = []
    for code, region in MSCS.items():
        msc = Office.objects.get(code=code)
        callers = _callers(rng, msc, region)
        contacts = []
        for day in range(DAYS):
            date = first_day + datetime.timedelta(days=day)
            for _ in range(rng.randint(6, 18) if date.weekday() < 5 else rng.randint(0, 4)):
                at = datetime.datetime.combine(
                    date, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tz
                )
                channel = rng.choices(("phone", "walk_in", "online", "outreach"), (70, 15, 10, 5))[
                    0
                ]
                if channel == "phone" and rng.random() < 0.22:
                    contacts.append(
                        Contact(
                            msc=msc, received_at=at, channel=channel, call_type=rng.choice(NON_DATA)
                        )
                    )
                    continue
                contact = Contact(
                    msc=msc,
                    received_at=at,
                    channel=channel,
                    call_type="data",
                    caller=rng.choice(callers),
                    about=rng.choices(("self", "family_member", "other"), (60, 35, 5))[0],
                    migrant_location_id=rng.choices(("RUS", "KAZ", "TUR", "TJK"), (70, 10, 5, 15))[
                        0
                    ],
                    outcome=rng.choices(
                        ("information", "referred", "case_opened", "callback"), (70, 15, 5, 10)
                    )[0],
                    duration_s=rng.randint(60, 1200),
                )
                contacts.append(contact)
                topics_of.append((contact, rng.choices(codes, weights, k=rng.choice((1, 1, 2)))))
        Contact.objects.bulk_create(contacts)
    Through = Contact.categories.through
    Through.objects.bulk_create(
        [
            Through(contact_id=c.pk, category_id=code)
            for c, picked in topics_of
            for code in set(picked)
            if code in categories
        ]
    )
    checks = _demo_ban_checks(rng, topics_of)
    stdout.write(
        f"Demo helpdesk: {Contact.objects.count()} contacts at {len(MSCS)} MSCs over {DAYS} days"
        f" ({checks} with a stay calculation)."
    )


def _demo_ban_checks(rng: random.Random, topics_of: list[tuple[Contact, list[str]]]) -> int:
    """Half the calls about checking a ban keep a stay calculation: one to three earlier trips
    of 40–160 days (the caller back home, or still in Russia on the latest), as callers tell
    them; about a third of them went over the 90 days."""
    from .services import keep_ban_check
    from .staycheck import clean_ban_check

    kept = 0
    for contact, picked in topics_of:
        if "entry_ban/check" not in picked or rng.random() < 0.5:
            continue
        day = timezone.localdate(contact.received_at)
        trips: list[dict[str, str | None]] = []
        start = day - datetime.timedelta(days=rng.randint(400, 900))
        for _ in range(rng.randint(1, 3)):
            length = rng.choice((40, 60, 85, 90, 100, 120, 160))
            left = start + datetime.timedelta(days=length - 1)
            if left >= day:
                break
            trips.append({"entered": start.isoformat(), "left": left.isoformat()})
            start = left + datetime.timedelta(days=rng.randint(60, 240))
        if contact.migrant_location_id == "RUS" and start < day:
            trips.append({"entered": start.isoformat(), "left": None})
        errors: dict[str, list[str]] = {}
        data = clean_ban_check(
            {"trips": trips}, default_as_of=day, today=day, errors=errors, prefix="ban_check"
        )
        if data is not None:
            keep_ban_check(contact, data)
            kept += 1
    return kept


register_loader(load_demo_contacts, order=60)
