"""The twelve standard reports, one module each with the same shape:

CODE, TITLE, DESCRIPTION, COLUMNS, LABELS, FILTERS, CHART and
`run(date_from, date_to, **filters) -> ReportResult`.
"""

from types import ModuleType

from . import r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12

REPORTS: dict[str, ModuleType] = {
    module.CODE: module for module in (r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12)
}


def get_report(code: str) -> ModuleType | None:
    """The report module for a code such as "R01" (any case), or None."""
    return REPORTS.get(code.upper())
