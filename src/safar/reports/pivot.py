"""The pivot view: any one or two of the cells' dimensions as rows and columns, with totals.

Like the standard reports it reads only the aggregate cells (`cellsum.sum_cells`), so it costs the
same however many crossings are stored. What can be pivoted is what the cells hold (cubes.py):

- "all crossings" (the `flow` cube): border point, direction, month, citizenship, sex;
- "citizens' exits": border point, month, destination country, sex, and one of purpose
  (`exit_purpose`), age group (`exit_age`) or region (`exit_geo`) — each of those three lives
  in its own cube, so two of them cannot be crossed with each other.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from .cellsum import sum_cells
from .charts import ChartSpec
from .periods import decompose, decompose_by_month
from .result import ReportResult
from .tables import change_percent, year_earlier

# The filters the pivot offers (as the reports: the cell dimension each one fixes).
PIVOT_FILTERS = ("border_point", "sex", "country")


@dataclass(frozen=True)
class Measure:
    """What the pivot counts, and which cube answers for which dimensions."""

    label: object
    count: str  # the column name of the count (columns.LABELS)
    # dimension → (cube that holds it, the cell column it is in); None = any cube of the measure.
    dimensions: dict[str, tuple[str | None, str]]
    default_cube: str
    # Rows and columns shown before the analyst chooses.
    default_view: tuple[str, str]


MEASURES: dict[str, Measure] = {
    "crossings": Measure(
        label=_("All crossings"),
        count="crossings",
        dimensions={
            "border_point": (None, "border_point"),
            "direction": (None, "key"),
            "month": (None, "period"),
            "citizenship": (None, "country"),
            "sex": (None, "sex"),
        },
        default_cube="flow",
        default_view=("border_point", "direction"),
    ),
    "exits": Measure(
        label=_("Citizens' exits"),
        count="exits",
        dimensions={
            "border_point": (None, "border_point"),
            "month": (None, "period"),
            "country": (None, "country"),
            "sex": (None, "sex"),
            "purpose": ("exit_purpose", "key"),
            "age_group": ("exit_age", "key"),
            "region": ("exit_geo", "key"),
        },
        default_cube="exit_geo",
        default_view=("country", "sex"),
    ),
}

# Every dimension, in the order the form offers them.
DIMENSIONS = (
    "border_point",
    "direction",
    "month",
    "country",
    "citizenship",
    "purpose",
    "sex",
    "age_group",
    "region",
)


class PivotError(ValueError):
    """A choice of dimensions the cells cannot answer (the form shows the message)."""


def cube_for(measure: Measure, dims: list[str]) -> str:
    """The one cube that holds every dimension in `dims`, or PivotError."""
    unknown = [d for d in dims if d not in measure.dimensions]
    if unknown:
        raise PivotError(unknown[0])
    cubes = {cube for d in dims if (cube := measure.dimensions[d][0]) is not None}
    if len(cubes) > 1:
        raise PivotError("cubes")
    return cubes.pop() if cubes else measure.default_cube


def run_pivot(
    measure_name: str,
    rows: str,
    columns: str | None,
    date_from: date,
    date_to: date,
    **filters: str | None,
) -> ReportResult:
    """The long form (row value, column value, count) of one pivot, for combinations with a
    positive count; `columns` None gives (row value, count)."""
    measure = MEASURES[measure_name]
    dims = [rows] + ([columns] if columns else [])
    cube = cube_for(measure, dims)
    by = [measure.dimensions[d][1] for d in dims]
    # Month needs every count in its month: never year cells.
    spans = (decompose_by_month if "month" in dims else decompose)(date_from, date_to)
    unknown = set(filters) - set(PIVOT_FILTERS)
    if unknown:
        raise TypeError(f"unexpected filters: {', '.join(sorted(unknown))}")
    counts = sum_cells(
        cube,
        spans,
        by,
        border_point=filters.get("border_point") or None,
        sex=filters.get("sex") or None,
        country=filters.get("country") or None,
    )
    totals: dict[tuple, int] = defaultdict(int)
    for key, total in counts.items():
        totals[tuple(f"{v:%Y-%m}" if isinstance(v, date) else v for v in key)] += total
    body = [[*key, total] for key, total in totals.items() if total > 0]
    return ReportResult.of((*dims, measure.count), body)


def chart_spec(rows: str, columns: str | None, series_count: int) -> ChartSpec:
    """Rows as categories; columns as series while they stay legible (else row totals only);
    months as vertical columns."""
    series = columns if columns and series_count <= 7 else None
    return ChartSpec(category=rows, series=series, columns=rows == "month")


# --- the same period a year earlier ------------------------------------------------------------

# The CSV's extra columns beside the count when the pivot is compared with a year earlier.
COMPARE_COLUMNS = ("year_earlier", "change", "change_percent")


def comparison_refused(rows: str, columns: str | None, date_from: date, date_to: date):
    """Why the pivot cannot be set beside the same period a year earlier, or None when it can.

    Months are themselves periods: a month a year earlier is another row or column, not the
    same one (choose two years of months to see them side by side). A period longer than a
    year overlaps its own year-earlier period, so part of what it counts would be counted on
    both sides."""
    if "month" in (rows, columns):
        return _(
            "The comparison with a year earlier is not offered with months as rows or columns: "
            "each month is a period of its own. Choose two years of months to see them side by "
            "side."
        )
    if year_earlier(date_to) >= date_from:
        return _(
            "The comparison with a year earlier is not offered for a period longer than a year: "
            "the period a year earlier would overlap it and count the same crossings twice."
        )
    return None


def run_pivot_compared(
    measure_name: str,
    rows: str,
    columns: str | None,
    date_from: date,
    date_to: date,
    **filters: str | None,
) -> tuple[ReportResult, ReportResult]:
    """The pivot for the period and for the same period a year earlier, each holding every
    combination either has (0 where one of them had none), so that their tables line up."""
    now = run_pivot(measure_name, rows, columns, date_from, date_to, **filters)
    before = run_pivot(
        measure_name, rows, columns, year_earlier(date_from), year_earlier(date_to), **filters
    )
    return _with_keys_of(now, before), _with_keys_of(before, now)


def _with_keys_of(result: ReportResult, other: ReportResult) -> ReportResult:
    """`result` with a zero row for every combination that only `other` has."""
    held = {tuple(row[:-1]) for row in result.rows}
    missing = [[*row[:-1], 0] for row in other.rows if tuple(row[:-1]) not in held]
    return ReportResult.of(result.columns, result.rows + missing)


def compared_result(now: ReportResult, before: ReportResult) -> ReportResult:
    """The long form with, beside each count, the count a year earlier, the change and the change
    in per cent (empty when there was nothing a year earlier): the CSV of a compared pivot."""
    earlier = {tuple(row[:-1]): row[-1] for row in before.rows}
    body = []
    for row in now.rows:
        count, previous = row[-1], earlier.get(tuple(row[:-1]), 0)
        body.append([*row, previous, count - previous, change_percent(count, previous)])
    return ReportResult((*now.columns, *COMPARE_COLUMNS), body)  # in the order of `now`
