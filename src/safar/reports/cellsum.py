"""Add up cells of one cube over a period, grouped by some of its dimensions.

This is the only place the reports read the `Cell` table. One query per report: the period's
spans (see periods.py) are OR'ed range conditions on (cube, grain, period), each one a range scan
of the cell index, and the database does the grouping.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Q, Sum

from .models import Cell
from .periods import Span, decompose

# Dimensions a report may group by or filter on (the Cell columns besides cube/grain/count).
DIMENSIONS = ("period", "grain", "border_point", "sex", "country", "key", "key2")

# The earliest day any cell can hold: "everything up to T" starts here.
BEGINNING = date(1900, 1, 1)


def spans_filter(cube: str, spans: Iterable[Span]) -> Q:
    """(cube, grain, period-range) conditions OR'ed together; cube is repeated in every term so
    that each term alone is a prefix range of the cell index (SQLite's OR-by-union plan)."""
    terms = [Q(cube=cube) & span.q() for span in spans]
    if not terms:
        return Q(pk__in=[])
    return reduce(or_, terms)


def sum_cells(cube: str, spans: Sequence[Span], by: Sequence[str], *, exclude: Q | None = None,
              **where: str | None) -> dict[tuple, int]:
    """{(value of each `by` dimension, …): summed count} over the cells of `spans`.

    `where` fixes dimensions (a None value means "any"); `exclude` drops cells matching it.
    Combinations whose sum is zero are kept: the caller decides what a zero means.
    """
    unknown = set(by) - set(DIMENSIONS) | set(where) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"not a cell dimension: {', '.join(sorted(unknown))}")
    cells = Cell.objects.filter(spans_filter(cube, spans))
    fixed = {name: value for name, value in where.items() if value is not None}
    if fixed:
        cells = cells.filter(**fixed)
    if exclude is not None:
        cells = cells.exclude(exclude)
    grouped = cells.values(*by).annotate(total=Sum("count")).order_by()
    return {tuple(row[name] for name in by): row["total"] for row in grouped}


def sum_period(cube: str, date_from: date, date_to: date, by: Sequence[str], **kwargs
               ) -> dict[tuple, int]:
    """`sum_cells` over the days date_from … date_to, both inclusive."""
    return sum_cells(cube, decompose(date_from, date_to), by, **kwargs)


def sum_until(cube: str, date_to: date, by: Sequence[str], **kwargs) -> dict[tuple, int]:
    """`sum_cells` over every day up to and including date_to (running totals, e.g. `abroad`)."""
    return sum_cells(cube, decompose(BEGINNING, date_to), by, **kwargs)
