"""The monthly tables as files: one table as CSV, XLSX or PDF (the reports app's writers), and a
whole monthly report as one printable PDF in the active language."""

from __future__ import annotations

import csv
import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from safar.reports import exports as report_exports
from safar.reports.exports import Document

from .figures import TABLES, Month, Table
from .labels import Names, chart_of, grid_of, table_title
from .models import TYPED_FIGURES, MonthlyReport


def describe_month(month: Month) -> str:
    return _("Month: %(month)s") % {"month": date_format(month.first_day, "YEAR_MONTH_FORMAT")}


def describe_mscs(msc: str | None) -> str:
    return _("Migrant Support Centre: %(msc)s") % {"msc": msc or _("all, summed")}


def table_document(
    table: Table, rows: list[list], *, msc: str | None, month: Month, names: Names | None = None
) -> Document:
    names = names or Names()
    return Document(
        code=table.code,
        title=str(table.title),
        description="",
        period=describe_month(month),
        filters=describe_mscs(msc),
        grid=grid_of(table, rows, names),
        chart=chart_of(table, rows, names),
    )


def table_file(fmt: str, table: Table, rows: list[list], *, msc: str | None, month: Month) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(rows)
        return out.getvalue().encode()
    doc = table_document(table, rows, msc=msc, month=month)
    if fmt == "xlsx":
        return report_exports.xlsx_of(doc)
    if fmt == "pdf":
        return report_exports.pdf_of(doc)
    raise ValueError(f"unknown format: {fmt}")


def report_pdf(
    report: MonthlyReport, tables: dict[str, dict], typed: dict, *, status: str, user=None
) -> bytes:
    """Every table of the report, each under its title with its chart, then the typed figures;
    "page n of m" and who printed it at every page's foot."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    report_exports._register_fonts()
    escape = report_exports._escape
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=9, leading=12)
    heading = ParagraphStyle(
        "h2", parent=body, fontName="DejaVuSans-Bold", fontSize=11, leading=14, spaceBefore=6
    )
    title = ParagraphStyle(
        "title", parent=body, fontName="DejaVuSans-Bold", fontSize=14, leading=18
    )
    month = Month.of(report.month)
    names = Names()
    story = [
        Paragraph(escape(_("Monthly report of %(msc)s") % {"msc": report.msc.name}), title),
        Paragraph(escape(describe_month(month)), body),
        Paragraph(escape(_("Status: %(status)s") % {"status": status}), body),
        Spacer(1, 4 * mm),
    ]
    for code, table in TABLES.items():
        rows = tables.get(code, {}).get("rows", [])
        doc = table_document(table, rows, msc=report.msc.code, month=month, names=names)
        part: list = [Paragraph(escape(table_title(code)), heading)]
        if not rows:
            part.append(Paragraph(escape(_("Nothing to count this month.")), body))
            story.append(KeepTogether(part))
            continue
        if doc.chart.categories and doc.chart.peak > 0 and len(rows) > 1:
            part.append(report_exports.pdf_chart(doc.chart, width=170 * mm))
        grid = doc.grid
        lines = [grid.header, *grid.rows] + ([grid.totals] if table.key_columns else [])
        shown = Table(
            [
                [report_exports._pdf_value(n, v) for v, n in zip(line, grid.numeric, strict=True)]
                for line in lines
            ],
            repeatRows=1,
        )
        style = [
            ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
            ("FONTNAME", (0, 0), (-1, 0), "DejaVuSans-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
        ]
        style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, n in enumerate(grid.numeric) if n]
        if table.key_columns:
            style.append(("FONTNAME", (0, -1), (-1, -1), "DejaVuSans-Bold"))
        shown.setStyle(TableStyle(style))
        part.append(shown)
        story.append(KeepTogether(part))
    story.append(Paragraph(escape(_("Figures typed by hand")), heading))
    for name, label in TYPED_FIGURES.items():
        value = typed.get(name)
        story.append(Paragraph(escape(f"{label}: {'–' if value is None else value}"), body))
    footer = report_exports.generated_line(user)

    def numbered_canvas(*args, **kwargs):
        return report_exports._NumberedCanvas(*args, footer=footer, **kwargs)

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=str(report),
        author=footer,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
    ).build(story, canvasmaker=numbered_canvas)
    return out.getvalue()
