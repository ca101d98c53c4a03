"""R02: citizens' exits and entries month by month, with the net flow."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from safar.crossings.models import CITIZEN_COUNTRY, Direction

from ..cellsum import sum_cells
from ..charts import ChartSpec
from ..columns import labels_for
from ..periods import decompose_by_month, months_overlapping
from ..result import ReportResult, check_filters

CODE = "R02"
TITLE = _("Citizens' exits and entries by month")
DESCRIPTION = _(
    "Exits and entries of citizens in every month that overlaps the period (only "
    "the days inside the period count), with net = entries − exits. Months without "
    "crossings are shown with zeros."
)
COLUMNS = ("month", "exits", "entries", "net")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "sex")
CHART = ChartSpec(category="month", values=("exits", "entries"), columns=True)


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    # Whole months come from month cells and partial months from day cells, never year cells,
    # so that every count can be put in its month.
    counts = sum_cells(
        "flow",
        decompose_by_month(date_from, date_to),
        ("period", "key"),
        country=CITIZEN_COUNTRY,
        **where,
    )
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (period, direction), total in counts.items():
        by_month[f"{period:%Y-%m}"][direction] += total
    rows = []
    for month in months_overlapping(date_from, date_to):
        label = f"{month:%Y-%m}"
        exits = by_month[label][Direction.EXIT]
        entries = by_month[label][Direction.ENTRY]
        rows.append([label, exits, entries, entries - exits])
    return ReportResult.of(COLUMNS, rows)
