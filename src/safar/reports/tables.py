"""A report's result as a table for people: names in the active language, sorted by name, totals.

The result itself (`ReportResult`) is the long form with codes, for machines (JSON, CSV). The page,
XLSX and PDF show a `Grid` instead: either the long form with a totals row, or, for a report that
declares `CROSS = (row dimension, column dimension)`, a cross table (countries × bands) with row
totals, column totals and the grand total. Both are sorted by the names the reader sees, in the
alphabet of the active language (Tajik Ғ comes after Г, not after Я), not by ISO code.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .columns import LABELS, NUMERIC, SORT_KEYS, Display

# Alphabets whose order differs from Unicode's: Tajik letters with descenders and macrons sit
# beside their base letters, and Ё follows Е. Other letters keep the Unicode order after them.
ALPHABETS = {
    "tg": "абвгғдеёжзиӣйкқлмнопрстуӯфхҳчҷшъэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}

# Columns sorted by the name shown, rather than by their natural order or their code.
BY_NAME = frozenset({"country", "citizenship", "region", "border_point", "border_centre"})


@cache
def _alphabet_order(language: str) -> dict[str, int]:
    return {letter: i for i, letter in enumerate(ALPHABETS.get(language, ""))}


def collation_key(text: str, language: str | None = None) -> tuple:
    """A sort key that orders names as a reader of `language` expects (case ignored).

    Spaces and punctuation come before letters ("Южная Корея" before "Южный Судан"), letters of
    the language's alphabet in its order, then any other letter in Unicode order.
    """
    order = _alphabet_order((language or get_language() or "en")[:2])
    key = []
    for char in text.casefold():
        if not char.isalpha():
            key.append((0, ord(char)))
        elif char in order:
            key.append((1, order[char]))
        else:
            key.append((2, ord(char)))
    return tuple(key)


def display_sort_key(column: str, display: Display):
    """How the values of `column` are ordered for people: names, or the column's natural order."""
    if column == "region":
        # The unknown region ("not stated") last.
        return lambda code: (code == "", collation_key(str(display.value(column, code))))
    if column in BY_NAME:
        return lambda code: collation_key(str(display.value(column, code)))
    natural = SORT_KEYS.get(column)
    if natural is not None:
        return natural()
    return lambda code: (0, code)


@dataclass(frozen=True)
class Grid:
    """What the page, XLSX and PDF print: a header, body rows and a totals row.

    Values are display values (names, numbers); `numeric[i]` tells whether column i holds counts.
    `crossed` is True for a cross table, whose last column is each row's total.
    """

    header: list[str]
    numeric: list[bool]
    rows: list[list]
    totals: list
    crossed: bool = False
    # What each column holds, when a grid is compared with a year earlier (`compared_grid`):
    # "label", "count", "earlier", "change" or "percent". Empty: labels and counts (`numeric`).
    kinds: tuple[str, ...] = ()

    @property
    def grand_total(self) -> int:
        return self.totals[-1] if self.totals else 0

    @property
    def column_kinds(self) -> tuple[str, ...]:
        return self.kinds or tuple("count" if flag else "label" for flag in self.numeric)


def grid_of(report, result, display: Display | None = None) -> Grid:
    """The report's result as a Grid: its cross table if it declares one, else the long table."""
    display = display or Display()
    cross = getattr(report, "CROSS", None)
    labels = getattr(report, "LABELS", LABELS)
    if cross:
        return cross_table(result, *cross, display=display, labels=labels)
    return long_table(result, display=display, labels=labels)


def long_table(result, *, display: Display, labels=LABELS) -> Grid:
    """The long form, sorted by name, with a totals row under every count column."""
    columns = result.columns
    keys = [
        (i, display_sort_key(name, display))
        for i, name in enumerate(columns)
        if name not in NUMERIC
    ]
    rows = sorted(result.rows, key=lambda row: tuple(key(row[i]) for i, key in keys))
    numeric = [name in NUMERIC for name in columns]
    totals: list = ["" for _name in columns]
    for i, name in enumerate(columns):
        if name in NUMERIC:
            totals[i] = sum(row[i] for row in rows)
    if not numeric[0]:
        totals[0] = _("Total")
    return Grid(
        header=[str(labels[name]) for name in columns],
        numeric=numeric,
        rows=[display.row(columns, row) for row in rows],
        totals=totals,
    )


def cross_table(result, down: str, across: str, *, display: Display, labels=LABELS) -> Grid:
    """`down` values as rows, `across` values as columns, the count in each cell, and totals.

    The count is the result's last numeric column; a combination without a row is 0.
    """
    columns = result.columns
    at_down, at_across = columns.index(down), columns.index(across)
    at_count = max(i for i, name in enumerate(columns) if name in NUMERIC)
    counts: dict = defaultdict(int)
    for row in result.rows:
        counts[row[at_down], row[at_across]] += row[at_count]
    down_values = sorted({d for d, _a in counts}, key=display_sort_key(down, display))
    across_values = sorted({a for _d, a in counts}, key=display_sort_key(across, display))
    body = []
    for d in down_values:
        cells = [counts.get((d, a), 0) for a in across_values]
        body.append([display.value(down, d), *cells, sum(cells)])
    column_totals = [sum(counts.get((d, a), 0) for d in down_values) for a in across_values]
    return Grid(
        header=[
            str(labels.get(down, LABELS[down])),
            *[str(display.value(across, a)) for a in across_values],
            _("Total"),
        ],
        numeric=[False, *[True] * (len(across_values) + 1)],
        rows=body,
        totals=[_("Total"), *column_totals, sum(column_totals)],
        crossed=True,
    )


@dataclass(frozen=True)
class Change:
    """One total now and in the same period a year earlier."""

    label: str
    now: int
    before: int

    @property
    def percent(self) -> float | None:
        """The change in per cent, or None when there was nothing a year earlier."""
        if not self.before:
            return None
        return (self.now - self.before) * 100 / self.before


def year_earlier(day):
    """The same day a year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def compare(now: Grid, before: Grid) -> list[Change]:
    """The totals of `now` beside those of `before`: every count column's total for a long
    table, the grand total for a cross table (its columns may differ between the two)."""
    if now.crossed:
        return [Change(now.header[-1], now.grand_total, before.grand_total)]
    return [
        Change(label, total, previous)
        for label, numeric, total, previous in zip(
            now.header, now.numeric, now.totals, before.totals, strict=True
        )
        if numeric
    ]


def compared_grid(now: Grid, before: Grid) -> Grid:
    """`now` with three columns beside each count: the count of `before` in the same place, the
    change, and the change in per cent (None when `before` had nothing there).

    Both grids must hold the same rows and columns in the same order (tables of results with the
    same combinations: pivot.run_pivot_compared); anything else is a programming error."""
    if now.header != before.header or [r[0] for r in now.rows] != [r[0] for r in before.rows]:
        raise ValueError("the grids to compare differ in their rows or columns")
    earlier, change, percent = _("a year earlier"), _("change"), _("change, %")
    header: list[str] = []
    kinds: list[str] = []
    for label, numeric in zip(now.header, now.numeric, strict=True):
        header.append(label)
        kinds.append("count" if numeric else "label")
        if numeric:
            header += [f"{label}: {earlier}", f"{label}: {change}", f"{label}: {percent}"]
            kinds += ["earlier", "change", "percent"]

    def line(values: list, previous: list) -> list:
        out: list = []
        for value, old, numeric in zip(values, previous, now.numeric, strict=True):
            out.append(value)
            if numeric:
                out += [old, value - old, change_percent(value, old)]
        return out

    return Grid(
        header=header,
        numeric=[kind != "label" for kind in kinds],
        rows=[line(row, old) for row, old in zip(now.rows, before.rows, strict=True)],
        totals=line(now.totals, before.totals) if now.rows else [],
        crossed=now.crossed,
        kinds=tuple(kinds),
    )


def compared_header(
    grid: Grid, *, short: bool = False
) -> tuple[list[tuple[str, int, int]], list[tuple[str, str]]] | None:
    """A compared grid's header on two rows, for the page and the PDF: each count's name over its
    four columns (this period, a year earlier, change, change in per cent), so that the name is
    not repeated in every column as the XLSX does. The first row holds (label, columns spanned,
    rows spanned), the second (label, kind). None for a grid that is not compared. `short`
    heads the changes "±" and "%", for a PDF page that has no room for their words."""
    if not grid.kinds:
        return None
    sub_labels = {
        "count": _("this period"),
        "earlier": _("a year earlier"),
        "change": "±" if short else _("change"),
        "percent": "%" if short else _("change, %"),
    }
    top: list[tuple[str, int, int]] = []
    sub: list[tuple[str, str]] = []
    for label, kind in zip(grid.header, grid.kinds, strict=True):
        if kind == "label":
            top.append((label, 1, 2))
        elif kind == "count":
            top.append((label, 4, 1))
        if kind != "label":
            sub.append((sub_labels[kind], kind))
    return top, sub


def change_percent(now: int, before: int) -> float | None:
    """The change in per cent, to one decimal, or None when there was nothing before."""
    return round((now - before) * 100 / before, 1) if before else None
