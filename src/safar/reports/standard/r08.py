"""R08: crossings of foreigners, by citizenship and direction."""

from django.utils.translation import gettext_lazy as _

from safar.crossings.models import CITIZEN_COUNTRY

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters, counted_rows

CODE = "R08"
TITLE = _("Crossings of foreigners by citizenship")
DESCRIPTION = _(
    "Crossings in the period of travellers who are not citizens of Tajikistan, by "
    "citizenship and direction."
)
COLUMNS = ("citizenship", "direction", "crossings")
LABELS = labels_for(COLUMNS)
FILTERS = ("border_point", "sex")
CHART = ChartSpec(category="citizenship", series="direction")
# Shown to people as a table with a total per row, per column and overall.
CROSS = ("citizenship", "direction")


def run(date_from, date_to, **filters) -> ReportResult:
    where = check_filters(FILTERS, filters)
    # In the flow cube, `country` is the traveller's citizenship.
    counts = sum_period(
        "flow",
        date_from,
        date_to,
        ("country", "key"),
        exclude={"country": CITIZEN_COUNTRY},
        **where,
    )
    return ReportResult.of(COLUMNS, counted_rows(counts))
