"""R04: citizens' exits by purpose of travel and sex."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R04"
TITLE = _("Citizens' exits by purpose of travel")
DESCRIPTION = _("Exits of citizens in the period, by the purpose of travel on the card and sex.")
COLUMNS = ("purpose", "sex", "exits")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "country")
CHART = ChartSpec(category="purpose", series="sex")
# Shown to people as a table with a total per row, per column and overall.
CROSS = ("purpose", "sex")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period("exit_purpose", date_from, date_to, ("key", "sex"), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
