"""R06: citizens' exits by region of residence."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R06"
TITLE = _("Citizens' exits by region of residence")
DESCRIPTION = _(
    "Exits of citizens in the period, by region of residence; the region is empty "
    "where the card does not state it."
)
COLUMNS = ("region", "exits")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "sex", "country")
CHART = ChartSpec(category="region")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period("exit_geo", date_from, date_to, ("key",), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
