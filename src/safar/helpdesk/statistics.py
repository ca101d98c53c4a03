"""The case figures of the MSCs: aggregates only, never a name. For the coordinator (every MSC)
and the supervisors (their own): cases by type and status, opened and closed in a month, overdue
today, referrals by the kind of partner and their status, and how the citizens barred from
Russia were helped (the path offered × its outcome).

Each table is one grouped query over every chosen MSC, not a query per MSC."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from safar.core.models import Office

from .models import Case, Referral
from .models.cases import PARTNER_KINDS


@dataclass
class Table:
    """Counts by (row, column), with the labels of both and the totals."""

    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, row: str, column: str, n: int) -> None:
        key = (row, column)
        self.cells[key] = self.cells.get(key, 0) + n

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    def lines(self) -> list[dict]:
        """The rows that have any count, each with its cells in column order and its total."""
        shown = []
        for value, label in self.rows:
            cells = [self.cells.get((value, column), 0) for column, _label in self.columns]
            if any(cells):
                shown.append({"value": value, "label": label, "cells": cells, "total": sum(cells)})
        return shown

    def column_totals(self) -> list[int]:
        return [
            sum(n for (_row, column), n in self.cells.items() if column == value)
            for value, _label in self.columns
        ]

    def get(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)


@dataclass
class CentreFigures:
    msc: Office | None  # None: every chosen MSC together
    by_type: Table
    referrals: Table
    barred: Table
    opened: int = 0
    closed: int = 0
    overdue: int = 0
    open_cases: int = 0

    @property
    def helped(self) -> dict[str, int]:
        return barred_helped(self.barred)


def _labels(choices) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in choices]


def _new(msc: Office | None) -> CentreFigures:
    partner_kinds = [
        (Office.Kind(kind).value, str(Office.Kind(kind).label)) for kind in PARTNER_KINDS
    ]
    return CentreFigures(
        msc=msc,
        by_type=Table(_labels(Case.Type.choices), _labels(Case.Status.choices)),
        referrals=Table(partner_kinds, _labels(Referral.Status.choices)),
        barred=Table(
            [*_labels(Case.BarredPath.choices), ("", _("no path chosen yet"))],
            [*_labels(Case.BarredOutcome.choices), ("", _("no outcome yet"))],
        ),
    )


def _instant(day: datetime.date) -> datetime.datetime:
    """The start of `day` in the current time zone (Dushanbe)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _grouped(queryset, *fields: str) -> list[tuple]:
    """(field values…, count) for each group of `fields`: one GROUP BY query."""
    return list(queryset.values_list(*fields).annotate(n=Count("pk")).order_by())


def case_statistics(
    mscs, *, today: datetime.date, month_start: datetime.date, month_end: datetime.date
) -> list[CentreFigures]:
    """The figures of each MSC in `mscs` (a queryset of offices), then of all of them together
    when there are several. `month_start`/`month_end` (inclusive) bound "opened" and "closed"."""
    centres = list(mscs.order_by("code"))
    figures = {msc.pk: _new(msc) for msc in centres}
    total = _new(None)
    cases = Case.objects.filter(msc__in=centres)

    def each(msc_id: int) -> tuple[CentreFigures, CentreFigures]:
        return (figures[msc_id], total)

    for msc_id, case_type, status, n in _grouped(cases, "msc", "case_type", "status"):
        for target in each(msc_id):
            target.by_type.add(case_type, status, n)
            if status != Case.Status.CLOSED:
                target.open_cases += n
    # Bounds as instants (the month in Dushanbe time), so the indexes on the times serve; a
    # filter on the times' dates converts every row's time first (seconds at 200,000 cases).
    since, until = _instant(month_start), _instant(month_end + datetime.timedelta(days=1))
    opened = cases.filter(opened_at__gte=since, opened_at__lt=until)
    for msc_id, n in _grouped(opened, "msc"):
        for target in each(msc_id):
            target.opened += n
    # The month's closures of every MSC, counted here: filtered by MSC in SQL, SQLite walks the
    # MSC's index over all its cases instead of the closing times' index over one month.
    closed = Case.objects.filter(closed_at__gte=since, closed_at__lt=until)
    for msc_id, n in Counter(closed.values_list("msc", flat=True)).items():
        if msc_id in figures:
            for target in each(msc_id):
                target.closed += n
    for msc_id, n in _grouped(cases.overdue(today), "msc"):
        for target in each(msc_id):
            target.overdue += n
    referrals = Referral.objects.filter(case__msc__in=centres)
    for msc_id, kind, status, n in _grouped(referrals, "case__msc", "partner__kind", "status"):
        for target in each(msc_id):
            target.referrals.add(kind, status, n)
    barred = cases.filter(case_type=Case.Type.BARRED)
    for msc_id, path, outcome, n in _grouped(barred, "msc", "barred_path", "barred_outcome"):
        for target in each(msc_id):
            target.barred.add(path, outcome, n)
    shown = [figures[msc.pk] for msc in centres]
    return [*shown, total] if len(shown) > 1 else shown


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of `month`'s month."""
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def barred_helped(table: Table) -> dict[str, int]:
    """How many barred citizens were helped (employed, in training or departed) and how many
    are counted in all: the sentence above the path × outcome table."""
    helped = sum(
        n
        for (_path, outcome), n in table.cells.items()
        if outcome
        in (
            Case.BarredOutcome.EMPLOYED,
            Case.BarredOutcome.IN_TRAINING,
            Case.BarredOutcome.DEPARTED,
        )
    )
    return {"helped": helped, "total": table.total}
