"""R05: citizens' exits by age group and sex."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R05"
TITLE = _("Citizens' exits by age and sex")
DESCRIPTION = _(
    "Exits of citizens in the period, by age group (completed years on the day of "
    "the crossing) and sex."
)
COLUMNS = ("age_group", "sex", "exits")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "country")
CHART = ChartSpec(category="age_group", series="sex")
# Shown to people as a table with a total per row, per column and overall.
CROSS = ("age_group", "sex")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period("exit_age", date_from, date_to, ("key", "sex"), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
