"""The period → cells decomposition: every day of the period counted once, and only those."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from safar.reports.periods import decompose, decompose_by_month, months_overlapping


def days_covered(spans) -> list[date]:
    """Expand spans back to days (a month cell covers its month, a year cell its year)."""
    days = []
    for span in spans:
        period = span.first
        while period <= span.last:
            if span.grain == "D":
                days.append(period)
                period += timedelta(days=1)
            elif span.grain == "M":
                assert period.day == 1
                nxt = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
                days += [period + timedelta(days=i) for i in range((nxt - period).days)]
                period = nxt
            else:
                assert (period.month, period.day) == (1, 1)
                nxt = date(period.year + 1, 1, 1)
                days += [period + timedelta(days=i) for i in range((nxt - period).days)]
                period = nxt
    return days


def all_days(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


def test_a_whole_year_is_one_year_cell():
    assert [
        (s.grain, s.first, s.last) for s in decompose(date(2024, 1, 1), date(2024, 12, 31))
    ] == [("Y", date(2024, 1, 1), date(2024, 1, 1))]


def test_an_unaligned_period_is_days_months_years_months_days():
    spans = decompose(date(2016, 3, 17), date(2024, 8, 9))
    assert [s.grain for s in spans] == ["D", "M", "Y", "M", "D"]
    assert spans[2].first == date(2017, 1, 1) and spans[2].last == date(2023, 1, 1)
    assert spans[1].first == date(2016, 4, 1) and spans[1].last == date(2016, 12, 1)
    assert spans[3].first == date(2024, 1, 1) and spans[3].last == date(2024, 7, 1)


def test_a_period_inside_one_month_is_days_only():
    spans = decompose(date(2024, 2, 10), date(2024, 2, 29))
    assert [(s.grain, s.first, s.last) for s in spans] == [
        ("D", date(2024, 2, 10), date(2024, 2, 29))
    ]


def test_a_single_day_and_an_empty_period():
    assert len(decompose(date(2024, 5, 5), date(2024, 5, 5))) == 1
    assert decompose(date(2024, 5, 6), date(2024, 5, 5)) == []


@given(st.dates(date(1995, 1, 1), date(2035, 12, 31)), st.integers(0, 4000))
def test_every_day_is_covered_exactly_once(start, length):
    end = start + timedelta(days=length)
    assert sorted(days_covered(decompose(start, end))) == all_days(start, end)
    by_month = decompose_by_month(start, end)
    assert all(s.grain != "Y" for s in by_month)
    assert sorted(days_covered(by_month)) == all_days(start, end)


def test_months_overlapping_include_partial_months_at_both_ends():
    assert months_overlapping(date(2023, 11, 30), date(2024, 2, 1)) == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]
