"""The maintained cells always equal a full recomputation, and mean what cubes.py says."""

import csv
import tempfile
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safar.crossings import aggregates
from safar.crossings.aggregates import add_to_cube, compare_with_rebuild, rebuild_all
from safar.crossings.importer import EXPECTED_HEADER, import_crossings
from safar.crossings.models import Cell, Crossing
from safar.crossings.services import create_crossing, delete_crossing, update_crossing

_cards = count(1)


def card(**values):
    """A citizen's exit to Russia for work, changed by `values`."""
    data = {
        "card_number": f"T{next(_cards):07d}",
        "direction": "exit",
        "crossed_on": date(2025, 3, 1),
        "border_point": "DYU",
        "citizenship": "TJK",
        "passport_number": "400000001",
        "birth_date": date(1990, 6, 15),
        "sex": "M",
        "surname": "Rahimov",
        "given_names": "Karim",
        "purpose": "work",
        "country": "RUS",
        "region": "TJ-SU",
        "district": None,
        "source": "form",
    }
    data.update(values)
    return data


def cells(cube, grain="D", **dims):
    return {(c.period, c.key): c.count for c in Cell.objects.filter(cube=cube, grain=grain, **dims)}


def assert_exact():
    assert compare_with_rebuild() == []


@pytest.mark.django_db
def test_exit_then_return_gives_the_band_of_days_between_them(administrator):
    create_crossing(user=administrator, data=card(crossed_on=date(2025, 3, 1)))
    create_crossing(user=administrator, data=card(direction="entry", crossed_on=date(2025, 5, 5)))
    assert cells("return") == {(date(2025, 3, 1), "31-90"): 1}
    assert cells("arrival") == {(date(2025, 5, 5), "31-90"): 1}
    assert cells("flow", "Y") == {(date(2025, 1, 1), "exit"): 1, (date(2025, 1, 1), "entry"): 1}
    assert_exact()


@pytest.mark.django_db
def test_an_entry_inserted_between_an_exit_and_its_later_return_takes_the_link(administrator):
    create_crossing(user=administrator, data=card(crossed_on=date(2025, 1, 1)))
    create_crossing(user=administrator, data=card(direction="entry", crossed_on=date(2026, 1, 2)))
    assert cells("return") == {(date(2025, 1, 1), "366+"): 1}
    middle = create_crossing(
        user=administrator, data=card(direction="entry", crossed_on=date(2025, 1, 20))
    )
    assert cells("return") == {(date(2025, 1, 1), "0-30"): 1}
    assert cells("arrival") == {(date(2025, 1, 20), "0-30"): 1, (date(2026, 1, 2), "unmatched"): 1}
    assert_exact()
    delete_crossing(user=administrator, crossing=middle)
    assert cells("return") == {(date(2025, 1, 1), "366+"): 1}
    assert cells("arrival") == {(date(2026, 1, 2), "366+"): 1}
    assert_exact()


@pytest.mark.django_db
def test_same_day_crossings_are_ordered_as_recorded(administrator):
    day = date(2025, 7, 1)
    create_crossing(user=administrator, data=card(direction="entry", crossed_on=day))
    create_crossing(user=administrator, data=card(direction="exit", crossed_on=day))
    # The exit was recorded second: nothing follows it, and the entry had no exit before it.
    assert cells("return") == {(day, "not_returned"): 1}
    assert cells("arrival") == {(day, "unmatched"): 1}
    assert_exact()


@pytest.mark.django_db
def test_a_traveller_abroad_moves_through_the_bands_until_they_return(administrator):
    create_crossing(user=administrator, data=card(crossed_on=date(2025, 1, 1)))
    back = create_crossing(
        user=administrator, data=card(direction="entry", crossed_on=date(2025, 3, 1))
    )
    events = cells("abroad")
    assert events == {
        (date(2025, 1, 1), "0-30"): 1,
        (date(2025, 2, 1), "0-30"): -1,
        (date(2025, 2, 1), "31-90"): 1,
        (date(2025, 3, 1), "31-90"): -1,
    }
    delete_crossing(user=administrator, crossing=back)
    assert cells("abroad")[(date(2025, 1, 1) + timedelta(days=366), "366+")] == 1
    assert_exact()


@pytest.mark.django_db
def test_cells_that_reach_zero_are_deleted(administrator):
    crossing = create_crossing(user=administrator, data=card())
    delete_crossing(user=administrator, crossing=crossing)
    assert not Cell.objects.exists()


@pytest.mark.django_db
def test_non_citizens_count_in_flow_only(administrator):
    create_crossing(
        user=administrator,
        data=card(citizenship="UZB", passport_number="AA1234567", region=None),
    )
    assert set(Cell.objects.values_list("cube", flat=True)) == {"flow"}
    assert Cell.objects.get(cube="flow", grain="D").country == "UZB"
    assert_exact()


@pytest.mark.django_db
def test_rebuild_restores_damaged_cells_and_keeps_capture_cells(administrator):
    create_crossing(user=administrator, data=card())
    add_to_cube(cube="capture", day=date(2025, 3, 1), key="ICC-DU", key2="scanned", delta=2)
    Cell.objects.filter(cube="exit_age", grain="M").update(count=7)
    assert [d[0] for d in compare_with_rebuild()] == ["exit_age"]
    rebuild_all()
    assert_exact()
    assert Cell.objects.get(cube="capture", grain="Y").count == 2


# --- random sequences of writes ---------------------------------------------------------------

PEOPLE = [
    ("TJK", "400000001", date(1990, 6, 15)),
    ("TJK", "400000002", date(2001, 2, 28)),
    ("TJK", "400000003", date(1960, 1, 1)),
    ("UZB", "AA1111111", date(1985, 9, 9)),
]
# Days whose differences fall on both sides of every band boundary (30/31, 90/91, 180/181,
# 365/366), across month and year ends.
_BASE = date(2024, 12, 31)
DAYS = [_BASE + timedelta(days=n) for n in (0, 1, 30, 31, 91, 92, 181, 182, 366, 367)]
values = st.fixed_dictionaries(
    {
        "person": st.sampled_from(PEOPLE),
        "direction": st.sampled_from(["entry", "exit"]),
        "crossed_on": st.sampled_from(DAYS),
        "border_point": st.sampled_from(["DYU", "FTH"]),
        "sex": st.sampled_from(["M", "F"]),
        "purpose": st.sampled_from(["work", "study"]),
        "country": st.sampled_from(["RUS", "KAZ"]),
        "region": st.sampled_from([None, "TJ-SU"]),
    }
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), values),
        st.tuples(st.just("update"), st.integers(0, 50), values),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        # An import of a few rows; card numbers from a small pool, so some are already stored
        # (same data: present; other data: conflict) and some repeat within the file.
        st.tuples(
            st.just("import"),
            st.lists(st.tuples(st.integers(0, 6), values), max_size=6),
            st.integers(1, 3),
        ),
    ),
    min_size=1,
    max_size=12,
)


def as_data(v):
    citizenship, passport, birth = v["person"]
    data = card(
        citizenship=citizenship,
        passport_number=passport,
        birth_date=birth,
        **{k: v[k] for k in v if k != "person"},
    )
    if citizenship != "TJK":
        data["region"] = None  # a region of residence is for citizens only (rules.py)
    return data


def apply(user, op):
    stored = list(Crossing.objects.order_by("pk"))
    if op[0] == "create":
        create_crossing(user=user, data=as_data(op[1]))
    elif stored and op[0] == "update":
        target = stored[op[1] % len(stored)]
        data = as_data(op[2])
        data.pop("card_number")
        update_crossing(user=user, crossing=target, data=data)
    elif stored and op[0] == "delete":
        delete_crossing(user=user, crossing=stored[op[1] % len(stored)])
    elif op[0] == "import":
        import_rows(user, op[1], chunk_size=op[2])


def import_rows(user, rows, chunk_size):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards.csv"
        with open(path, "w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(EXPECTED_HEADER.split(","))
            for number, v in rows:
                data = as_data(v)
                out.writerow(
                    [
                        f"I{number}",
                        data["direction"],
                        data["crossed_on"].isoformat(),
                        data["border_point"],
                        data["citizenship"],
                        data["passport_number"],
                        data["birth_date"].isoformat(),
                        data["sex"],
                        data["purpose"],
                        data["country"],
                        data["region"] or "",
                    ]
                )
        import_crossings(path, user=user, chunk_size=chunk_size)


@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations, bulk=st.booleans())
def test_any_sequence_of_writes_leaves_every_cell_equal_to_a_recomputation(
    administrator, ops, bulk
):
    # `bulk`: every difference goes through the temporary-table path, as an import chunk does.
    with (
        mock.patch.object(aggregates, "BULK_THRESHOLD", 0 if bulk else 10**9),
        transaction.atomic(),
    ):
        for op in ops:
            apply(administrator, op)
        assert_exact()
        transaction.set_rollback(True)


# A returning traveller's import reads only the tail of their stored crossings (from the second
# one before their first new day): long histories, files in any date order, same-day ties.
LONG_DAYS = [date(2024, 1, 1) + timedelta(days=n) for n in (0, 0, 5, 40, 41, 130, 200, 400, 800)]
history_values = st.fixed_dictionaries(
    {
        "person": st.sampled_from(PEOPLE[:2]),
        "direction": st.sampled_from(["entry", "exit"]),
        "crossed_on": st.sampled_from(LONG_DAYS),
        "border_point": st.just("DYU"),
        "sex": st.just("M"),
        "purpose": st.just("work"),
        "country": st.sampled_from(["RUS", "KAZ"]),
        "region": st.just(None),
    }
)
history_files = st.lists(
    st.tuples(
        st.lists(st.tuples(st.integers(0, 40), history_values), min_size=1, max_size=8),
        st.integers(1, 4),
    ),
    min_size=2,
    max_size=5,
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=history_files)
def test_imports_onto_long_histories_leave_every_cell_equal_to_a_recomputation(
    administrator, files
):
    with transaction.atomic():
        for rows, chunk_size in files:
            import_rows(administrator, rows, chunk_size)
        assert_exact()
        transaction.set_rollback(True)
