"""Add up cells of one cube over a period, grouped by some of its dimensions.

This is the only place the reports read the `Cell` table. One statement per report: each span
of the period (see periods.py) is a range of the index that starts with (cube, grain, period),
and the spans are read with UNION ALL, then grouped. Each branch is a plain range scan (no
OR-of-ranges bookkeeping), and with the covering index `cell_read` (which ends with `count`)
neither SQLite nor PostgreSQL has to visit the table at all.
"""

from collections.abc import Sequence
from datetime import date

from django.db import connection

from safar.crossings.models import Cell

from .periods import Span, decompose

# Dimensions a report may group by or filter on (the Cell columns besides cube and count).
DIMENSIONS = ("period", "grain", "border_point", "sex", "country", "key", "key2")

# The earliest day any cell can hold: "everything up to T" starts here.
BEGINNING = date(1900, 1, 1)


def _checked(names) -> None:
    unknown = set(names) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"not a cell dimension: {', '.join(sorted(unknown))}")


def sum_cells(
    cube: str,
    spans: Sequence[Span],
    by: Sequence[str],
    *,
    exclude: dict[str, str] | None = None,
    **where: str | None,
) -> dict[tuple, int]:
    """{(value of each `by` dimension, …): summed count} over the cells of `spans`.

    `where` fixes dimensions (a None value means "any"); `exclude` drops cells whose dimension
    has the given value. Combinations whose sum is zero are kept: the caller decides what a
    zero means. A `period` in `by` comes back as a date.
    """
    exclude = exclude or {}
    _checked([*by, *where, *exclude])
    if not spans:
        return {}
    fixed = {name: value for name, value in where.items() if value is not None}
    extra = "".join(f' AND "{name}" = %s' for name in fixed)
    extra += "".join(f' AND "{name}" <> %s' for name in exclude)
    columns = ", ".join(f'"{name}"' for name in by)
    table = Cell._meta.db_table
    branch = (
        f'SELECT {columns}, "count" FROM {table} WHERE "cube" = %s AND "grain" = %s '
        f'AND "period" >= %s AND "period" <= %s{extra}'
    )
    sql = (
        f'SELECT {columns}, SUM("count") FROM ({" UNION ALL ".join([branch] * len(spans))}) '
        f"AS spans GROUP BY {columns}"
    )
    adapt = connection.ops.adapt_datefield_value
    params: list = []
    for span in spans:
        params += [
            cube,
            str(span.grain),
            adapt(span.first),
            adapt(span.last),
            *fixed.values(),
            *exclude.values(),
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    period_at = by.index("period") if "period" in by else None
    out = {}
    for *dims, total in rows:
        if period_at is not None and isinstance(dims[period_at], str):
            dims[period_at] = date.fromisoformat(dims[period_at])
        out[tuple(dims)] = int(total)
    return out


def sum_period(
    cube: str, date_from: date, date_to: date, by: Sequence[str], **kwargs
) -> dict[tuple, int]:
    """`sum_cells` over the days date_from … date_to, both inclusive."""
    return sum_cells(cube, decompose(date_from, date_to), by, **kwargs)


def sum_until(cube: str, date_to: date, by: Sequence[str], **kwargs) -> dict[tuple, int]:
    """`sum_cells` over every day up to and including date_to (running totals, e.g. `abroad`)."""
    return sum_cells(cube, decompose(BEGINNING, date_to), by, **kwargs)
