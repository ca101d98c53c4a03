"""Each of the twelve reports on small hand-made data whose answers are known.

Crossings are stored through create_crossing, so the cells the reports read are the ones the
real write path keeps.
"""

from datetime import timedelta

import pytest

from safar.crossings.aggregates import add_to_cube
from safar.crossings.services import delete_crossing, update_crossing
from safar.reports.standard import r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12

from .world import cross, d

pytestmark = pytest.mark.django_db

YEAR = (d("2024-01-01"), d("2024-12-31"))


def rows(report, date_from, date_to, **filters):
    result = report.run(date_from, date_to, **filters)
    assert result.columns == report.COLUMNS
    return result.rows


# --- R01 -----------------------------------------------------------------------------------------


def test_r01_counts_every_crossing_with_both_period_ends_included():
    cross("exit", "2024-01-01")  # first day: in
    cross("entry", "2024-12-31", border_point="KRM")  # last day: in
    cross("exit", "2023-12-31", who="P2")  # day before: out
    cross("exit", "2025-01-01", who="P3")  # day after: out
    cross("entry", "2024-06-01", who="F1", citizenship="RUS", sex="F")
    assert rows(r01, *YEAR) == [["DYU", "entry", 1], ["DYU", "exit", 1], ["KRM", "entry", 1]]
    assert rows(r01, *YEAR, sex="F") == [["DYU", "entry", 1]]
    assert rows(r01, d("2024-01-02"), d("2024-12-30")) == [["DYU", "entry", 1]]


def test_r01_follows_corrections_and_deletions():
    card = cross("exit", "2024-03-01")
    update_crossing(user=None, crossing=card, data={"border_point": "LBD"})
    assert rows(r01, *YEAR) == [["LBD", "exit", 1]]
    delete_crossing(user=None, crossing=card)
    assert rows(r01, *YEAR) == []


# --- R02 -----------------------------------------------------------------------------------------


def test_r02_lists_every_overlapping_month_with_zeros_and_counts_only_days_inside():
    cross("exit", "2024-01-15")  # before `from`: not counted
    cross("exit", "2024-01-20", who="P2")
    cross("entry", "2024-03-03", who="P2")
    cross("entry", "2024-04-11", who="P3")  # after `to`: not counted
    cross("exit", "2024-02-10", who="F1", citizenship="UZB")  # foreigner: not counted
    assert rows(r02, d("2024-01-20"), d("2024-04-10")) == [
        ["2024-01", 1, 0, -1],
        ["2024-02", 0, 0, 0],
        ["2024-03", 0, 1, 1],
        ["2024-04", 0, 0, 0],
    ]


def test_r02_over_years_uses_month_detail_and_filters():
    cross("exit", "2022-07-01", border_point="FTH", sex="F")
    cross("entry", "2023-02-28", border_point="FTH", sex="F")
    cross("exit", "2023-02-01", who="P2")
    result = rows(r02, d("2022-06-30"), d("2023-03-01"))
    assert len(result) == 10
    assert result[0] == ["2022-06", 0, 0, 0]
    assert result[1] == ["2022-07", 1, 0, -1]
    assert result[8] == ["2023-02", 1, 1, 0]
    assert rows(r02, d("2022-06-30"), d("2023-03-01"), border_point="FTH")[8] == [
        "2023-02",
        0,
        1,
        1,
    ]
    assert rows(r02, d("2023-02-01"), d("2023-02-28"), sex="M") == [["2023-02", 1, 0, -1]]


# --- R03, R04, R05, R06, R07: citizens' exits ---------------------------------------------------


def test_r03_counts_citizens_exits_by_destination():
    cross("exit", "2024-02-01", country="RUS")
    cross("exit", "2024-03-01", who="P2", country="KAZ", sex="F", border_point="LBD")
    cross("exit", "2024-04-01", who="P3", country="RUS")
    cross("entry", "2024-05-01", who="P3", country="RUS")  # entries do not count
    cross("exit", "2024-05-01", who="F1", citizenship="KAZ", country="RUS")  # foreigner
    assert rows(r03, *YEAR) == [["KAZ", 1], ["RUS", 2]]
    assert rows(r03, *YEAR, sex="F") == [["KAZ", 1]]
    assert rows(r03, *YEAR, border_point="DYU") == [["RUS", 2]]


def test_r04_orders_purposes_as_the_reference_list_and_splits_by_sex():
    cross("exit", "2024-02-01", purpose="tourism")
    cross("exit", "2024-02-02", who="P2", purpose="work", sex="F")
    cross("exit", "2024-02-03", who="P3", purpose="work", country="KAZ")
    cross("exit", "2024-02-04", who="P4", purpose="study")
    assert rows(r04, *YEAR) == [
        ["work", "F", 1],
        ["work", "M", 1],
        ["study", "M", 1],
        ["tourism", "M", 1],
    ]
    assert rows(r04, *YEAR, country="KAZ") == [["work", "M", 1]]


def test_r05_age_groups_change_on_the_birthday():
    cross("exit", "2020-03-09", who="A", birth="2000-03-10")  # 19 the day before: 15-19
    cross("exit", "2020-03-10", who="B", birth="2000-03-10")  # 20 on the birthday: 20-24
    cross("exit", "2025-02-28", who="C", birth="2000-02-29")  # 24: 20-24
    cross("exit", "2025-03-01", who="D", birth="2000-02-29", sex="F")  # 25: 25-29
    cross("exit", "2024-06-01", who="E", birth="1950-01-01")  # 74: 65+
    cross("exit", "2024-06-01", who="G", birth="2024-05-01")  # a baby: 0-4
    cross("exit", "2024-06-01", who="H", birth="1965-06-01")  # 59: 55-59
    assert rows(r05, d("2020-01-01"), d("2025-12-31")) == [
        ["0-4", "M", 1],
        ["15-19", "M", 1],
        ["20-24", "M", 2],
        ["25-29", "F", 1],
        ["55-59", "M", 1],
        ["65+", "M", 1],
    ]


def test_r06_keeps_an_unknown_region_as_empty_and_last():
    cross("exit", "2024-02-01", region="TJ-SU")
    cross("exit", "2024-02-02", who="P2", region=None)
    cross("exit", "2024-02-03", who="P3", region="TJ-DU", country="KAZ")
    cross("exit", "2024-02-04", who="P4", region=None, sex="F")
    assert rows(r06, *YEAR) == [["TJ-DU", 1], ["TJ-SU", 1], ["", 2]]
    assert rows(r06, *YEAR, country="KAZ") == [["TJ-DU", 1]]
    assert rows(r06, *YEAR, sex="F") == [["", 1]]


def test_r07_counts_only_exits_to_work():
    cross("exit", "2024-02-01", purpose="work", region="TJ-KT")
    cross("exit", "2024-02-02", who="P2", purpose="work", region="TJ-KT", sex="F")
    cross("exit", "2024-02-03", who="P3", purpose="work", region=None, country="KAZ")
    cross("exit", "2024-02-04", who="P4", purpose="private")
    assert rows(r07, *YEAR) == [
        ["KAZ", "", "M", 1],
        ["RUS", "TJ-KT", "F", 1],
        ["RUS", "TJ-KT", "M", 1],
    ]


# --- R08 -----------------------------------------------------------------------------------------


def test_r08_counts_foreigners_by_citizenship_and_direction():
    cross("entry", "2024-02-01", who="F1", citizenship="UZB")
    cross("exit", "2024-02-11", who="F1", citizenship="UZB")
    cross("entry", "2024-02-01", who="F2", citizenship="AFG", sex="F", border_point="PNP")
    cross("entry", "2024-02-01", who="F3", citizenship="UZB")
    cross("exit", "2024-02-01")  # citizen: not counted
    assert rows(r08, *YEAR) == [["AFG", "entry", 1], ["UZB", "entry", 2], ["UZB", "exit", 1]]
    assert rows(r08, *YEAR, border_point="PNP") == [["AFG", "entry", 1]]
    assert rows(r08, *YEAR, sex="M") == [["UZB", "entry", 2], ["UZB", "exit", 1]]


# --- R09 -----------------------------------------------------------------------------------------


def test_r09_bands_are_exact_at_their_boundaries():
    start = d("2024-01-01")
    for days in (30, 31, 90, 91, 180, 181, 365, 366):
        who = f"B{days}"
        cross("exit", start, who=who)
        cross("entry", start + timedelta(days=days), who=who)
    assert rows(r09, start, start) == [
        ["RUS", "0-30", 1],
        ["RUS", "31-90", 2],
        ["RUS", "91-180", 2],
        ["RUS", "181-365", 2],
        ["RUS", "366+", 1],
    ]


def test_r09_not_returned_unmatched_same_day_and_a_return_after_the_period():
    cross("exit", "2024-03-01", who="N", country="KAZ")  # nothing after: not_returned
    cross("exit", "2024-03-01", who="U")  # then another exit: unmatched
    cross("exit", "2024-05-01", who="U")  # … which is not_returned
    cross("exit", "2024-06-01", who="S")  # same day, entry recorded after
    cross("entry", "2024-06-01", who="S")
    cross("exit", "2024-12-31", who="L")  # returns after the period
    cross("entry", "2025-01-05", who="L")
    cross("exit", "2024-07-01", who="F", citizenship="UZB")  # foreigner
    assert rows(r09, *YEAR) == [
        ["KAZ", "not_returned", 1],
        ["RUS", "0-30", 2],
        ["RUS", "not_returned", 1],
        ["RUS", "unmatched", 1],
    ]


def test_r09_changes_when_the_traveller_returns_later():
    cross("exit", "2024-03-01")
    assert rows(r09, *YEAR) == [["RUS", "not_returned", 1]]
    back = cross("entry", "2024-04-15")
    assert rows(r09, *YEAR) == [["RUS", "31-90", 1]]
    delete_crossing(user=None, crossing=back)
    assert rows(r09, *YEAR) == [["RUS", "not_returned", 1]]


# --- R10 -----------------------------------------------------------------------------------------


def test_r10_uses_the_entry_cards_country_and_the_previous_crossing():
    cross("exit", "2023-12-01", who="A", country="RUS")  # exit before the period
    cross("entry", "2024-01-05", who="A", country="KAZ")  # 35 days: 31-90, country KAZ
    cross("entry", "2024-02-01", who="B")  # no previous: unmatched
    cross("entry", "2024-03-01", who="B")  # previous is an entry: unmatched
    cross("exit", "2024-04-01", who="C")
    cross("entry", "2024-05-01", who="C")  # 30 days: 0-30
    cross("exit", "2024-04-01", who="D")
    cross("entry", "2024-05-02", who="D")  # 31 days: 31-90
    cross("entry", "2024-05-02", who="F", citizenship="UZB")  # foreigner
    assert rows(r10, *YEAR) == [
        ["KAZ", "31-90", 1],
        ["RUS", "0-30", 1],
        ["RUS", "31-90", 1],
        ["RUS", "unmatched", 2],
    ]
    assert rows(r10, d("2024-01-01"), d("2024-01-31")) == [["KAZ", "31-90", 1]]


# --- R11 -----------------------------------------------------------------------------------------


def test_r11_counts_travellers_whose_last_crossing_by_to_is_an_exit():
    cross("exit", "2024-01-01", who="A")
    cross("entry", "2024-03-01", who="A")
    assert rows(r11, d("2023-01-01"), d("2023-12-31")) == []  # before the exit
    assert rows(r11, d("2024-01-01"), d("2024-01-01")) == [["RUS", "0-30", 1]]
    assert rows(r11, d("2024-02-01"), d("2024-02-29")) == [["RUS", "31-90", 1]]
    assert rows(r11, d("2024-02-01"), d("2024-03-01")) == []  # back on `to`
    # `from` plays no part: a period that starts after the exit still sees the traveller.
    assert rows(r11, d("2024-02-20"), d("2024-02-29")) == [["RUS", "31-90", 1]]


def test_r11_bands_run_from_the_exit_to_the_end_of_the_period():
    cross("exit", "2023-01-01", who="A", country="KAZ")
    for to, band in (
        ("2023-01-31", "0-30"),
        ("2023-02-01", "31-90"),
        ("2023-04-01", "31-90"),
        ("2023-04-02", "91-180"),
        ("2023-06-30", "91-180"),
        ("2023-07-01", "181-365"),
        ("2024-01-01", "181-365"),
        ("2024-01-02", "366+"),
        ("2030-01-01", "366+"),
    ):
        assert rows(r11, d("2000-01-01"), d(to)) == [["KAZ", band, 1]], to


def test_r11_same_day_crossings_follow_the_order_they_were_recorded():
    cross("exit", "2024-05-01", who="B")  # exit then entry: at home
    cross("entry", "2024-05-01", who="B")
    cross("entry", "2024-05-01", who="C", sex="F")  # entry then exit: abroad
    cross("exit", "2024-05-01", who="C", sex="F")
    assert rows(r11, *YEAR[:1], d("2024-05-01")) == [["RUS", "0-30", 1]]
    assert rows(r11, *YEAR[:1], d("2024-05-01"), sex="M") == []


# --- R12 -----------------------------------------------------------------------------------------


def test_r12_is_empty_until_scans_are_counted_and_then_pivots_outcomes():
    assert rows(r12, *YEAR) == []
    for outcome, n in (("scanned", 5), ("auto_accepted", 3), ("corrected", 1), ("rejected", 1)):
        for _ in range(n):
            add_to_cube(cube="capture", day=d("2024-02-01"), key="ICC-SU", key2=outcome, delta=1)
    add_to_cube(cube="capture", day=d("2024-12-31"), key="ICC-DU", key2="scanned", delta=2)
    add_to_cube(cube="capture", day=d("2025-01-01"), key="ICC-DU", key2="scanned", delta=7)
    add_to_cube(cube="capture", day=d("2024-03-01"), key="ICC-KT", key2="confirmed", delta=1)
    assert rows(r12, *YEAR) == [["ICC-DU", 2, 0, 0, 0], ["ICC-SU", 5, 3, 1, 1]]


# --- shared behaviour ----------------------------------------------------------------------------


@pytest.mark.parametrize("report", [r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12])
def test_every_report_refuses_a_filter_it_does_not_offer(report):
    offered = set(report.FILTERS)
    missing = next(
        name for name in ("border_point", "sex", "country", "colour") if name not in offered
    )
    with pytest.raises(TypeError):
        report.run(*YEAR, **{missing: "X"})
