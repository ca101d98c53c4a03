"""R10: how long citizens who came back in the period had been away."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R10"
TITLE = _("Citizens' entries by time spent abroad")
DESCRIPTION = _(
    "Entries of citizens in the period (by the country on the entry card), each with "
    "the traveller's previous crossing: a previous exit gives the band of days "
    "between them; no previous crossing, or a previous entry, gives “unmatched”."
)
COLUMNS = ("country", "band", "entries")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "sex")
CHART = ChartSpec(category="band")
# Shown to people as a country × band table; JSON and CSV keep the long form.
CROSS = ("country", "band")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period("arrival", date_from, date_to, ("country", "key"), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
