"""The JSON API: `GET /api/reports` (the list) and `GET /api/reports/R01?from=…&to=…`.

A logged-in analyst or administrator (session), or `Authorization: Token <token>` (the core
middleware turns a valid token into request.user). Answers are JSON, errors included.
"""

from functools import wraps

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import exports
from .access import can_read_reports
from .forms import ReportForm
from .standard import REPORTS, get_report


def api_access(view):
    """401 without a session or token, 403 for a user who may not read reports."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            response = JsonResponse({"error": _("Authentication required.")}, status=401)
            response["WWW-Authenticate"] = "Token"
            return response
        if not can_read_reports(request.user):
            return JsonResponse({"error": _("You may not read reports.")}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@api_access
def report_list(request):
    return JsonResponse(
        {
            "reports": [
                {
                    "code": code,
                    "title": str(report.TITLE),
                    "description": str(report.DESCRIPTION),
                    "columns": list(report.COLUMNS),
                    "filters": ["from", "to", *report.FILTERS],
                    "url": request.build_absolute_uri(reverse("reports_api:report", args=[code])),
                }
                for code, report in REPORTS.items()
            ]
        }
    )


@require_GET
@api_access
def report_data(request, code: str):
    report = get_report(code)
    if report is None:
        return JsonResponse({"error": _("No such report: %(code)s.") % {"code": code}}, status=404)
    form = ReportForm(report, request.GET)
    errors = form.unexpected(request.GET.keys())
    if not form.is_valid() or errors:
        errors |= {name: [str(e) for e in messages] for name, messages in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    start, end = form.period
    result = report.run(start, end, **form.filters)
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
    )
