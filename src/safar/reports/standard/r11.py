"""R11: citizens abroad on the last day of the period, and for how long."""

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_until
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R11"
TITLE = _("Citizens abroad at the end of the period")
DESCRIPTION = _(
    "Citizens whose last crossing on or before the end of the period is an exit "
    "(whatever the start of the period), by that exit's destination and the band "
    "of days from the exit to the end of the period."
)
COLUMNS = ("country", "band", "travellers")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "sex")
CHART = ChartSpec(category="band")
# Shown to people as a country × band table; JSON and CSV keep the long form.
CROSS = ("country", "band")
# Only the end of the period matters: the page asks for one date, "as of".
AS_OF = True


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    # The abroad cube holds +1/-1 events (cubes.py): their running total up to `to` is the
    # number of travellers in each band on that day. `from` plays no part.
    counts = sum_until("abroad", date_to, ("country", "key"), **where)
    return ReportResult.of(COLUMNS, counted_rows(counts))
