"""`GET /api/helpdesk/reports/M01?msc=MSC-DU&month=2026-11`: one table of an MSC's monthly
report, computed from the records; without `msc`, every MSC the user may see, summed.

The path is the issue's (under /api/helpdesk/, beside the contacts) though the code lives in
safar.monitoring. Each read is an export in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from safar.core.api import ERRORS, ApiError, user_auth
from safar.core.models import AuditEvent

from .access import can_read_monthly_reports, mscs_for
from .queries import QueryError, parse_query

router = Router(
    tags=["monitoring"],
    auth=user_auth(can_read_monthly_reports, gettext_lazy("You may not read monthly reports.")),
)


class TableData(Schema):
    report: str
    msc: str | None
    month: str
    columns: list[str]
    rows: list[list[Any]]


@router.get("/helpdesk/reports/{code}", response={200: TableData, **ERRORS}, url_name="msc_report")
def msc_report(
    request: HttpRequest,
    code: str,
    month: str = Query(
        ..., description="The month as YYYY-MM (Dushanbe dates).", example="2026-11"
    ),
    msc: str | None = Query(None, description="An MSC's code; without it, all you may see."),
):
    """One table (M01 … M12) of the monthly report, as `safar msc-report` gives it."""
    try:
        query = parse_query(code, msc, month, mscs_for(request.user))
    except QueryError as exc:
        if exc.status == 404:
            raise ApiError(404, "not_found", next(iter(exc.fields.values()))) from None
        raise ApiError(
            400,
            "invalid",
            _("The request has errors."),
            {name: [message] for name, message in exc.fields.items()},
        ) from None
    body = query.as_json()
    AuditEvent.record(
        user=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="msc_report",
        object_id=query.table.code,
        query={"msc": msc or "", "month": str(query.month), "via": "api"},
    )
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
