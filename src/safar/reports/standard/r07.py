"""R07: citizens leaving to work, by destination, region of residence and sex."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R07"
TITLE = _("Labour migration: exits to work")
DESCRIPTION = _(
    "Exits of citizens whose purpose of travel is work, by destination country, "
    "region of residence and sex."
)
COLUMNS = ("country", "region", "sex", "exits")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point",)
CHART = ChartSpec(category="country", series="sex")

# In the exit_geo cube, key2 tells whether the purpose of the exit was work.
WORK = "1"


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    counts = sum_period(
        "exit_geo", date_from, date_to, ("country", "key", "sex"), key2=WORK, **where
    )
    return ReportResult.of(COLUMNS, counted_rows(counts))
