"""The vocabulary of report columns: their translated labels, their order, and their display.

Cells hold codes (country alpha-3, region ISO 3166-2, purpose, border point, border centre).
Machine-readable outputs (JSON, CSV) keep the codes; pages, PDF and XLSX show names in the
active language through `Display`.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safar.core.models import BorderPoint, Country, Office, Purpose, Region
from safar.crossings.cubes import AGE_GROUPS, BANDS, NOT_RETURNED, UNMATCHED
from safar.crossings.models import Direction, Sex

LABELS = {
    "border_point": _("Border point"),
    "direction": _("Direction"),
    "crossings": _("Crossings"),
    "month": _("Month"),
    "exits": _("Exits"),
    "entries": _("Entries"),
    "net": _("Net (entries − exits)"),
    "country": _("Country"),
    "purpose": _("Purpose of travel"),
    "sex": _("Sex"),
    "age_group": _("Age group"),
    "region": _("Region of residence"),
    "citizenship": _("Citizenship"),
    "band": _("Days"),
    "travellers": _("Travellers"),
    "border_centre": _("Border centre"),
    "scanned": _("Scanned"),
    "auto_accepted": _("Saved without review"),
    "corrected": _("Corrected by an operator"),
    "rejected": _("Rejected"),
}

# Columns whose values are counts (right-aligned, summed in charts, numbers in XLSX).
NUMERIC = frozenset(
    {
        "crossings",
        "exits",
        "entries",
        "net",
        "travellers",
        "scanned",
        "auto_accepted",
        "corrected",
        "rejected",
    }
)

BAND_ORDER = [label for label, _lo, _hi in BANDS] + [NOT_RETURNED, UNMATCHED]


def _position(order: list[str]):
    index = {value: i for i, value in enumerate(order)}
    return lambda value: (index.get(value, len(index)), value)


def _purpose_order() -> list[str]:
    return list(Purpose.objects.order_by("position", "code").values_list("code", flat=True))


# How each column sorts when it is not a plain code: bands and age groups in their natural
# order, purposes in the order of the reference list, an unknown region ('') last.
SORT_KEYS = {
    "band": lambda: _position(BAND_ORDER),
    "age_group": lambda: _position(list(AGE_GROUPS)),
    "purpose": lambda: _position(_purpose_order()),
    "region": lambda: lambda value: (value == "", value),
}


def _plain():
    return lambda value: (0, value)


def labels_for(columns: tuple[str, ...]) -> dict:
    return {name: LABELS[name] for name in columns}


def sort_rows(columns: tuple[str, ...], rows: list[list]) -> list[list]:
    """Rows ordered by their leading non-numeric columns, each in its natural order."""
    keyed = [
        (i, SORT_KEYS.get(name, _plain)()) for i, name in enumerate(columns) if name not in NUMERIC
    ]

    def key(row):
        return tuple(column_key(row[i]) for i, column_key in keyed)

    return sorted(rows, key=key)


class Display:
    """Turns codes into names in the active language, loading each reference table once."""

    def __init__(self):
        self._names: dict[str, dict[str, str]] = {}

    def _table(self, column: str) -> dict[str, str]:
        if column not in self._names:
            self._names[column] = self._load(column)
        return self._names[column]

    @staticmethod
    def _load(column: str) -> dict[str, str]:
        if column in {"country", "citizenship"}:
            return {c.code: c.name for c in Country.objects.all()}
        if column == "region":
            return {r.code: r.name for r in Region.objects.all()} | {"": gettext("not stated")}
        if column == "purpose":
            return {p.code: p.name for p in Purpose.objects.all()}
        if column == "border_point":
            return {b.code: b.name for b in BorderPoint.objects.all()}
        if column == "border_centre":
            return {o.code: o.name for o in Office.objects.filter(kind=Office.Kind.BORDER_CENTRE)}
        if column == "direction":
            return {str(d.value): str(d.label) for d in Direction}
        if column == "sex":
            return {str(s.value): str(s.label) for s in Sex}
        if column == "band":
            return {NOT_RETURNED: gettext("not returned"), UNMATCHED: gettext("unmatched")}
        return {}

    def value(self, column: str, value):
        if column in NUMERIC:
            return value
        return self._table(column).get(value, value)

    def row(self, columns: tuple[str, ...], row: list) -> list:
        return [self.value(name, value) for name, value in zip(columns, row, strict=True)]
