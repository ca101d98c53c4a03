"""Every report equals a naive computation straight from the crossings, on random data.

The data are random travellers with random histories (citizens and foreigners, same-day
crossings, unknown regions, birthdays near crossing dates), stored card by card through
create_crossing and then corrected and deleted at random, so the cells are the ones the write
path keeps. Periods and filters are random too.
"""

import random
from datetime import date, timedelta

import pytest

from safar.crossings.models import Crossing
from safar.crossings.services import delete_crossing, update_crossing
from safar.reports.standard import REPORTS

from .naive import load, reference
from .world import cross

pytestmark = pytest.mark.django_db

BORDER_POINTS = ("DYU", "LBD", "FTH", "KRM")
COUNTRIES = ("RUS", "KAZ", "TUR", "UZB")
PURPOSES = ("work", "study", "private", "tourism")
REGIONS = ("TJ-DU", "TJ-SU", "TJ-KT", None)
START = date(2022, 11, 1)


def random_world(rng: random.Random, travellers: int = 40) -> None:
    for t in range(travellers):
        citizenship = "TJK" if rng.random() < 0.8 else rng.choice(("UZB", "AFG", "RUS"))
        birth = date(rng.randint(1950, 2020), rng.randint(1, 12), rng.randint(1, 28))
        sex, region = rng.choice("MF"), rng.choice(REGIONS)
        day = START + timedelta(days=rng.randint(0, 400))
        direction = rng.choice(("exit", "entry"))
        for _ in range(rng.randint(1, 6)):
            cross(
                direction,
                day,
                who=f"R{t}",
                citizenship=citizenship,
                birth=birth,
                sex=sex,
                border_point=rng.choice(BORDER_POINTS),
                purpose=rng.choice(PURPOSES),
                country=rng.choice(COUNTRIES),
                region=region,
            )
            # Mostly alternating, sometimes the same direction twice or the same day.
            if rng.random() < 0.85:
                direction = "entry" if direction == "exit" else "exit"
            day += timedelta(days=rng.choice((0, 1, 30, 31, 90, 91, rng.randint(2, 400))))


def random_edits(rng: random.Random, n: int) -> None:
    ids = list(Crossing.objects.values_list("pk", flat=True))
    for pk in rng.sample(ids, n):
        crossing = Crossing.objects.get(pk=pk)
        if rng.random() < 0.3:
            delete_crossing(user=None, crossing=crossing)
            continue
        change = rng.choice(
            (
                {"crossed_on": crossing.crossed_on + timedelta(days=rng.randint(-60, 60))},
                {"direction": "entry" if crossing.direction == "exit" else "exit"},
                {"country": rng.choice(COUNTRIES)},
                {"sex": rng.choice("MF")},
            )
        )
        update_crossing(user=None, crossing=crossing, data=change)


def random_period(rng: random.Random) -> tuple[date, date]:
    start = START + timedelta(days=rng.randint(-30, 700))
    return start, start + timedelta(days=rng.choice((0, 1, 30, rng.randint(0, 500))))


def random_filters(rng: random.Random, report) -> dict:
    choices = {"border_point": BORDER_POINTS, "sex": "MF", "country": COUNTRIES}
    return {name: rng.choice(choices[name]) for name in report.FILTERS if rng.random() < 0.3}


def as_comparable(code: str, rows: list[list]):
    return rows if code == "R02" else {tuple(row) for row in rows}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_report_equals_the_naive_computation_on_random_data(seed):
    rng = random.Random(seed)
    random_world(rng)
    random_edits(rng, 15)
    crossings = load()
    for _ in range(12):
        start, end = random_period(rng)
        for code, report in REPORTS.items():
            if code == "R12":
                continue
            filters = random_filters(rng, report)
            got = report.run(start, end, **filters).rows
            assert as_comparable(code, got) == reference(code, crossings, start, end, **filters), (
                code,
                start,
                end,
                filters,
            )
