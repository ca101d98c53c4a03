"""The monthly report pages: the month's reports of the MSCs the user sees (who has submitted),
one MSC-month with all its tables and charts, the typed figures, the workflow's buttons, the
versions with what changed, and the printable PDF."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safar.core.models import AuditEvent, Office
from safar.reports.charts import render_svg

from .access import can_read_monthly_reports, can_review, can_submit, mscs_for
from .dashboard import FIGURES, completeness, months_ending
from .exports import describe_month, report_pdf
from .figures import TABLES, Month
from .labels import COLUMN_LABELS, Names, chart_of, grid_of, table_title
from .models import TYPED_FIGURES, MonthlyReport
from .services import (
    ReportError,
    advance,
    available_actions,
    clean_typed,
    differences,
    report_for,
    save_typed,
    shown_tables,
)

ACTION_LABELS = {
    "submit": gettext_lazy("Submit to the coordinator"),
    "return_report": gettext_lazy("Return with a comment"),
    "accept": gettext_lazy("Accept"),
    "reopen": gettext_lazy("Reopen for a correction"),
}

EVENT_LABELS = {
    "save_figures": gettext_lazy("figures typed by hand saved"),
    "submit": gettext_lazy("submitted"),
    "return_report": gettext_lazy("returned"),
    "accept": gettext_lazy("accepted"),
    "reopen": gettext_lazy("reopened"),
}


def _require(user) -> None:
    if not can_read_monthly_reports(user):
        raise PermissionDenied


def _month_of(text: str | None, default: Month) -> Month:
    try:
        return Month.parse(text or "")
    except ValueError:
        return default


def _msc_month(request: HttpRequest, msc: str, month: str) -> tuple[Office, Month]:
    """The MSC (one the user sees: 404 otherwise, as for one that does not exist) and month."""
    _require(request.user)
    found = mscs_for(request.user).filter(code=msc).first()
    if found is None:
        raise Http404
    try:
        return found, Month.parse(month)
    except ValueError:
        raise Http404 from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The month's reports of every MSC the user sees, with their status: who has submitted."""
    _require(request.user)
    last_month = Month.of(timezone.localdate()).previous
    month = _month_of(request.GET.get("month"), last_month)
    mscs = list(mscs_for(request.user).order_by("code"))
    statuses = dict(
        MonthlyReport.objects.filter(month=month.first_day, msc__in=mscs).values_list(
            "msc_id", "status"
        )
    )
    labels = dict(MonthlyReport.Status.choices)
    rows = [
        {
            "msc": msc,
            "status": statuses.get(msc.pk, MonthlyReport.Status.DRAFT),
            "status_label": labels[statuses.get(msc.pk, MonthlyReport.Status.DRAFT)],
        }
        for msc in mscs
    ]
    return render(
        request,
        "monitoring/index.html",
        {
            "month": month,
            "month_label": describe_month(month),
            "previous": month.previous,
            "next": month.next if month.next.first_day <= timezone.localdate() else None,
            "rows": rows,
        },
    )


def _tables_for_page(tables: dict[str, dict]) -> list[dict]:
    names = Names()
    shown = []
    for code, table in TABLES.items():
        rows = tables.get(code, {}).get("rows", [])
        grid = grid_of(table, rows, names)
        chart = chart_of(table, rows, names) if len(rows) > 1 else None
        shown.append(
            {
                "code": code,
                "title": table_title(code),
                "grid": grid,
                "header": list(zip(grid.header, grid.numeric, strict=True)),
                "rows": [list(zip(row, grid.numeric, strict=True)) for row in grid.rows],
                "totals": list(zip(grid.totals, grid.numeric, strict=True))
                if table.key_columns
                else [],
                "chart": render_svg(chart, title=table_title(code), summary="") if chart else "",
            }
        )
    return shown


def _change_in_words(change, names: Names) -> dict:
    """A change as a reader sees it: the table's title, the row's names, the column's heading
    (not the codes the versions keep: "typed", "radio_listeners", "F|phone")."""
    if change.table == "typed":
        return {
            "table": _("Figures typed by hand"),
            "row": capfirst(str(TYPED_FIGURES.get(change.row, change.row))),
            "column": "",
            "before": change.before,
            "after": change.after,
        }
    return {
        "table": table_title(change.table) if change.table in TABLES else change.table,
        "row": names.row(change.table, change.row),
        "column": str(COLUMN_LABELS.get(change.column, change.column)),
        "before": change.before,
        "after": change.after,
    }


def _changes_for_page(report: MonthlyReport) -> list[dict]:
    """Each version after the first with what changed from the one before."""
    versions = list(report.versions.order_by("number"))
    names = Names()
    found = []
    for before, after in zip(versions, versions[1:], strict=False):
        changes = differences(before, after)
        found.append(
            {
                "version": after,
                "before": before,
                "changes": [_change_in_words(change, names) for change in changes],
            }
        )
    return found


def _sessions_url(user, month: Month) -> str:
    """The outreach sessions list of the month, for M11's reader (when the outreach app is
    installed and they may read it); "" otherwise."""
    from django.apps import apps

    if not apps.is_installed("safar.outreach"):
        return ""
    from safar.outreach.access import can_read

    return f"{reverse('outreach:sessions')}?month={month}" if can_read(user) else ""


@login_required
def report_page(request: HttpRequest, msc: str, month: str) -> HttpResponse:
    office, parsed = _msc_month(request, msc, month)
    report = MonthlyReport.objects.filter(
        msc=office, month=parsed.first_day
    ).first() or MonthlyReport(msc=office, month=parsed.first_day)
    tables, version = shown_tables(report)
    editable = report.is_editable and can_submit(request.user, office)
    actions = (
        available_actions(report, request.user)
        if report.pk
        else (["submit"] if can_submit(request.user, office) else [])
    )
    return render(
        request,
        "monitoring/report.html",
        {
            "report": report,
            "msc": office,
            "month": parsed,
            "month_label": describe_month(parsed),
            "version": version,
            "tables": _tables_for_page(tables),
            "typed": [
                {
                    "name": name,
                    "label": label,
                    "value": (version.typed if version else report.typed).get(name, ""),
                }
                for name, label in TYPED_FIGURES.items()
            ],
            "editable": editable,
            "actions": [(action, ACTION_LABELS[action]) for action in actions],
            "events": [
                {"event": event, "label": EVENT_LABELS.get(event.action, event.action)}
                for event in report.events.select_related("user")
            ]
            if report.pk
            else [],
            "changes": _changes_for_page(report) if report.pk else [],
            "errors": {},
            "can_review": can_review(request.user),
            "sessions_url": _sessions_url(request.user, parsed),
        },
    )


@login_required
@require_POST
def figures(request: HttpRequest, msc: str, month: str) -> HttpResponse:
    """Save the figures typed by hand (the MSC head, while the report is with the MSC)."""
    office, parsed = _msc_month(request, msc, month)
    if not can_submit(request.user, office):
        raise PermissionDenied
    report = report_for(office, parsed)
    values = {name: request.POST.get(name, "") for name in TYPED_FIGURES}
    try:
        save_typed(report, values, request.user)
    except ReportError as exc:
        messages.error(request, f"{TYPED_FIGURES.get(exc.field, '')}: {exc.message}".lstrip(": "))
    else:
        messages.success(request, _("The figures are saved."))
    return redirect("monitoring:report", msc=office.code, month=str(parsed))


@login_required
@require_POST
def action(request: HttpRequest, msc: str, month: str) -> HttpResponse:
    """A workflow step: submit, return (with a comment), accept, reopen (with a reason)."""
    office, parsed = _msc_month(request, msc, month)
    report = report_for(office, parsed)
    step = request.POST.get("action", "")
    try:
        if step == "submit" and any(name in request.POST for name in TYPED_FIGURES):
            # The head's form sends the typed figures with "Submit": keep what was typed.
            values = {name: request.POST.get(name, "") for name in TYPED_FIGURES}
            if clean_typed(values) != report.typed:
                save_typed(report, values, request.user)
        advance(report, step, request.user, request.POST.get("comment", ""))
    except ReportError as exc:
        messages.error(request, f"{TYPED_FIGURES.get(exc.field, '')}: {exc.message}".lstrip(": "))
    else:
        messages.success(
            request,
            _("The report is now “%(status)s”.") % {"status": report.get_status_display()},
        )
    return redirect("monitoring:report", msc=office.code, month=str(parsed))


@login_required
def pdf(request: HttpRequest, msc: str, month: str) -> HttpResponse:
    """The printable report in the active language: its frozen version once submitted."""
    office, parsed = _msc_month(request, msc, month)
    report = MonthlyReport.objects.filter(
        msc=office, month=parsed.first_day
    ).first() or MonthlyReport(msc=office, month=parsed.first_day)
    tables, version = shown_tables(report)
    typed = version.typed if version else report.typed
    body = report_pdf(report, tables, typed, status=report.get_status_display(), user=request.user)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{office.code}_{parsed}.pdf"'
    return response


# --- the dashboard ----------------------------------------------------------------------------


def _dashboard_scope(request: HttpRequest) -> tuple[list[Office], str, Month]:
    """The MSCs the dashboard sums (all the user sees, or the one chosen: 404 for one they may
    not see, as for one that does not exist), the chosen code ("" for all) and the last month."""
    _require(request.user)
    allowed = list(mscs_for(request.user).order_by("code"))
    code = request.GET.get("msc", "")
    chosen = allowed
    if code:
        chosen = [msc for msc in allowed if msc.code == code]
        if not chosen:
            raise Http404
    last_month = Month.of(timezone.localdate()).previous
    return chosen, code, _month_of(request.GET.get("month"), last_month)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """A year of charts, each with its table and its CSV, and the month's reporting
    completeness: national for the coordinator, the own MSC for its staff."""
    chosen, code, month = _dashboard_scope(request)
    months = months_ending(month)
    ids = [msc.pk for msc in chosen]
    shown = []
    for compute in FIGURES.values():
        figure = compute(ids, months)
        shown.append(
            {
                "figure": figure,
                "chart": render_svg(figure.chart, title=figure.title, summary=figure.summary)
                if figure.chart
                else "",
                "header": list(zip(figure.columns, figure.numeric, strict=True)),
                "rows": [list(zip(row, figure.numeric, strict=True)) for row in figure.rows],
            }
        )
    allowed = list(mscs_for(request.user).order_by("code"))
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "figures": shown,
            "completeness": completeness(allowed, month, timezone.now()),
            "mscs": allowed,
            "msc": code,
            "national": not code and len(allowed) > 1,
            "month": month,
            "first_month": months[0],
            "month_label": describe_month(month),
        },
    )


@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """One figure of the dashboard as CSV (UTF-8 with a BOM, which spreadsheets read)."""
    chosen, code, month = _dashboard_scope(request)
    name = request.GET.get("figure", "")
    if name == "completeness":
        figure = completeness(list(mscs_for(request.user).order_by("code")), month, timezone.now())
    elif name in FIGURES:
        figure = FIGURES[name]([msc.pk for msc in chosen], months_ending(month))
    else:
        raise Http404
    # An export, as every read of the monthly figures through the API and the CLI.
    AuditEvent.record(
        user=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="msc_dashboard",
        object_id=name,
        query={"msc": code, "month": str(month), "via": "csv"},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}_{code or "all"}_{month}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(figure.columns)
    writer.writerows(figure.rows)
    return response
