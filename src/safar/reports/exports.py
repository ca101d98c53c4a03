"""A report's result as JSON, CSV, XLSX or PDF, and the audit record of every export.

JSON and CSV are for machines: codes, ISO dates. XLSX and PDF are for people: names in the
active language, localised dates, the title, period and filters above the table.
"""

import csv
import io
import logging
from datetime import date
from functools import cache

from django.db import DatabaseError, transaction
from django.http import HttpResponseBase
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from safar.core.models import AuditEvent

from .charts import Chart, build_chart
from .columns import NUMERIC, Display
from .result import ReportResult

log = logging.getLogger(__name__)

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD_FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def as_json(report, date_from: date, date_to: date, result: ReportResult) -> dict:
    """The JSON document of the API and the CLI: exactly report, from, to, columns, rows."""
    return {
        "report": report.CODE,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "columns": list(result.columns),
        "rows": [list(row) for row in result.rows],
    }


def file_name(report, date_from: date, date_to: date, fmt: str) -> str:
    return f"{report.CODE}_{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}"


def record_export(
    *,
    user,
    report,
    date_from: date,
    date_to: date,
    filters: dict,
    fmt: str,
    via: str,
    token: str = "",
) -> AuditEvent | None:
    """Who exported which report, for which period and filters, in which format, and how
    (`token`: the prefix of the API token used, so a token's reads can be told apart).

    Written in a short transaction of its own, after the report was read (never inside the
    read): a report answers even while an import holds the database's write lock, and the
    event waits for the lock (SQLite's busy timeout) only after the answer is out. When the
    database refuses the write even then, the event is logged in full (a report code, a period,
    filter codes: no personal data) and None returned, so the export itself never fails on it.
    """
    query = {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        **filters,
        "format": fmt,
        "via": via,
        **({"token": token} if token else {}),
    }
    try:
        with transaction.atomic():
            return AuditEvent.record(
                user=user,
                action=AuditEvent.Action.EXPORT,
                object_type="report",
                object_id=report.CODE,
                query=query,
            )
    except DatabaseError:
        log.exception(
            "export audit event not written: user %s, report %s, %s",
            getattr(user, "pk", None),
            report.CODE,
            query,
        )
        return None


def record_export_after(response: HttpResponseBase, **details) -> HttpResponseBase:
    """Record the export (`record_export(**details)`) once `response` has been sent.

    The WSGI server closes a response after its last byte; closing runs the response's
    resource closers, and this adds one. The report is read and sent without a write.
    """
    response._resource_closers.append(lambda: record_export(**details))
    return response


def render(
    fmt: str, report, date_from: date, date_to: date, filters: dict, result: ReportResult
) -> bytes:
    """The file of one format (a key of FORMATS)."""
    if fmt == "json":
        import json

        return json.dumps(as_json(report, date_from, date_to, result), ensure_ascii=False).encode()
    if fmt == "csv":
        return to_csv(result)
    if fmt == "xlsx":
        return to_xlsx(report, date_from, date_to, filters, result)
    if fmt == "pdf":
        return to_pdf(report, date_from, date_to, filters, result)
    raise ValueError(f"unknown format: {fmt}")


def to_csv(result: ReportResult) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows(result.rows)
    return out.getvalue().encode()


def describe_period(date_from: date, date_to: date) -> str:
    return _("Period: %(from)s – %(to)s") % {
        "from": date_format(date_from),
        "to": date_format(date_to),
    }


def describe_filters(report, filters: dict, display: Display) -> str:
    if not filters:
        return _("Filters: none")
    from .forms import FILTER_FIELDS

    parts = [
        f"{FILTER_FIELDS[name]().label}: {display.value(name, value)}"
        for name, value in filters.items()
    ]
    return _("Filters: %(filters)s") % {"filters": "; ".join(parts)}


def to_xlsx(report, date_from, date_to, filters, result: ReportResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    display = Display()
    book = Workbook()
    sheet = book.active
    sheet.title = report.CODE
    sheet.append([f"{report.CODE}. {report.TITLE}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([describe_period(date_from, date_to)])
    sheet.append([describe_filters(report, filters, display)])
    sheet.append([])
    sheet.append([str(report.LABELS[name]) for name in result.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in result.rows:
        sheet.append(display.row(result.columns, row))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for i, name in enumerate(result.columns, start=1):
        width = 14 if name in NUMERIC else 30
        sheet.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@cache
def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSans", FONT_PATH))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", BOLD_FONT_PATH))


def to_pdf(report, date_from, date_to, filters, result: ReportResult) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    display = Display()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=9, leading=12)
    title = ParagraphStyle(
        "title", parent=body, fontName="DejaVuSans-Bold", fontSize=14, leading=18, spaceAfter=4
    )
    story = [
        Paragraph(f"{report.CODE}. {report.TITLE}", title),
        Paragraph(str(report.DESCRIPTION), body),
        Paragraph(describe_period(date_from, date_to), body),
        Paragraph(describe_filters(report, filters, display), body),
        Spacer(1, 4 * mm),
    ]
    chart = build_chart(report.CHART, result, display)
    if chart.categories and chart.peak > 0:
        story += [pdf_chart(chart, width=170 * mm), Spacer(1, 4 * mm)]
    header = [str(report.LABELS[name]) for name in result.columns]
    rows = [
        [
            _pdf_value(name, value)
            for name, value in zip(result.columns, display.row(result.columns, row), strict=True)
        ]
        for row in result.rows
    ]
    if not rows:
        story.append(Paragraph(_("No crossings match this period and these filters."), body))
    else:
        table = Table([header, *rows], repeatRows=1)
        numeric = [i for i, name in enumerate(result.columns) if name in NUMERIC]
        style = [
            ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
            ("FONTNAME", (0, 0), (-1, 0), "DejaVuSans-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ]
        style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i in numeric]
        table.setStyle(TableStyle(style))
        story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"{report.CODE}. {report.TITLE}",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    ).build(story)
    return out.getvalue()


def _pdf_value(column: str, value):
    if column in NUMERIC:
        return f"{value:,}".replace(",", " ")
    return str(value)


def pdf_chart(chart: Chart, width: float):
    """The chart as a reportlab drawing: horizontal bars, or columns for long series."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    from .charts import PALETTE

    data = [tuple(row[s] for row in chart.values) for s in range(len(chart.series))]
    legend_h = 16 if len(chart.series) > 1 else 0
    if chart.columns:
        height = 160 + legend_h
        bars = VerticalBarChart()
        bars.x, bars.y, bars.width, bars.height = 40, 20, width - 50, 130
        every = max(1, -(-len(chart.categories) // 8))  # at most about eight labels
        bars.categoryAxis.categoryNames = [
            c if i % every == 0 else "" for i, c in enumerate(chart.categories)
        ]
    else:
        plot_h = 14 * len(chart.categories) * max(1, len(chart.series) // 2 + 1)
        height = plot_h + 20 + legend_h
        bars = HorizontalBarChart()
        bars.x, bars.y, bars.width, bars.height = 150, 15, width - 170, plot_h
        bars.categoryAxis.categoryNames = [c[:26] for c in chart.categories]
        bars.categoryAxis.reverseDirection = True
    bars.data = data
    bars.valueAxis.valueMin = 0
    bars.categoryAxis.labels.fontName = "DejaVuSans"
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = "DejaVuSans"
    bars.valueAxis.labels.fontSize = 7
    for i in range(len(data)):
        bars.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        bars.bars[i].strokeColor = None
    drawing = Drawing(width, height)
    drawing.add(bars)
    if legend_h:
        legend = Legend()
        legend.fontName, legend.fontSize = "DejaVuSans", 7
        legend.x, legend.y = bars.x, height - 4
        legend.alignment = "right"  # the swatch first, then its name
        legend.columnMaximum = 1  # one item per column: a single row
        legend.dx = legend.dy = 7
        legend.deltax = max(60, 8 + 4.5 * max(len(name) for name in chart.series))
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[i % len(PALETTE)]), name)
            for i, name in enumerate(chart.series)
        ]
        drawing.add(legend)
    return drawing
