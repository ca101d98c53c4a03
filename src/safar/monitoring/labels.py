"""The monthly tables for people: column headings and the names behind the codes, in the active
language; and a table as the reports app's Grid and Chart (for the page, XLSX and PDF)."""

from __future__ import annotations

from functools import cached_property

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from safar.core.models import Country, Office, Region
from safar.helpdesk.models import Caller, Case, Category, Contact, Referral, Service
from safar.reports.charts import Chart
from safar.reports.tables import Grid

from .figures import TABLES, Table

COLUMN_LABELS = {
    "channel": gettext_lazy("channel"),
    "sex": gettext_lazy("sex"),
    "contacts": gettext_lazy("contacts"),
    "call_type": gettext_lazy("type of call"),
    "category": gettext_lazy("category"),
    "migrant_location": gettext_lazy("where the migrant is"),
    "region": gettext_lazy("region"),
    "outcome": gettext_lazy("outcome"),
    "callers": gettext_lazy("callers"),
    "case_type": gettext_lazy("type of case"),
    "opened": gettext_lazy("opened"),
    "closed": gettext_lazy("closed"),
    "partner_kind": gettext_lazy("kind of partner"),
    "status": gettext_lazy("status"),
    "referrals": gettext_lazy("referrals"),
    "service": gettext_lazy("service"),
    "services": gettext_lazy("services"),
    "kind": gettext_lazy("kind"),
    # With a context: Django's own catalogue has "sessions" (the login sessions), and wins.
    "sessions": pgettext_lazy("outreach", "sessions"),
    "participants_f": gettext_lazy("women taking part"),
    "participants_m": gettext_lazy("men taking part"),
    "open_cases": gettext_lazy("open cases"),
    "overdue_follow_ups": gettext_lazy("follow-ups overdue"),
}

CHOICES = {
    "channel": Contact.Channel,
    "sex": Caller.Sex,
    "call_type": Contact.CallType,
    "outcome": Contact.Outcome,
    "case_type": Case.Type,
    "partner_kind": Office.Kind,
    "status": Referral.Status,
    "service": Service.Kind,
}


class Names:
    """Code → name for the columns that hold codes (reference data read once per instance)."""

    @cached_property
    def _named(self) -> dict[str, dict[str, str]]:
        return {
            "category": {c.code: c.name for c in Category.objects.all()},
            "migrant_location": {c.pk: c.name for c in Country.objects.all()},
            "region": {r.code: r.name for r in Region.objects.all()},
            "kind": _session_kinds(),
        }

    def row(self, code: str, key: str) -> str:
        """A row key as kept in a version ("phone|F": its naming values joined by "|") in
        words: "telephone, female"."""
        table = TABLES.get(code)
        if table is None or not table.key_columns:
            return key
        values = key.split("|")
        return ", ".join(
            self.value(column, value)
            for column, value in zip(table.key_columns, values, strict=False)
        )

    def value(self, column: str, code) -> str:
        if code in ("", None):
            return _("not stated")
        if column in CHOICES:
            try:
                return str(CHOICES[column](code).label)
            except ValueError:
                return str(code)
        if column in self._named:
            return self._named[column].get(code, str(code))
        return str(code)


def _session_kinds() -> dict[str, str]:
    """M11's kinds of session in words, from the outreach app when it is installed."""
    if not apps.is_installed("safar.outreach"):
        return {}
    from safar.outreach.models import Session

    return {kind: str(label) for kind, label in Session.Kind.choices}


def grid_of(table: Table, rows: list[list], names: Names) -> Grid:
    """The rows with names instead of codes and a totals row (M12's single row has none: its
    totals row is blank)."""
    width = len(table.key_columns)
    shown = [
        [*(names.value(c, v) for c, v in zip(table.key_columns, row, strict=False)), *row[width:]]
        for row in rows
    ]
    numeric = [False] * width + [True] * table.counts
    totals: list = ["" for _c in table.columns]
    for i in range(width, len(table.columns)):
        totals[i] = sum(row[i] for row in rows)
    if width:
        totals[0] = _("Total")
    return Grid(
        header=[str(COLUMN_LABELS[c]) for c in table.columns],
        numeric=numeric,
        rows=shown,
        totals=totals if width else ["" for _c in table.columns],
    )


def chart_of(table: Table, rows: list[list], names: Names) -> Chart:
    """A bar per row's first naming value (summed over the others), a series per count column;
    none for M12 (two figures need no chart)."""
    width = len(table.key_columns)
    if not width or not rows:
        return Chart(categories=[], series=[], values=[])
    sums: dict[str, list[int]] = {}
    for row in rows:
        name = names.value(table.columns[0], row[0])
        total = sums.setdefault(name, [0] * table.counts)
        for i, value in enumerate(row[width:]):
            total[i] += value
    ordered = sorted(sums.items(), key=lambda item: -sum(item[1]))[:12]
    return Chart(
        categories=[name for name, _v in ordered],
        series=[str(COLUMN_LABELS[c]) for c in table.count_columns],
        values=[values for _n, values in ordered],
        keys=list(table.count_columns),
    )


def table_title(code: str) -> str:
    return f"{code}. {TABLES[code].title}"
