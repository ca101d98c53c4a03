"""The synthetic generator: deterministic, valid for the importer, shaped like the real flows."""

from collections import Counter
from datetime import date

import pytest

from safar.crossings.aggregates import compare_with_rebuild
from safar.crossings.importer import import_crossings
from safar.crossings.models import Crossing, Traveller
from safar.crossings.synthetic import COLUMNS, load_synthetic, rows, simulate, write_csv

PERIOD = {"start": date(2024, 1, 1), "end": date(2025, 12, 31)}


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    assert list(rows(300, seed=5, **PERIOD)) == list(rows(300, seed=5, **PERIOD))
    assert list(rows(300, seed=5, **PERIOD)) != list(rows(300, seed=6, **PERIOD))


def test_exactly_n_rows_in_date_order_within_the_period_with_unique_cards():
    out = list(rows(5000, seed=1, **PERIOD))
    assert len(out) == 5000
    days = [r["crossed_on"] for r in out]
    assert days == sorted(days)
    assert "2024-01-01" <= days[0] and days[-1] <= "2025-12-31"
    assert len({r["card_number"] for r in out}) == 5000


def test_the_flows_look_like_tajik_labour_migration():
    out = list(rows(20000, seed=2, **PERIOD))
    citizens = [r for r in out if r["citizenship"] == "TJK"]
    exits = [r for r in citizens if r["direction"] == "exit"]
    assert 0.7 < len(citizens) / len(out) < 0.95
    assert Counter(r["country"] for r in exits).most_common(1)[0][0] == "RUS"
    assert Counter(r["purpose"] for r in exits).most_common(1)[0][0] == "work"
    assert Counter(r["border_point"] for r in out).most_common(1)[0][0] == "DYU"
    assert {"UZB", "AFG", "CHN", "KGZ"} <= {r["citizenship"] for r in out}
    assert all(r["region"] for r in citizens) and not any(
        r["region"] for r in out if r["citizenship"] != "TJK"
    )
    # People come back: many travellers have more than one crossing.
    per_person = Counter((r["citizenship"], r["passport_number"], r["birth_date"]) for r in out)
    assert sum(1 for n in per_person.values() if n > 1) > len(per_person) / 3


def test_a_traveller_has_one_birth_date_and_sex_and_alternates_directions():
    seen = {}
    for row in simulate(5000, seed=4, **PERIOD):
        index = row[14]
        person = (row[4], row[5], row[6], row[7])
        assert seen.setdefault(index, (person, None))[0] == person
        last = seen[index][1]
        assert last != row[1]
        seen[index] = (person, row[1])
    assert len(COLUMNS) == 14


@pytest.mark.django_db
def test_the_csv_imports_without_a_single_refusal(tmp_path):
    path = tmp_path / "synthetic.csv"
    assert write_csv(path, 3000, seed=7, **PERIOD) == 3000
    result = import_crossings(path)
    assert (result.stored, result.rejected, result.conflicts) == (3000, 0, 0)
    assert Crossing.objects.exclude(district=None).exists()


@pytest.mark.django_db
def test_the_fast_loader_stores_the_same_registry_as_the_import(tmp_path):
    assert load_synthetic(3000, seed=7, **PERIOD) == 3000
    assert compare_with_rebuild() == []
    loaded = set(Crossing.objects.values_list("card_number", "traveller__passport_number"))
    travellers = Traveller.objects.count()
    Crossing.objects.all().delete()
    Traveller.objects.all().delete()
    write_csv(tmp_path / "same.csv", 3000, seed=7, **PERIOD)
    import_crossings(tmp_path / "same.csv")
    assert set(Crossing.objects.values_list("card_number", "traveller__passport_number")) == loaded
    assert Traveller.objects.count() == travellers


@pytest.mark.django_db
def test_the_fast_loader_refuses_a_registry_that_is_not_empty():
    load_synthetic(10, seed=1, **PERIOD)
    with pytest.raises(RuntimeError, match="empty"):
        load_synthetic(10, seed=1, **PERIOD)
