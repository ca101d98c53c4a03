"""The report pages: the list of reports, one page per report, and its downloads."""

from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safar.core.permissions import permission_required

from . import exports
from .charts import build_chart, render_svg
from .columns import LABELS, Display
from .forms import ReportForm
from .models import PivotView
from .pivot import MEASURES, chart_spec, compared_result, run_pivot, run_pivot_compared
from .pivot_form import PivotForm, SaveViewForm
from .standard import REPORTS, get_report
from .tables import compared_grid, compared_header, cross_table, long_table

DOWNLOAD_FORMATS = ("csv", "xlsx", "pdf")
PIVOT_FORMATS = DOWNLOAD_FORMATS


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


@permission_required("reports.read_reports")
def index(request):
    return render(request, "reports/index.html", {"reports": REPORTS.values()})


@permission_required("reports.read_reports")
def report_page(request, code: str):
    report = _report_or_404(code)
    form = _bound_form(request, report)
    context = {"report": report, "form": form, "formats": DOWNLOAD_FORMATS}
    if form.is_valid():
        start, end = form.period
        result = report.run(start, end, **form.filters)
        # The document also holds the same period a year earlier (a second read of the cells).
        doc = exports.report_document(report, start, end, form.filters, result)
        context.update(_document_context(doc), result=result, query=_query(form))
    return render(request, "reports/report.html", context)


def _document_context(doc: exports.Document) -> dict:
    """What reports/_grid.html and the chart need: the table with its numeric flags, the
    totals, the year-earlier comparison, the chart with its text alternative, the empty text."""
    grid = doc.grid
    kinds = grid.column_kinds
    return {
        "doc": doc,
        "grid": grid,
        "header": list(zip(grid.header, kinds, strict=True)),
        "rows": [list(zip(row, kinds, strict=True)) for row in grid.rows],
        "totals": list(zip(grid.totals, kinds, strict=True)),
        "header_groups": compared_header(grid),
        "changes": doc.changes,
        "compare_title": doc.compare_title,
        "chart": render_svg(doc.chart, title=doc.heading, summary=f"{doc.period}. {doc.filters}."),
        "empty": doc.empty,
    }


@permission_required("reports.read_reports")
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


# --- the pivot -------------------------------------------------------------------------------


def _pivot_form(data) -> PivotForm:
    """The pivot form; without a period, the current calendar year; without rows, the measure's
    default view (border points × direction, countries × sex)."""
    data = data.copy()
    if not data.get("from") and not data.get("to"):
        year = timezone.localdate().year
        data["from"], data["to"] = date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    if not data.get("measure"):
        data["measure"] = "crossings"
    if not data.get("rows") and data["measure"] in MEASURES:
        data["rows"], data["columns"] = MEASURES[data["measure"]].default_view
    return PivotForm(data)


def _pivot_query(form: PivotForm) -> dict[str, str]:
    measure, rows, columns = form.choice
    start, end = form.period
    return {
        "measure": measure,
        "rows": rows,
        "columns": columns or "",
        "from": start.isoformat(),
        "to": end.isoformat(),
        **({"compare": "on"} if form.cleaned_data["compare"] else {}),
        **form.filters,
    }


def _pivot_document(form: PivotForm, result, before=None) -> exports.Document:
    """The pivot for people; with `before` (the same combinations a year earlier), each count
    has the count a year earlier, the change and the change in per cent beside it."""
    measure, rows, columns = form.choice
    display = Display()
    across = f" × {LABELS[columns]}" if columns else ""

    def table(of):
        if columns:
            return cross_table(of, rows, columns, display=display)
        return long_table(of, display=display)

    grid = table(result)
    if before is not None:
        grid = compared_grid(grid, table(before))
    series = len({row[1] for row in result.rows}) if columns else 0
    return exports.Document(
        code="",
        title=f"{MEASURES[measure].label}: {LABELS[rows]}{across}",
        description=str(_("Pivot over the aggregate cells.")),
        period=exports.describe_period(*form.period),
        filters=exports.describe_filters(None, form.filters, display),
        grid=grid,
        chart=build_chart(chart_spec(rows, columns, series), result, display),
        compare_title=exports.describe_earlier(*form.period) if before is not None else "",
    )


def _run_pivot(form: PivotForm):
    """The pivot's result, and the same combinations a year earlier when compared (else None)."""
    measure, rows, columns = form.choice
    start, end = form.period
    if form.compared:
        return run_pivot_compared(measure, rows, columns, start, end, **form.filters)
    return run_pivot(measure, rows, columns, start, end, **form.filters), None


@permission_required("reports.read_reports")
def pivot(request):
    """Rows and columns chosen among the cells' dimensions, with totals, chart and downloads;
    an analyst saves views by name (POST action=save) and deletes them (POST action=delete)."""
    views = PivotView.objects.filter(owner=request.user)
    if request.method == "POST":
        return _pivot_post(request, views)
    form = _pivot_form(request.GET)
    context = {"form": form, "views": views, "save_form": SaveViewForm(), "formats": PIVOT_FORMATS}
    if form.is_valid():
        result, before = _run_pivot(form)
        context.update(
            _document_context(_pivot_document(form, result, before)),
            result=result,
            comparison_refused=form.comparison_refused,
            query=urlencode(_pivot_query(form)),
            query_items=sorted(_pivot_query(form).items()),
        )
    return render(request, "reports/pivot.html", context)


def _pivot_post(request, views):
    action = request.POST.get("action")
    if action == "delete":
        view_id = request.POST.get("view", "")
        if not view_id.isdigit():
            return HttpResponseBadRequest(_("Unknown saved view."))
        get_object_or_404(views, pk=int(view_id)).delete()
        return redirect("reports:pivot")
    if action != "save":
        return HttpResponseBadRequest(_("Unknown action."))
    form, save_form = _pivot_form(request.POST), SaveViewForm(request.POST)
    if not (form.is_valid() and save_form.is_valid()):
        context = {"form": form, "views": views, "save_form": save_form}
        return render(request, "reports/pivot.html", context, status=400)
    measure, rows, columns = form.choice
    start, end = form.period
    PivotView.objects.update_or_create(
        owner=request.user,
        name=save_form.cleaned_data["name"],
        defaults={
            "measure": measure,
            "rows": rows,
            "columns": columns or "",
            "date_from": start,
            "date_to": end,
            "filters": form.filters,
            "compare": form.cleaned_data["compare"],
        },
    )
    return redirect(f"{reverse('reports:pivot')}?{urlencode(_pivot_query(form))}")


@permission_required("reports.read_reports")
def pivot_download(request, fmt: str):
    """The pivot as CSV (long form, codes), XLSX or PDF (the table with totals); audited."""
    if fmt not in PIVOT_FORMATS:
        raise Http404
    form = _pivot_form(request.GET)
    if not form.is_valid():
        context = {"form": form, "views": PivotView.objects.filter(owner=request.user)}
        return render(request, "reports/pivot.html", context, status=400)
    result, before = _run_pivot(form)
    if fmt == "csv":
        body = exports.to_csv(result if before is None else compared_result(result, before))
    elif fmt == "xlsx":
        body = exports.xlsx_of(_pivot_document(form, result, before))
    else:
        body = exports.pdf_of(_pivot_document(form, result, before), user=request.user)
    start, end = form.period
    response = HttpResponse(body, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="pivot_{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"'
    )
    # Audited after the answer is sent, like every report export: a read writes nothing.
    return exports.audit_after(
        response,
        user=request.user,
        object_id="pivot",
        query={**_pivot_query(form), "format": fmt, "via": "web"},
    )
