"""A printable leaflet of one article (A4, DejaVu Sans so Tajik and Russian letters print)."""

from html import escape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import urljoin

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .rendering import to_html

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
MARGIN = 18 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN
LINK_COLOUR = "#0b6e4f"


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=8
        ),
        "summary": ParagraphStyle(
            "summary", parent=base, fontSize=11.5, leading=16, textColor="#33404f", spaceAfter=10
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=17,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=11, textColor="#4a5561"
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12.5, spaceAfter=0),
        "cell_head": ParagraphStyle(
            "cell_head", parent=base, fontName=FONT_BOLD, fontSize=9.5, leading=12.5, spaceAfter=0
        ),
        "note": ParagraphStyle(
            "note",
            parent=base,
            fontSize=9.5,
            leading=13,
            borderWidth=0.6,
            borderColor="#b3261e",
            borderPadding=5,
            spaceBefore=6,
            spaceAfter=10,
        ),
    }


class _Flowables(HTMLParser):
    """The sanitised article HTML as reportlab flowables: paragraphs, headings, lists, tables
    (a reportlab Table whose cells wrap) and links (their text, then the address)."""

    BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote")
    INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i", "code": "font face='DejaVuSans'"}

    def __init__(self, styles, *, base_url: str = ""):
        super().__init__(convert_charrefs=True)
        self.styles, self.out, self.base_url = styles, [], base_url
        self.text, self.block, self.items, self.lists = "", None, [], []
        self.rows: list[list[Paragraph]] | None = None  # the table being read
        self.head_rows = 0
        self.link: tuple[str, int] | None = None  # (address, where the link's words start)

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            if tag == "li" and self.text.strip() and self.block:
                self._flush()
            self.block = tag if tag != "h4" else "h3"
        elif tag == "table":
            self._flush()
            self.rows, self.head_rows = [], 0
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th"):
            self.text, self.block = "", tag
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append((tag, []))
        elif tag in self.INLINE:
            self.text += f"<{self.INLINE[tag]}>"
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href and self.base_url:  # "/guide/calculator/" is of no use on paper
                href = urljoin(self.base_url, href)
            if href:
                self.text += f'<a href="{escape(href)}" color="{LINK_COLOUR}">'
            self.link = (href, len(self.text))
        elif tag == "mark":
            self.text += "<u>"
        elif tag == "br":
            self.text += "<br/>"

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._flush()
        elif tag in ("td", "th"):
            self._cell(header=tag == "th")
        elif tag == "thead" and self.rows is not None:
            self.head_rows = len(self.rows)
        elif tag == "table" and self.rows is not None:
            self._table()
        elif tag in ("ul", "ol") and self.lists:
            kind, items = self.lists.pop()
            flow = ListFlowable(
                [ListItem(item, leftIndent=12) for item in items],
                bulletType="bullet" if kind == "ul" else "1",
                bulletFontName=FONT,
                leftIndent=14,
            )
            self._emit(flow)
        elif tag in self.INLINE:
            self.text += f"</{self.INLINE[tag].split()[0]}>"
        elif tag == "a" and self.link is not None:
            self._end_link()
        elif tag == "mark":
            self.text += " (?)</u>"

    def handle_data(self, data):
        self.text += escape(data, quote=False)

    def _end_link(self):
        """Close the link and print its address after its text, as a printed page must."""
        href, start = self.link
        self.link = None
        if not href:
            return
        label = self.text[start:]
        self.text += "</a>"
        shown = href.removeprefix("mailto:").removeprefix("tel:")
        if escape(shown, quote=False) not in label:
            self.text += f" ({escape(shown, quote=False)})"

    def _cell(self, *, header: bool):
        text, self.text, self.block = self.text.strip(), "", None
        if self.rows is None:  # a cell outside a table: print it as a paragraph
            if text:
                self._emit(Paragraph(text, self.styles["body"]))
            return
        if not self.rows:
            self.rows.append([])
        style = self.styles["cell_head" if header else "cell"]
        self.rows[-1].append(Paragraph(text, style))

    def _table(self):
        rows = [row for row in self.rows or [] if row]
        self.rows = None
        if not rows:
            return
        columns = max(len(row) for row in rows)
        for row in rows:
            row.extend(Paragraph("", self.styles["cell"]) for _ in range(columns - len(row)))
        # Each column as wide as its longest text wants, within bounds, filling the page width.
        wants = [
            max(8, min(60, max(len(row[c].getPlainText()) for row in rows))) for c in range(columns)
        ]
        table = Table(
            rows,
            colWidths=[TEXT_WIDTH * want / sum(wants) for want in wants],
            repeatRows=self.head_rows,
            hAlign="LEFT",
            spaceBefore=4,
            spaceAfter=8,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, "#b8c2cc"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, self.head_rows - 1), "#eef1f4"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
                if self.head_rows
                else [
                    ("GRID", (0, 0), (-1, -1), 0.5, "#b8c2cc"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self._emit(table)

    def _flush(self):
        text = self.text.strip()
        self.text = ""
        if not text:
            return
        style = self.styles.get(self.block or "body", self.styles["body"])
        self._emit(Paragraph(text, style))

    def _emit(self, flowable):
        if self.lists:
            self.lists[-1][1].append(flowable)
        else:
            self.out.append(flowable)


def article_leaflet(article, *, language: str, contacts, url: str) -> bytes:
    """The article in `language` as a PDF: title, summary, text, sources, where to turn."""
    _register_fonts()
    styles = _styles()
    with translation.override(language):
        story = [
            Paragraph(escape(article.in_language("title", language)), styles["title"]),
            Paragraph(escape(article.in_language("summary", language)), styles["summary"]),
            Paragraph(
                escape(
                    _(
                        "This is information, not legal advice. Laws change: check "
                        "with the Migrant Support Centre before you act."
                    )
                ),
                styles["note"],
            ),
        ]
        parser = _Flowables(styles, base_url=url)
        parser.feed(to_html(article.in_language("body", language)))
        parser.close()
        story.extend(parser.out)
        if article.has_uncertain_facts:
            story.append(
                Paragraph(
                    escape(_("Underlined facts marked (?) are still being confirmed.")),
                    styles["small"],
                )
            )
        sources = article.source_lines(language)
        if sources:
            story.append(Paragraph(escape(_("Legal sources")), styles["h3"]))
            story.extend(Paragraph(escape(line), styles["small"]) for line in sources)
        story.append(Paragraph(escape(_("Where to turn")), styles["h3"]))
        for contact in contacts:
            details = (
                contact.phone
                if contact.confirmed and contact.phone
                else _("details are being confirmed")
            )
            story.append(
                Paragraph(f"<b>{escape(contact.name)}</b>: {escape(details)}", styles["body"])
            )
        story.append(Spacer(1, 4 * mm))
        story.append(
            Paragraph(
                escape(
                    _("Last checked on %(date)s · %(url)s")
                    % {"date": article.last_checked_on.strftime("%d.%m.%Y"), "url": url}
                ),
                styles["small"],
            )
        )
        buffer = BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=article.in_language("title", language),
            author="Safar",
            lang=language,
        )
        doc.build(story)
    return buffer.getvalue()
