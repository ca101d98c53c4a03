"""R09: how long citizens who left in the period stayed away."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R09"
TITLE = _("Citizens' exits by length of stay abroad")
DESCRIPTION = _(
    "Exits of citizens in the period, each with the traveller's next crossing at "
    "any date: a next entry gives the band of days between them, no later crossing "
    "gives “not returned”, a later exit gives “unmatched”."
)
COLUMNS = ("country", "band", "exits")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "sex")
CHART = ChartSpec(category="band")
# Shown to people as a country × band table; JSON and CSV keep the long form.
CROSS = ("country", "band")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period("return", date_from, date_to, ("country", "key"), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
