"""Realistic synthetic crossings, seeded and deterministic, for the demo and the benchmarks.

A day-by-day simulation: each day some people set off (mostly citizens leaving for work in
Russia, also Kazakhstan, Turkey, the Emirates, Korea…; citizens travelling for study, family or
business; foreigners from Uzbekistan, Afghanistan, China, Kyrgyzstan, Russia… arriving), and
everyone already travelling comes back or leaves again when their time is up. Work trips follow
the seasons; some people never come back, some after days, some after years. Rows come out in
date order, in the import CSV format, and the number of rows per day is steered so that exactly
`n` rows span the period. People who left before the period starts come back during it (their
entry has no exit before it, as in real historical data).

Nothing here touches the database except `load_synthetic`, the fast loader for big benchmarks.
"""

import csv
import random
from bisect import bisect
from collections.abc import Iterator
from datetime import date
from itertools import accumulate
from pathlib import Path

COLUMNS = (
    "card_number",
    "direction",
    "crossed_on",
    "border_point",
    "citizenship",
    "passport_number",
    "birth_date",
    "sex",
    "purpose",
    "country",
    "region",
    "surname",
    "given_names",
    "district",
)
DEFAULT_START = date(2023, 1, 1)
DEFAULT_END = date(2026, 11, 20)


class _Pick:
    """A weighted choice driven by one uniform random number (faster than random.choices)."""

    def __init__(self, weighted: dict):
        self.items = list(weighted)
        self.cum = list(accumulate(weighted.values()))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


# Roughly the shape of Tajik labour migration: who goes where, for what, through which point.
SEASON = (0.8, 0.9, 1.3, 1.4, 1.2, 1.0, 0.9, 0.9, 0.9, 1.0, 1.0, 1.1)  # new departures by month
KIND = _Pick({"worker": 0.62, "visitor": 0.20, "foreigner": 0.18})
REGION = _Pick({"TJ-KT": 0.36, "TJ-SU": 0.27, "TJ-RA": 0.22, "TJ-DU": 0.10, "TJ-GB": 0.05})
WORK_DESTINATION = _Pick(
    {
        "RUS": 0.80,
        "KAZ": 0.07,
        "TUR": 0.03,
        "ARE": 0.02,
        "KOR": 0.02,
        "UZB": 0.02,
        "KGZ": 0.01,
        "LTU": 0.01,
        "POL": 0.01,
        "DEU": 0.005,
        "USA": 0.005,
    }
)
VISIT_PURPOSE = _Pick(
    {
        "private": 0.45,
        "study": 0.15,
        "tourism": 0.15,
        "business": 0.12,
        "official": 0.05,
        "other": 0.05,
        "transit": 0.03,
    }
)
VISIT_DESTINATION = _Pick(
    {
        "RUS": 0.40,
        "TUR": 0.12,
        "UZB": 0.12,
        "ARE": 0.08,
        "KAZ": 0.06,
        "CHN": 0.05,
        "IRN": 0.04,
        "KGZ": 0.04,
        "DEU": 0.03,
        "USA": 0.03,
        "SAU": 0.03,
    }
)
FOREIGN_CITIZENSHIP = _Pick(
    {
        "UZB": 0.30,
        "AFG": 0.14,
        "CHN": 0.14,
        "RUS": 0.12,
        "KGZ": 0.10,
        "TUR": 0.05,
        "IRN": 0.05,
        "KAZ": 0.04,
        "IND": 0.02,
        "PAK": 0.02,
        "DEU": 0.01,
        "USA": 0.01,
    }
)
FOREIGN_PURPOSE = _Pick(
    {
        "business": 0.30,
        "private": 0.25,
        "tourism": 0.15,
        "work": 0.15,
        "transit": 0.10,
        "official": 0.05,
    }
)
# Land borders: Uzbekistan (Fotehobod), Kyrgyzstan (Karamyk), Afghanistan (Panji Poyon),
# China (Kulma); everything else flies, from the traveller's nearest airport.
LAND = {
    "UZB": _Pick({"FTH": 0.75, "DYU": 0.10, "LBD": 0.15}),
    "KGZ": _Pick({"KRM": 0.70, "LBD": 0.15, "DYU": 0.15}),
    "AFG": _Pick({"PNP": 0.85, "DYU": 0.15}),
    "CHN": _Pick({"KLM": 0.40, "DYU": 0.60}),
}
AIRPORT = {
    "TJ-SU": _Pick({"LBD": 0.60, "DYU": 0.38, "KQT": 0.02}),
    "TJ-KT": _Pick({"DYU": 0.55, "KQT": 0.25, "TJU": 0.20}),
    "": _Pick({"DYU": 0.90, "LBD": 0.06, "KQT": 0.04}),
}
WORK_TRIP = _Pick({"short": 0.10, "season": 0.62, "long": 0.15, "years": 0.05, "never": 0.08})
WORK_TRIP_DAYS = {"short": (7, 60), "season": (120, 330), "long": (331, 720), "years": (721, 1800)}

MALE = (
    "Karim",
    "Rustam",
    "Jamshed",
    "Firdavs",
    "Sharif",
    "Davlat",
    "Ismoil",
    "Farrukh",
    "Bahrom",
    "Umed",
    "Suhrob",
    "Anvar",
    "Behruz",
    "Parviz",
    "Zafar",
    "Nurullo",
    "Mirzo",
)
FEMALE = (
    "Madina",
    "Zarina",
    "Nigina",
    "Malika",
    "Shahnoza",
    "Gulnora",
    "Firuza",
    "Mehrona",
    "Parvina",
    "Dilnoza",
    "Sitora",
    "Manizha",
    "Tahmina",
    "Nilufar",
)
SURNAMES = (
    "Rahimov",
    "Karimov",
    "Nazarov",
    "Safarov",
    "Sharipov",
    "Davlatov",
    "Ismoilov",
    "Nurov",
    "Abdulloev",
    "Mirzoev",
    "Saidov",
    "Rustamov",
    "Usmonov",
    "Qodirov",
    "Yusufov",
    "Hasanov",
    "Zokirov",
    "Sodiqov",
    "Aliev",
    "Sattorov",
)
FOREIGN_NAMES = (
    "Alimov",
    "Wang",
    "Li",
    "Zhang",
    "Ahmadi",
    "Rahimi",
    "Ivanov",
    "Petrov",
    "Yilmaz",
    "Tashkentov",
    "Asanov",
    "Kurbanov",
    "Sultani",
    "Hosseini",
    "Smith",
)
PASSPORT_PREFIX = {"UZB": "AA", "AFG": "P", "CHN": "E", "KGZ": "AC", "RUS": "75", "TUR": "U"}


class _Person:
    __slots__ = (
        "citizenship",
        "passport",
        "birth",
        "sex",
        "region",
        "district",
        "surname",
        "given",
        "kind",
        "index",
        "seen",
    )


def _new_person(
    rng: random.Random, index: int, kind: str, start_ord: int, districts: dict
) -> _Person:
    p = _Person()
    p.index, p.kind, p.seen = index, kind, False
    if kind == "foreigner":
        p.citizenship = FOREIGN_CITIZENSHIP(rng)
        p.passport = f"{PASSPORT_PREFIX.get(p.citizenship, 'X')}{(index * 7919) % 10**7:07d}"
        p.sex = "M" if rng.random() < 0.75 else "F"
        age = 22 + rng.random() * 40
        p.region = p.district = ""
        p.surname = FOREIGN_NAMES[int(rng.random() * len(FOREIGN_NAMES))]
    else:
        p.citizenship = "TJK"
        # A permutation of the index: unique, but not in the order people appear.
        p.passport = str(400000000 + (index * 7919) % 100000000)
        p.sex = "M" if rng.random() < (0.86 if kind == "worker" else 0.55) else "F"
        if kind == "worker":
            age = 18 + rng.triangular(0, 37, 9)
        else:
            age = 8 + rng.random() * 62
        p.region = REGION(rng)
        options = districts.get(p.region)
        p.district = options[int(rng.random() * len(options))] if options else ""
        surname = SURNAMES[int(rng.random() * len(SURNAMES))]
        p.surname = surname if p.sex == "M" else surname + "a"
    names = MALE if p.sex == "M" else FEMALE
    p.given = names[int(rng.random() * len(names))]
    p.birth = date.fromordinal(start_ord - int(age * 365.25)).isoformat()
    return p


def _departure(rng: random.Random, person: _Person) -> tuple[str, str, str]:
    """(purpose, country, border point) of a citizen's next trip out."""
    if person.kind == "worker":
        purpose, country = "work", WORK_DESTINATION(rng)
    else:
        purpose, country = VISIT_PURPOSE(rng), VISIT_DESTINATION(rng)
    return purpose, country, _border_point(rng, country, person.region)


def _border_point(rng: random.Random, country: str, region: str) -> str:
    land = LAND.get(country)
    if land is not None and (country != "CHN" or rng.random() < 0.5):
        return land(rng)
    return AIRPORT.get(region, AIRPORT[""])(rng)


def _away_days(rng: random.Random, person: _Person, purpose: str) -> int | None:
    """Days until a traveller comes back (citizens) or leaves again (foreigners); None = never."""
    if person.kind == "worker":
        trip = WORK_TRIP(rng)
        if trip == "never":
            return None
        lo, hi = WORK_TRIP_DAYS[trip]
        return lo + int(rng.random() * (hi - lo))
    if person.kind == "foreigner":
        if rng.random() < 0.03:
            return None
        return 60 + int(rng.random() * 240) if purpose == "work" else 2 + int(rng.random() * 28)
    if rng.random() < 0.03:
        return None
    return 120 + int(rng.random() * 180) if purpose == "study" else 3 + int(rng.random() * 42)


def _home_days(rng: random.Random, person: _Person) -> int | None:
    """Days before the next trip, or None when this traveller does not travel again."""
    if person.kind == "worker":
        return 30 + int(rng.random() * 120) if rng.random() < 0.65 else None
    if rng.random() < (0.3 if person.kind == "foreigner" else 0.25):
        return 30 + int(rng.random() * 330)
    return None


def simulate(
    n: int,
    seed: int = 0,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    districts: dict | None = None,
) -> Iterator[tuple]:
    """Yield `n` crossings in date order as tuples: the COLUMNS, the traveller's index, and
    whether this is the traveller's first row.

    The traveller index numbers distinct people from 0 (the fast loader derives ids from it).
    """
    if n <= 0:
        return
    rng = random.Random(seed)
    districts = districts or {}
    start_ord, end_ord = start.toordinal(), end.toordinal()
    ndays = end_ord - start_ord + 1
    weights = list(
        accumulate(SEASON[date.fromordinal(start_ord + i).month - 1] for i in range(ndays))
    )
    card_prefix = f"{100 + seed % 900}"
    # Crossings to come, by day: (person, direction, purpose, country, border point). Within a
    # day they happen in the order they were planned; beyond the period they never happen.
    pending: dict[int, list] = {}
    people = 0
    # People already away when the period starts come back during its first months.
    for _ in range(int(n / ndays * 40)):
        person = _new_person(rng, people, "worker", start_ord, districts)
        people += 1
        purpose, country, bp = _departure(rng, person)
        back = start_ord + int(rng.random() * 300)
        pending.setdefault(back, []).append((person, "entry", purpose, country, bp))
    emitted = 0
    for i in range(ndays):
        today = start_ord + i
        iso = date.fromordinal(today).isoformat()
        todays = pending.pop(today, [])
        target = round(n * weights[i] / weights[-1])
        for _ in range(max(0, target - emitted - len(todays))):
            kind = KIND(rng)
            person = _new_person(rng, people, kind, start_ord, districts)
            people += 1
            if kind == "foreigner":
                purpose = FOREIGN_PURPOSE(rng)
                country = person.citizenship
                bp = _border_point(rng, country, "")
                todays.append((person, "entry", purpose, country, bp))
            else:
                todays.append((person, "exit", *_departure(rng, person)))
        for person, direction, purpose, country, bp in todays:
            if emitted == n:
                return
            emitted += 1
            first = not person.seen
            person.seen = True
            yield (
                f"{card_prefix}{emitted:09d}",
                direction,
                iso,
                bp,
                person.citizenship,
                person.passport,
                person.birth,
                person.sex,
                purpose,
                country,
                person.region,
                person.surname,
                person.given,
                person.district,
                person.index,
                first,
            )
            following = _follow_up(rng, person, direction, purpose, country, bp)
            if following is not None and today + following[0] <= end_ord:
                pending.setdefault(today + following[0], []).append((person, *following[1:]))
        if emitted == n:
            return


def _follow_up(rng, person, direction, purpose, country, bp):
    """The traveller's next crossing after this one: (days later, direction, purpose, country, bp)."""
    going_out = direction == "exit"
    if going_out == (person.kind != "foreigner"):
        # Citizens after an exit, foreigners after an entry: the end of this trip.
        days = _away_days(rng, person, purpose)
        if days is None:
            return None
        back = "entry" if going_out else "exit"
        return max(days, 1), back, purpose, country, bp
    days = _home_days(rng, person)
    if days is None:
        return None
    if person.kind == "foreigner":
        return days, "entry", FOREIGN_PURPOSE(rng), country, _border_point(rng, country, "")
    return days, "exit", *_departure(rng, person)


def rows(
    n: int,
    seed: int = 0,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    districts: dict | None = None,
) -> Iterator[dict]:
    """`n` crossings as dicts in the import CSV format (COLUMNS), in date order."""
    for row in simulate(n, seed, start, end, districts):
        yield dict(zip(COLUMNS, row[:-2], strict=True))


def districts_by_region() -> dict[str, list[str]]:
    """The stored districts, by region code (for realistic district columns)."""
    from safar.core.models import District

    out: dict[str, list[str]] = {}
    for code, region in District.objects.order_by("code").values_list("code", "region_id"):
        out.setdefault(region, []).append(code)
    return out


def write_csv(
    path: Path | str,
    n: int,
    seed: int = 0,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    districts: dict | None = None,
) -> int:
    """Write `n` synthetic crossings to an import CSV file; returns the number of rows."""
    if districts is None:
        districts = districts_by_region()
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in simulate(n, seed, start, end, districts):
            writer.writerow(row[:-2])
            written += 1
    return written


def load_synthetic(
    n: int,
    seed: int = 0,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    *,
    progress: bool = False,
) -> int:
    """Insert `n` synthetic crossings straight into an empty registry, then rebuild the cells.

    For benchmarks at national scale (tens of millions of rows): no validation and no per-row
    work beyond the insert; the cells come from one set-based recomputation at the end.
    Returns the number of crossings stored.
    """
    from django.db import transaction

    from .aggregates import rebuild_all
    from .bulk import indexes_deferred, insert_crossings, insert_travellers, sync_sequences
    from .models import Crossing, Traveller

    if Crossing.objects.exists() or Traveller.objects.exists():
        raise RuntimeError("load_synthetic needs an empty registry (no travellers, no crossings)")
    districts = districts_by_region()
    travellers, crossings = [], []
    stored = 0
    bar = _progress(n, progress)

    def flush():
        with transaction.atomic():
            insert_travellers(travellers)
            insert_crossings(crossings, source="import")
        bar.update(len(crossings))
        travellers.clear()
        crossings.clear()

    with indexes_deferred(
        [(model, index) for model in (Crossing, Traveller) for index in model._meta.indexes]
    ):
        for row in simulate(n, seed, start, end, districts):
            stored += 1
            traveller_id = row[14] + 1
            if row[15]:
                travellers.append((traveller_id, row[4], row[5], row[6]))
            crossings.append(
                (
                    stored,
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    traveller_id,
                    row[11],
                    row[12],
                    row[7],
                    row[8],
                    row[9],
                    row[10] or None,
                    row[13] or None,
                )
            )
            if len(crossings) >= 100_000:
                flush()
        flush()
        bar.close()
    sync_sequences()
    rebuild_all()
    return stored


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, unit="rows", unit_scale=True, mininterval=1)
