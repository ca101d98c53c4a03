"""R01: all crossings in the period, by border point and direction."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R01"
TITLE = _("Crossings by border point")
DESCRIPTION = _(
    "All crossings in the period, citizens and foreigners, by border point and direction."
)
COLUMNS = ("border_point", "direction", "crossings")
LABELS = labels_for(COLUMNS)
FILTERS = ("sex",)
CHART = ChartSpec(category="border_point", series="direction")
# Shown to people as a table with a total per row, per column and overall.
CROSS = ("border_point", "direction")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period("flow", date_from, date_to, ("border_point", "key"), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
