"""The report pages: the list of reports, one page per report, and its downloads."""

from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safar.core.permissions import role_required

from . import exports
from .access import REPORT_ROLES
from .charts import build_chart, render_svg
from .columns import NUMERIC, Display
from .forms import ReportForm
from .standard import REPORTS, get_report

DOWNLOAD_FORMATS = ("csv", "xlsx", "pdf")


def _report_or_404(code: str):
    report = get_report(code)
    if report is None:
        raise Http404
    return report


def _bound_form(request, report) -> ReportForm:
    """The filter form; without a period in the query, the current calendar year."""
    data = request.GET.copy()
    if not data.get("from") and not data.get("to"):
        year = timezone.localdate().year
        data["from"], data["to"] = date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    return ReportForm(report, data)


def _query(form: ReportForm) -> str:
    start, end = form.period
    return urlencode({"from": start.isoformat(), "to": end.isoformat(), **form.filters})


@role_required(*REPORT_ROLES)
def index(request):
    return render(request, "reports/index.html", {"reports": REPORTS.values()})


@role_required(*REPORT_ROLES)
def report_page(request, code: str):
    report = _report_or_404(code)
    form = _bound_form(request, report)
    context = {"report": report, "form": form, "formats": DOWNLOAD_FORMATS}
    if form.is_valid():
        start, end = form.period
        result = report.run(start, end, **form.filters)
        display = Display()
        context.update(
            result=result,
            header=[(report.LABELS[name], name in NUMERIC) for name in result.columns],
            rows=[
                list(
                    zip(
                        display.row(result.columns, row),
                        [name in NUMERIC for name in result.columns],
                        strict=True,
                    )
                )
                for row in result.rows
            ],
            chart=render_svg(build_chart(report.CHART, result, display)),
            query=_query(form),
        )
    return render(request, "reports/report.html", context)


@role_required(*REPORT_ROLES)
def download(request, code: str, fmt: str):
    """The report as a file; every download is recorded in the audit trail."""
    report = _report_or_404(code)
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    form = _bound_form(request, report)
    if not form.is_valid():
        return render(
            request,
            "reports/report.html",
            {"report": report, "form": form, "formats": DOWNLOAD_FORMATS},
            status=400,
        )
    start, end = form.period
    result = report.run(start, end, **form.filters)
    body = exports.render(fmt, report, start, end, form.filters, result)
    response = HttpResponse(body, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name(report, start, end, fmt)}"'
    )
    return exports.record_export_after(
        response,
        user=request.user,
        report=report,
        date_from=start,
        date_to=end,
        filters=form.filters,
        fmt=fmt,
        via="web",
    )
