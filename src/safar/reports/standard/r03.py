"""R03: citizens' exits by destination country."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R03"
TITLE = _("Citizens' exits by destination")
DESCRIPTION = _("Exits of citizens in the period, by the destination country on the card.")
COLUMNS = ("country", "exits")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "sex")
CHART = ChartSpec(category="country")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period("exit_geo", date_from, date_to, ("country",), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
