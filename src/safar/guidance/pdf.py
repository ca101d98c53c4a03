"""A printable leaflet of one article (A4, DejaVu Sans so Tajik and Russian letters print)."""

from html import escape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

from .rendering import to_html

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


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
    """The sanitised article HTML as reportlab flowables (paragraphs, headings, lists)."""

    INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i", "code": "font face='DejaVuSans'"}

    def __init__(self, styles):
        super().__init__(convert_charrefs=True)
        self.styles, self.out = styles, []
        self.text, self.block, self.items, self.lists = "", None, [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "h2", "h3", "h4", "li", "blockquote", "td", "th"):
            if tag == "li" and self.text.strip() and self.block:
                self._flush()
            self.block = tag if tag != "h4" else "h3"
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append((tag, []))
        elif tag in self.INLINE:
            self.text += f"<{self.INLINE[tag]}>"
        elif tag == "mark":
            self.text += "<u>"
        elif tag == "br":
            self.text += "<br/>"

    def handle_endtag(self, tag):
        if tag in ("p", "h2", "h3", "h4", "li", "blockquote", "td", "th"):
            self._flush()
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
        elif tag == "mark":
            self.text += " (?)</u>"

    def handle_data(self, data):
        self.text += escape(data, quote=False)

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
        parser = _Flowables(styles)
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
        if article.source_lines():
            story.append(Paragraph(escape(_("Legal sources")), styles["h3"]))
            story.extend(
                Paragraph(escape(line), styles["small"]) for line in article.source_lines()
            )
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
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=article.in_language("title", language),
            author="Safar",
            lang=language,
        )
        doc.build(story)
    return buffer.getvalue()
