"""One M-table for one MSC-month or for all the MSCs a user sees, summed: what the API, the CLI
and the pages ask, checked the same way everywhere (errors by field)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from safar.core.models import Office

from .figures import TABLES, Month, Table


class QueryError(Exception):
    def __init__(self, fields: dict[str, str], *, status: int = 400) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields, self.status = fields, status


@dataclass(frozen=True)
class TableQuery:
    table: Table
    mscs: list[Office]
    msc_code: str | None
    month: Month

    def as_json(self) -> dict:
        return {
            "report": self.table.code,
            "msc": self.msc_code,
            "month": str(self.month),
            "columns": list(self.table.columns),
            "rows": self.table.rows([msc.pk for msc in self.mscs], self.month),
        }


def parse_query(code: str, msc: str | None, month: str | None, allowed: Iterable[Office]):
    """The table `code` of MSC `msc` (or of all `allowed`, summed) for `month` ("YYYY-MM").
    An MSC the user may not see is "not found", as one that does not exist."""
    table = TABLES.get((code or "").upper())
    if table is None:
        raise QueryError(
            {"report": _("No such report: %(code)s.") % {"code": (code or "")[:10]}}, status=404
        )
    errors: dict[str, str] = {}
    parsed: Month | None = None
    try:
        parsed = Month.parse(month or "")
    except ValueError:
        errors["month"] = _("Give a month as YYYY-MM.")
    allowed = list(allowed)
    chosen = allowed
    if msc:
        chosen = [office for office in allowed if office.code == msc]
        if not chosen:
            errors["msc"] = _("No Migrant Support Centre you may see has the code %(code)s.") % {
                "code": msc[:16]
            }
    if errors:
        raise QueryError(errors)
    assert parsed is not None
    return TableQuery(table, chosen, msc or None, parsed)
