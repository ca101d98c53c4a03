"""The reports API: `GET /api/reports` (the list) and `GET /api/reports/R01?from=…&to=…`.

A logged-in analyst or administrator (session), or `Authorization: Token <token>`. The success
bodies are the CLI's JSON, unchanged since before the API layer; errors have the API's shape
(safar.core.api). Each report read is an export in the audit trail, naming the user and, when a
token was used, its prefix.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from pydantic import create_model

from safar.core.api import ERRORS, ApiError, user_auth

from . import exports
from .access import can_read_reports
from .forms import ReportForm
from .standard import REPORTS, get_report

# Analysts and administrators: a user without the role is refused (403) before the parameters
# are looked at.
router = Router(
    tags=["reports"], auth=user_auth(can_read_reports, gettext_lazy("You may not read reports."))
)


class ReportInfo(Schema):
    code: str
    title: str
    description: str
    columns: list[str]
    filters: list[str]
    url: str


class ReportList(Schema):
    reports: list[ReportInfo]


# The body's "from" is a Python keyword, so the schema is made rather than declared.
ReportData = create_model(  # type: ignore[call-overload]  # "from" passed as **kwargs
    "ReportData",
    __base__=Schema,
    report=(str, ...),
    to=(str, ...),
    columns=(list[str], ...),
    rows=(list[list[Any]], ...),
    **{"from": (str, ...)},
)


def _list(request: HttpRequest):
    return JsonResponse(
        {
            "reports": [
                {
                    "code": code,
                    "title": str(report.TITLE),
                    "description": str(report.DESCRIPTION),
                    "columns": list(report.COLUMNS),
                    "filters": ["from", "to", *report.FILTERS],
                    "url": request.build_absolute_uri(reverse("api:report", args=[code])),
                }
                for code, report in REPORTS.items()
            ]
        }
    )


@router.get("/reports", response={200: ReportList, **ERRORS}, url_name="reports")
def report_list(request: HttpRequest):
    """The twelve standard reports: their columns and the filters each takes."""
    return _list(request)


@router.get("/reports/", response={200: ReportList, **ERRORS}, include_in_schema=False)
def report_list_slash(request: HttpRequest):
    return _list(request)


def _data(request: HttpRequest, code: str):
    report = get_report(code)
    if report is None:
        raise ApiError(404, "not_found", _("No such report: %(code)s.") % {"code": code})
    # The form is the one the report pages use: it knows each report's filters and their codes.
    form = ReportForm(report, request.GET)
    errors = form.unexpected(request.GET.keys())
    if not form.is_valid() or errors:
        errors |= {name: [str(e) for e in messages] for name, messages in form.errors.items()}
        raise ApiError(400, "invalid", _("The request has errors."), errors)
    start, end = form.period
    result = report.run(start, end, **form.filters)
    token = getattr(request, "api_token", None)
    response = JsonResponse(
        exports.as_json(report, start, end, result), json_dumps_params={"ensure_ascii": False}
    )
    return exports.record_export_after(
        response,
        user=request.user,
        report=report,
        date_from=start,
        date_to=end,
        filters=form.filters,
        fmt="json",
        via="api",
        token=token.prefix if token else "",
    )


DATE = {
    "description": "A date as YYYY-MM-DD, within the period reports cover.",
    "example": "2024-01-01",
}


@router.get("/reports/{code}", response={200: ReportData, **ERRORS}, url_name="report")
def report_data(
    request: HttpRequest,
    code: str,
    date_from: str = Query(..., alias="from", **DATE),
    date_to: str = Query(..., alias="to", **DATE),
    border_point: str | None = Query(None, description="A border point code (R03 and others)."),
    sex: str | None = Query(None, description="M or F, where the report takes it."),
    country: str | None = Query(None, description="A country code, where the report takes it."),
):
    """One report for a period, as the CLI's `--format json` gives it. Each call is audited."""
    return _data(request, code)


@router.get("/reports/{code}/", response={200: ReportData, **ERRORS}, include_in_schema=False)
def report_data_slash(request: HttpRequest, code: str):
    return _data(request, code)
