"""A report's result as JSON, CSV, XLSX or PDF, and the audit record of every export.

JSON and CSV are for machines: codes, ISO dates. XLSX and PDF are for people: names in the
active language, localised dates, the title, period and filters above the table.
"""

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.db import DatabaseError, transaction
from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from safar.core.models import AuditEvent

from .charts import Chart, build_chart
from .columns import Display
from .result import ReportResult
from .tables import Change, Grid, compare, compared_header, grid_of, year_earlier

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


def audit_after(response: HttpResponseBase, *, user, object_id: str, query: dict):
    """An export audit event for a download that is not a standard report (the pivot), written
    like `record_export`: after the answer, in its own short transaction, logged if refused."""

    def record() -> None:
        try:
            with transaction.atomic():
                AuditEvent.record(
                    user=user,
                    action=AuditEvent.Action.EXPORT,
                    object_type="report",
                    object_id=object_id,
                    query=query,
                )
        except DatabaseError:
            log.exception("export audit event not written: user %s, %s", user.pk, query)

    response._resource_closers.append(record)  # type: ignore[attr-defined]  # run by close()
    return response


def record_export_after(response: HttpResponseBase, **details) -> HttpResponseBase:
    """Record the export (`record_export(**details)`) once `response` has been sent.

    The WSGI server closes a response after its last byte; closing runs the response's
    resource closers, and this adds one. The report is read and sent without a write.
    """
    response._resource_closers.append(lambda: record_export(**details))  # type: ignore[attr-defined]
    return response


def render(
    fmt: str,
    report,
    date_from: date,
    date_to: date,
    filters: dict,
    result: ReportResult,
    *,
    user=None,
) -> bytes:
    """The file of one format (a key of FORMATS); `user` is named in the PDF's footer."""
    if fmt == "json":
        import json

        return json.dumps(as_json(report, date_from, date_to, result), ensure_ascii=False).encode()
    if fmt == "csv":
        return to_csv(result)
    if fmt == "xlsx":
        return to_xlsx(report, date_from, date_to, filters, result)
    if fmt == "pdf":
        return to_pdf(report, date_from, date_to, filters, result, user=user)
    raise ValueError(f"unknown format: {fmt}")


@dataclass(frozen=True)
class Document:
    """What a file for people shows, whatever produced it (a standard report or the pivot)."""

    code: str
    title: str
    description: str
    period: str
    filters: str
    grid: Grid
    chart: Chart
    # The totals beside those of the same period a year earlier, under a title saying which.
    changes: tuple[Change, ...] = ()
    compare_title: str = ""

    @property
    def heading(self) -> str:
        return f"{self.code}. {self.title}" if self.code else self.title

    @property
    def empty(self) -> str:
        return describe_empty(self.heading, self.period, self.filters)


def report_document(report, date_from, date_to, filters, result: ReportResult) -> Document:
    """The Document of a standard report's result, in the active language."""
    display = Display()
    as_of = getattr(report, "AS_OF", False)
    grid = grid_of(report, result, display)
    earlier = report.run(year_earlier(date_from), year_earlier(date_to), **filters)
    return Document(
        code=report.CODE,
        title=str(report.TITLE),
        description=str(report.DESCRIPTION),
        period=describe_period(date_from, date_to, as_of=as_of),
        filters=describe_filters(report, filters, display),
        grid=grid,
        chart=build_chart(report.CHART, result, display),
        changes=tuple(compare(grid, grid_of(report, earlier, display))),
        compare_title=describe_earlier(date_from, date_to, as_of=as_of),
    )


def describe_earlier(date_from: date, date_to: date, *, as_of: bool = False) -> str:
    """The title of the year-earlier comparison, with the dates it covers."""
    start, end = year_earlier(date_from), year_earlier(date_to)
    if as_of:
        return _("Compared with the same day a year earlier (%(day)s)") % {
            "day": date_format(end, "SHORT_DATE_FORMAT")
        }
    return _("Compared with the same period a year earlier (%(start)s – %(end)s)") % {
        "start": date_format(start, "SHORT_DATE_FORMAT"),
        "end": date_format(end, "SHORT_DATE_FORMAT"),
    }


def describe_change(change: Change) -> str:
    """ "Exits: 3 524 · a year earlier 3 664 (−3.8 %)" for the files."""
    text = f"{change.label}: {_pdf_value(True, change.now)} · {_('a year earlier')} "
    text += _pdf_value(True, change.before)
    if change.percent is not None:
        text += f" ({change.percent:+.1f} %)"
    return text


def describe_empty(heading: str, period: str, filters: str) -> str:
    """What an empty result says: what was asked, and that nothing matched it."""
    return _("Nothing matched %(heading)s — %(period)s; %(filters)s.") % {
        "heading": heading,
        "period": period,
        "filters": filters,
    }


def generated_line(user, at: datetime | None = None) -> str:
    """ "Generated on … by …" for the foot of every PDF page."""
    at = timezone.localtime(at or timezone.now())
    who = (user.get_full_name() or user.get_username()) if user is not None else "safar"
    return _("Generated %(when)s by %(who)s") % {
        "when": date_format(at, "DATETIME_FORMAT"),
        "who": who,
    }


def to_csv(result: ReportResult) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows(result.rows)
    return out.getvalue().encode()


def describe_period(date_from: date, date_to: date, *, as_of: bool = False) -> str:
    if as_of:
        return _("As of %(day)s") % {"day": date_format(date_to)}
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
    return xlsx_of(report_document(report, date_from, date_to, filters, result))


def xlsx_of(doc: Document) -> bytes:
    """Title, period and filters above a bold, frozen header row; the totals row in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = doc.code or "pivot"
    sheet.append([doc.heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([doc.period])
    sheet.append([doc.filters])
    if doc.compare_title and not doc.changes:  # a compared pivot: its columns say the rest
        sheet.append([doc.compare_title])
    sheet.append([])
    grid = doc.grid
    sheet.append(grid.header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in grid.rows:
        sheet.append(row)
    if grid.rows:
        sheet.append(grid.totals)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    else:
        sheet.append([doc.empty])
    if doc.changes:
        sheet.append([])
        sheet.append([doc.compare_title])
        for change in doc.changes:
            sheet.append([describe_change(change)])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for i, numeric in enumerate(grid.numeric, start=1):
        width = 14 if numeric else 30
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


def to_pdf(report, date_from, date_to, filters, result: ReportResult, *, user=None) -> bytes:
    return pdf_of(report_document(report, date_from, date_to, filters, result), user=user)


def pdf_of(doc: Document, *, user=None) -> bytes:
    """Title, description, period, filters, the chart and the table with its totals; every
    page's foot says when and by whom it was generated, and "page n of m"."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=9, leading=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    cell_bold = ParagraphStyle("cell_bold", parent=cell, fontName="DejaVuSans-Bold")
    title = ParagraphStyle(
        "title", parent=body, fontName="DejaVuSans-Bold", fontSize=14, leading=18, spaceAfter=4
    )
    # A table too wide for a portrait page turns the page rather than squeezing its columns.
    widths, wide = _pdf_widths(doc.grid, 170 * mm, 257 * mm)
    pagesize = landscape(A4) if wide else A4
    usable = (257 if wide else 170) * mm
    story = [
        Paragraph(_escape(doc.heading), title),
        Paragraph(_escape(doc.description), body),
        Paragraph(_escape(doc.period), body),
        Paragraph(_escape(doc.filters), body),
    ]
    if doc.compare_title and not doc.changes:  # a compared pivot: its columns say the rest
        story.append(Paragraph(_escape(doc.compare_title), body))
    story.append(Spacer(1, 4 * mm))
    if doc.chart.categories and doc.chart.peak > 0:
        story += [pdf_chart(doc.chart, width=usable), Spacer(1, 4 * mm)]
    grid = doc.grid
    if not grid.rows:
        story.append(Paragraph(_escape(doc.empty), body))
    else:
        # Names are Paragraphs so that a long one wraps inside its column instead of being cut.
        def line(values, style):
            return [
                _pdf_value(True, v) if numeric else Paragraph(_escape(str(v)), style)
                for v, numeric in zip(values, grid.numeric, strict=True)
            ]

        header, spans = _pdf_header(grid, cell_bold)
        rows = [line(row, cell) for row in grid.rows]
        total = line(grid.totals, cell_bold)
        head = len(header)
        table = Table([*header, *rows, total], repeatRows=head, colWidths=widths)
        numeric = [i for i, flag in enumerate(grid.numeric) if flag]
        style = [
            ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
            ("FONTNAME", (0, -1), (-1, -1), "DejaVuSans-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, head - 1), (-1, head - 1), 0.8, colors.black),
            ("LINEBELOW", (0, head), (-1, -2), 0.25, colors.lightgrey),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            *spans,
        ]
        if grid.crossed:
            style.append(("FONTNAME", (-1, 1), (-1, -1), "DejaVuSans-Bold"))
        style += [("ALIGN", (i, head - 1), (i, -1), "RIGHT") for i in numeric]
        table.setStyle(TableStyle(style))
        story.append(table)
    if doc.changes:
        story += [Spacer(1, 3 * mm), Paragraph(_escape(doc.compare_title), cell_bold)]
        story += [Paragraph(_escape(describe_change(c)), body) for c in doc.changes]
    footer = generated_line(user)

    def numbered_canvas(*args, **kwargs):
        return _NumberedCanvas(*args, footer=footer, **kwargs)

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=pagesize,
        title=doc.heading,
        author=footer,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
    ).build(story, canvasmaker=numbered_canvas)
    return out.getvalue()


def _pdf_header(grid: Grid, style) -> tuple[list[list], list[tuple]]:
    """The table's header rows and their SPAN commands: one row, or for a compared grid two
    (each count's name over its four columns, as on the page)."""
    from reportlab.platypus import Paragraph

    groups = compared_header(grid, short=True)
    if groups is None:
        return [[Paragraph(_escape(str(h)), style) for h in grid.header]], []
    top, sub = groups
    first: list = []
    spans: list[tuple] = []
    for label, columns, rows in top:
        at = len(first)
        first += [Paragraph(_escape(str(label)), style)] + [""] * (columns - 1)
        if columns > 1 or rows > 1:
            spans.append(("SPAN", (at, 0), (at + columns - 1, rows - 1)))
    labels = iter(sub)
    second = [
        "" if kind == "label" else Paragraph(_escape(str(next(labels)[0])), style)
        for kind in grid.kinds
    ]
    return [first, second], spans


def _escape(text: str) -> str:
    """Text for a reportlab Paragraph, which reads a little markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf_widths(grid: Grid, portrait: float, wide: float) -> tuple[list[float], bool]:
    """Column widths measured in the font itself: count columns as wide as their widest number
    or header word, name columns sharing the rest (at least their longest word). True when only
    a landscape page holds them; beyond that, every column shrinks in proportion."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def width_of(text) -> float:
        # Table cells pad 6 points on each side; 2 more for rounding.
        return stringWidth(str(text), "DejaVuSans-Bold", 8) + 14

    def longest_word(text) -> float:
        return max((width_of(word) for word in str(text).split()), default=8)

    # A compared grid's count columns are headed by short words (its names span four columns).
    groups = compared_header(grid, short=True)
    if groups is None:
        headers = list(grid.header)
    else:
        sub = iter(label for label, _kind in groups[1])
        headers = [
            h if k == "label" else next(sub) for h, k in zip(grid.header, grid.kinds, strict=True)
        ]
    need = []
    for i, numeric in enumerate(grid.numeric):
        values = [row[i] for row in grid.rows] + [grid.totals[i]] if grid.rows else []
        if numeric:
            widest = max((width_of(_pdf_value(True, v)) for v in values), default=8)
            need.append(max(widest, longest_word(headers[i])))
        else:
            texts = [headers[i], *values]
            words = max(longest_word(t) for t in texts)
            need.append(max(words, min(max(width_of(t) for t in texts), 160)))
    turn = sum(need) > portrait
    room = wide if turn else portrait
    total = sum(need)
    if total > room:
        return [w * room / total for w in need], turn
    names = [i for i, numeric in enumerate(grid.numeric) if not numeric] or [0]
    spare = (room - total) / len(names)
    return [w + spare if i in names else w for i, w in enumerate(need)], turn


def _numbered_canvas_class():
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        """Draws the footer on each page once the page count is known ("page 2 of 5")."""

        def __init__(self, *args, footer: str = "", **kwargs):
            super().__init__(*args, **kwargs)
            self._footer = footer
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            width, _height = self._pagesize
            self.setFont("DejaVuSans", 7)
            self.setFillGray(0.35)
            self.drawString(20 * 2.835, 9 * 2.835, self._footer)
            self.drawRightString(
                width - 20 * 2.835,
                9 * 2.835,
                _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total},
            )

    return NumberedCanvas


def _NumberedCanvas(*args, **kwargs):  # noqa: N802 (used like a class)
    return _numbered_canvas_class()(*args, **kwargs)


def _pdf_value(numeric: bool, value):
    if numeric:
        if value is None:  # a change in per cent where there was nothing a year earlier
            return "–"
        if isinstance(value, float):  # a change in per cent: signed, as on the page
            return f"{value:+.1f} %" if value else "0.0 %"
        return f"{value:,}".replace(",", " ") if isinstance(value, int) else str(value)
    return str(value)


def pdf_chart(chart: Chart, width: float):
    """The chart as a reportlab drawing: horizontal bars, or columns for long series."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

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
        # Long names wrap onto more lines (reportlab labels break at "\n") rather than being
        # cut; each bar group is as tall as its label, and the room on the left grows with the
        # longest line.
        names = [_wrap(c, 28) for c in chart.categories]
        lines = max(name.count("\n") + 1 for name in names)
        per_category = max(14 * max(1, len(chart.series) // 2 + 1), 9 * lines + 4)
        plot_h = per_category * len(chart.categories)
        height = plot_h + 20 + legend_h
        bars = HorizontalBarChart()
        bars.y, bars.height = 15, plot_h
        longest = max(len(part) for name in names for part in name.split("\n"))
        label_room = min(max(40, 4.2 * longest + 10), width * 0.4)
        bars.x, bars.width = label_room, width - label_room - 20
        bars.categoryAxis.categoryNames = names
        bars.categoryAxis.reverseDirection = True
    bars.data = data
    bars.valueAxis.valueMin = 0
    bars.categoryAxis.labels.fontName = "DejaVuSans"
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = "DejaVuSans"
    bars.valueAxis.labels.fontSize = 7
    for i in range(len(data)):
        bars.bars[i].fillColor = colors.HexColor(chart.colours[i])
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
            (colors.HexColor(chart.colours[i]), name) for i, name in enumerate(chart.series)
        ]
        drawing.add(legend)
    return drawing


def _wrap(label: str, width: int) -> str:
    """A chart label on as many lines of about `width` characters as it needs, never cut."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width, break_long_words=False) or [label])
