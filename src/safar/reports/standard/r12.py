"""R12: cards captured by each border centre, and what became of them."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from ..cellsum import sum_period
from ..charts import ChartSpec
from ..columns import labels_for
from ..result import ReportResult, check_filters

CODE = "R12"
TITLE = _("Cards captured by border centre")
DESCRIPTION = _(
    "Scanned cards captured in the period at each border centre: how many were "
    "scanned, saved without review, corrected by an operator, and rejected. "
    "Operational; filled once scans arrive."
)
COLUMNS = ("border_centre", "scanned", "auto_accepted", "corrected", "rejected")
LABELS = labels_for(COLUMNS)
FILTERS: tuple[str, ...] = ()
CHART = ChartSpec(category="border_centre", values=COLUMNS[1:])
OUTCOMES = COLUMNS[1:]


def run(date_from, date_to, **filters) -> ReportResult:
    check_filters(FILTERS, filters)
    counts = sum_period("capture", date_from, date_to, ("key", "key2"))
    by_centre: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (centre, outcome), total in counts.items():
        by_centre[centre][outcome] += total
    # The capture app also counts outcomes R12 does not show (e.g. confirmed, duplicate).
    rows = [
        [centre, *(outcomes[name] for name in OUTCOMES)]
        for centre, outcomes in by_centre.items()
        if any(outcomes[n] for n in OUTCOMES)
    ]
    return ReportResult.of(COLUMNS, rows)
