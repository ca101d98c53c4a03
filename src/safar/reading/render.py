"""The printable blank: a PDF page per card, drawn from the template (reportlab).

Boxes are printed black and thin (0.25 mm) so that they survive black-and-white scanning and the
reader can ignore them by looking only inside each box. Fiducials are drawn as the template's
`fiducials.kind` says: solid black squares (the top-left one larger, so the reader can tell which
way up the page was scanned), rings and bullseyes, or L-shaped corners.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .template import Field, Rect, Template

FONT_FILES = {
    "DejaVu": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "DejaVu-Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
BARCODE_MODULE_MM = (
    0.45  # 3.5 px at 200 dpi: at 0.3 mm a blurred 200-dpi scan lost 30 % of barcodes
)
LINE_MM = 0.25
# Printers clip what lies near the paper's edge: no text within 5 mm of it (the right column's
# longest headings once ended 1.2 mm from the edge).
EDGE_MM = 5.0
HEADING_SIZE, SMALLEST_HEADING = 5.5, 4.0
OPTION_SIZE, SMALLEST_OPTION = 4.6, 3.2
SERIAL_FONT = "DejaVu-Bold"  # OCR-B ships as CFF-flavoured OpenType, which reportlab cannot embed


def _register_fonts() -> None:
    for name, path in FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path))


def fitting_size(line: str, size: float, room_mm: float, smallest: float) -> float:
    """The largest font size, from `size` down to `smallest` in 0.1 pt steps, at which `line`
    fits in `room_mm` (the smallest if none does)."""
    while size > smallest and pdfmetrics.stringWidth(line, "DejaVu", size) > room_mm * mm:
        size = round(size - 0.1, 1)
    return size


def trilingual(label: dict[str, str]) -> str:
    """'tg / ru / en', dropping repeats (codes and numbers are the same in every language)."""
    parts: list[str] = []
    for lang in ("tg", "ru", "en"):
        text = label.get(lang, "")
        if text and text not in parts:
            parts.append(text)
    return " / ".join(parts)


class _Page:
    """Draws in template millimetres with the origin at the top-left, as the template says."""

    def __init__(self, canvas: Canvas, template: Template):
        self.c = canvas
        self.t = template

    def y(self, y_mm: float) -> float:
        return (self.t.height - y_mm) * mm

    def box(self, r: Rect, fill: bool = False) -> None:
        self.c.rect(r.x * mm, self.y(r.y + r.h), r.w * mm, r.h * mm, stroke=1, fill=int(fill))

    def circle(self, r: Rect) -> None:
        """A bubble: the ellipse inscribed in the box (a circle when the box is square)."""
        self.c.ellipse(r.x * mm, self.y(r.y + r.h), (r.x + r.w) * mm, self.y(r.y), stroke=1, fill=0)

    def printed(self, r: Rect, s: str) -> None:
        """Text printed inside a box (a bubble's letter), centred, its height ~half the box's."""
        size = min(r.h, r.w / max(1, len(s)) * 1.4) * 0.5 / 0.3528  # pt for a cap height in mm
        self.c.setFont("DejaVu", size)
        self.c.drawCentredString(r.cx * mm, self.y(r.cy + size * 0.3528 * 0.36), s)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float = 5.5,
        font: str = "DejaVu",
        centred: bool = False,
    ) -> None:
        self.c.setFont(font, size)
        if centred:
            self.c.drawCentredString(x * mm, self.y(y), s)
        else:
            self.c.drawString(x * mm, self.y(y), s)


def draw_card(canvas: Canvas, template: Template, serial: str) -> None:
    """Draw one blank card (the front) with its serial on the current page of `canvas`."""
    _register_fonts()
    page = _Page(canvas, template)
    canvas.setLineWidth(LINE_MM * mm)
    canvas.setFillColorRGB(0, 0, 0)
    _draw_fiducials(page, template)
    if template.title:
        page.text(16, 10, template.title.get("tg", ""), 10, "DejaVu-Bold")
        page.text(16, 15, trilingual({k: v for k, v in template.title.items() if k != "tg"}), 7)
    for f in template.fields:
        _draw_field(page, f, serial)
    for t in template.texts:
        page.text(t["x"], t["y"], t["text"]["tg"], t.get("size", 6))
        page.text(t["x"], t["y"] + t.get("size", 6) * 0.43, t["text"]["ru"], t.get("size", 6))
        page.text(t["x"], t["y"] + t.get("size", 6) * 0.86, t["text"]["en"], t.get("size", 6))


def _draw_fiducials(page: _Page, template: Template) -> None:
    """Solid squares; rings (stroke a sixth of the diameter), bullseyes (a ring round a dot a
    quarter of the diameter); L corners (arms `size` long from the vertex at x, y, 1 mm thick)."""
    c = page.c
    for k, f in enumerate(template.fiducials):
        shape = template.mark_shape(k)
        if shape == "solid":
            page.box(Rect(f.x, f.y, f.size, f.size), fill=True)
        elif shape in ("ring", "bullseye"):
            cx, cy, stroke = f.x + f.size / 2, page.y(f.y + f.size / 2), f.size / 6
            c.setLineWidth(stroke * mm)
            c.circle(cx * mm, cy, (f.size - stroke) / 2 * mm, stroke=1, fill=0)
            if shape == "bullseye":
                c.circle(cx * mm, cy, f.size / 8 * mm, stroke=0, fill=1)
            c.setLineWidth(LINE_MM * mm)
        elif shape == "corner":
            sx, sy = (1, -1, -1, 1)[k], (1, 1, -1, -1)[k]
            c.rect(f.x * mm, page.y(f.y), sx * f.size * mm, -sy * mm, stroke=0, fill=1)
            c.rect(f.x * mm, page.y(f.y), sx * mm, -sy * f.size * mm, stroke=0, fill=1)


def _draw_field(page: _Page, f: Field, serial: str) -> None:
    first = (f.options[0].box if f.options else f.boxes[0]) if f.kind != "serial" else f.barcode
    if f.kind == "serial":
        _draw_serial(page, f, serial)
        return
    # A code field that completes an "other" option carries no label of its own.
    if not (f.kind == "characters" and f.format == "code" and f.codes):
        heading = trilingual(f.label)
        room = page.t.width - EDGE_MM - first.x
        page.text(
            first.x,
            first.y - 1.2,
            heading,
            fitting_size(heading, HEADING_SIZE, room, SMALLEST_HEADING),
        )
    for o in f.options:
        if f.shape == "circle":
            page.circle(o.box)
        else:
            page.box(o.box)
        if o.print:
            page.printed(o.box, o.print)
        # Two short lines beside the box: Tajik first, then Russian / English, shrunk to fit
        # before the next box on the row.
        rest = {k: v for k, v in o.label.items() if k != "tg" and v != o.label.get("tg")}
        x = o.box.x + o.box.w + 0.8
        room = min([b.x for b in _row_neighbours(f, o.box)] + [page.t.width - 8]) - x - 0.8
        for dy, line in ((1.9, o.label.get("tg", "")), (4.1, trilingual(rest))):
            page.text(x, o.box.y + dy, line, fitting_size(line, OPTION_SIZE, room, SMALLEST_OPTION))
    for b in f.boxes:
        page.box(b)
    if f.kind == "characters" and f.format == "date":
        # Faint separators between day, month and year help people write the right boxes.
        for i in (2, 4):
            a, b = f.boxes[i - 1], f.boxes[i]
            page.text((a.x + a.w + b.x) / 2, a.y + a.h - 1.5, ".", 8, centred=True)


def _row_neighbours(f: Field, box: Rect) -> list[Rect]:
    """Boxes of the field to the right of `box` on the same line (labels must stop before them)."""
    others = [o.box for o in f.options] + list(f.boxes)
    return [b for b in others if abs(b.y - box.y) < 2 and b.x > box.x + box.w]


def _draw_serial(page: _Page, f: Field, serial: str) -> None:
    bar = Code128(
        serial,
        barWidth=BARCODE_MODULE_MM * mm,
        barHeight=f.barcode.h * mm,
        humanReadable=False,
        quiet=False,
    )
    x = f.barcode.x + (f.barcode.w - bar.width / mm) / 2
    bar.drawOn(page.c, x * mm, page.y(f.barcode.y + f.barcode.h))
    for ch, b in zip(serial, f.boxes, strict=False):
        page.text(b.cx, b.y + b.h - 0.6, ch, 12, SERIAL_FONT, centred=True)


def draw_overleaf(canvas: Canvas, template: Template, lines: Sequence[str]) -> None:
    """The reverse of the card: a numbered list (e.g. districts by region), in columns."""
    _register_fonts()
    page = _Page(canvas, template)
    x, y, col_w = 10.0, 12.0, (template.width - 20) / 3
    for line in lines:
        bold = not line.startswith(" ")
        page.text(x, y, line.strip(), 6 if not bold else 6.5, "DejaVu-Bold" if bold else "DejaVu")
        y += 3.0
        if y > template.height - 8:
            x, y = x + col_w, 12.0


def render_pdf(
    template: Template, serials: Iterable[str], overleaf: Sequence[str] | None = None
) -> bytes:
    """A PDF with one page per serial (and its reverse after it when `overleaf` is given)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(template.width * mm, template.height * mm))
    canvas.setTitle(trilingual(template.title) or template.name)
    draw = draw_card
    if template.layout == "sheet":  # an answer sheet (bubbles), not Safar's card
        from .render_sheet import draw_sheet as draw
    for serial in serials:
        draw(canvas, template, serial)
        canvas.showPage()
        if overleaf:
            draw_overleaf(canvas, template, overleaf)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def next_serials(first: str, count: int) -> list[str]:
    """AA0000001, AA0000002, …: the letters stay, the number counts up with its width kept."""
    head = first.rstrip("0123456789")
    digits = first[len(head) :]
    if not digits:
        raise ValueError(f"serial {first!r} does not end in digits")
    start, width = int(digits), len(digits)
    if start + count - 1 >= 10**width:
        raise ValueError(f"{count} cards from {first} run past {head}{'9' * width}")
    return [f"{head}{n:0{width}d}" for n in range(start, start + count)]
