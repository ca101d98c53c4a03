"""Cut a period of days into the fewest cells: single days at the edges, whole months, whole years.

A report over 2016-03-17 … 2024-08-09 reads 15 day cells, 9 month cells, 7 year cells, 7 month
cells and 9 day cells per combination of dimensions, instead of 3,068 days: the cost of a report
grows with the number of distinct dimension values, not with the length of the period.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from safar.crossings.models import Grain


@dataclass(frozen=True)
class Span:
    """Cells of one grain whose `period` lies in first … last (both inclusive)."""

    grain: str
    first: date
    last: date


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_day(day: date) -> date:
    return day + timedelta(days=1)


def decompose(date_from: date, date_to: date) -> list[Span]:
    """The spans whose cells, added up, count exactly the days date_from … date_to.

    Day spans hold day periods, month spans the first days of months, year spans 1 January of
    each year. An empty period (from after to) gives no spans.
    """
    if date_from > date_to:
        return []
    head: list[Span] = []
    tail: list[Span] = []
    a, b = date_from, date_to
    # Days before the first whole month, and after the last one.
    if a.day != 1:
        last = min(month_end(a), b)
        head.append(Span(Grain.DAY, a, last))
        a = next_day(last)
    if a <= b and b != month_end(b):
        first = max(b.replace(day=1), a)
        tail.append(Span(Grain.DAY, first, b))
        b = first - timedelta(days=1)
    if a > b:
        return head + tail[::-1]
    # Now a is the first of a month and b the last day of one: months around the whole years.
    if a.month != 1:
        last = b.replace(day=1) if b.year == a.year else date(a.year, 12, 1)
        head.append(Span(Grain.MONTH, a, last))
        a = next_day(month_end(last))
    if a <= b and b.month != 12:
        first = max(date(b.year, 1, 1), a)
        tail.append(Span(Grain.MONTH, first, b.replace(day=1)))
        b = first - timedelta(days=1)
    if a <= b:
        head.append(Span(Grain.YEAR, a, date(b.year, 1, 1)))
    return head + tail[::-1]


def months_overlapping(date_from: date, date_to: date) -> list[date]:
    """The first day of every month that has at least one day in date_from … date_to."""
    months = []
    month = date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = next_day(month_end(month))
    return months


def decompose_by_month(date_from: date, date_to: date) -> list[Span]:
    """Like `decompose`, but never uses year cells, so the counts can be told apart by month."""
    spans = []
    for span in decompose(date_from, date_to):
        if span.grain == Grain.YEAR:
            spans.append(Span(Grain.MONTH, span.first, span.last.replace(month=12)))
        else:
            spans.append(span)
    return spans
