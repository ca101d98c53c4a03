"""The report pages: the list of reports, one page per report, and its downloads."""

from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safar.core.permissions import role_required

from . import exports
from .access import REPORT_ROLES
from .charts import render_svg
from .forms import ReportForm
from .standard import REPORTS, get_report
from .tables import compare, grid_of, year_earlier

DOWNLOAD_FORMATS = ("csv", "xlsx", "pdf")


def _report_or_404(code: str):
    report = get_report(code)
    if report is None:
        raise Http404
    return report


def _bound_form(request, report) -> ReportForm:
    """The filter form; without a period in the query, the current calendar year."""
    data = request.GET.copy()
    if getattr(report, "AS_OF", False) and not data.get("to"):
        data["to"] = timezone.localdate().isoformat()
    elif not data.get("from") and not data.get("to"):
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
        doc = exports.report_document(report, start, end, form.filters, result)
        grid = doc.grid
        # The same period a year earlier, for the totals' comparison (cells: as cheap again).
        earlier = report.run(year_earlier(start), year_earlier(end), **form.filters)
        context.update(
            result=result,
            grid=grid,
            header=list(zip(grid.header, grid.numeric, strict=True)),
            rows=[list(zip(row, grid.numeric, strict=True)) for row in grid.rows],
            totals=list(zip(grid.totals, grid.numeric, strict=True)),
            changes=compare(grid, grid_of(report, earlier)),
            earlier=(year_earlier(start), year_earlier(end)),
            chart=render_svg(
                doc.chart,
                title=doc.heading,
                summary=f"{doc.period}. {doc.filters}.",
            ),
            empty=doc.empty,
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
    body = exports.render(fmt, report, start, end, form.filters, result, user=request.user)
    exports.record_export(
        user=request.user,
        report=report,
        date_from=start,
        date_to=end,
        filters=form.filters,
        fmt=fmt,
        via="web",
    )
    response = HttpResponse(body, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name(report, start, end, fmt)}"'
    )
    return response
