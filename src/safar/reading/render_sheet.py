"""The printable blank of an answer sheet (a template with `"layout": "sheet"`).

Another style than Safar's card, to show the reader is not tied to one form: ring-shaped corner
marks (a bullseye at the odd one, which fixes which way up the page is), round bubbles with the
option's letter or digit printed inside, question numbers beside each row, and a candidate ID as
columns of digit bubbles with a box above each column for the digit written by hand. Everything is
drawn from the template, so the reader's blank reference (rendered the same way) matches the print.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .template import Field, Option, Template

LINE_MM = 0.25
PRINT_GREY = 0.3  # letters inside the bubbles: dark grey, so they survive a 1-bit scan
PRINT_SIZE = 6.5


def printed(option: Option) -> str:
    """The text printed inside an option's box ("print" in the template; the value otherwise
    for a one-character value)."""
    for name in ("print", "print_text", "printed"):
        text = getattr(option, name, None)
        if isinstance(text, str):
            return text
    return option.value if option.value and len(option.value) == 1 else ""


def draw_marks(canvas: Canvas, template: Template) -> None:
    """The template's marks, drawn by render.py as for any form (rings, the bullseye …)."""
    from .render import _draw_fiducials, _Page

    _draw_fiducials(_Page(canvas, template), template)
    canvas.setLineWidth(LINE_MM * mm)


def _bubble(canvas: Canvas, y, o: Option) -> None:
    b = o.box
    canvas.setStrokeGray(0)
    canvas.circle(b.cx * mm, y(b.cy), min(b.w, b.h) / 2 * mm, stroke=1, fill=0)
    text = printed(o)
    if text:
        canvas.setFillGray(PRINT_GREY)
        canvas.setFont("DejaVu", PRINT_SIZE)
        canvas.drawCentredString(b.cx * mm, y(b.cy) - PRINT_SIZE * 0.35, text)
        canvas.setFillGray(0)


def _question_number(canvas: Canvas, y, f: Field) -> None:
    number = f.extra.get("number")
    if number is None:
        return
    first = f.options[0].box
    canvas.setFont("DejaVu-Bold", 8)
    canvas.drawRightString((first.x - 2.2) * mm, y(first.cy) - 8 * 0.35, str(number))


def _id_column(canvas: Canvas, y, f: Field) -> None:
    """The box above a digit column, where the candidate writes the digit they fill below."""
    first = f.options[0].box
    w, h = first.w + 1.0, 6.0
    canvas.rect((first.cx - w / 2) * mm, y(first.y - 1.5), w * mm, h * mm, stroke=1, fill=0)


def _examples(canvas: Canvas, y, x: float, top: float) -> None:
    """How to mark, drawn: one right way (filled) and three wrong ones (tick, cross, half)."""
    r = 2.5
    canvas.setFont("DejaVu", 7)
    canvas.drawString(x * mm, y(top), "Дуруст / Правильно / Right")
    canvas.circle((x + 48) * mm, y(top - 1.2), r * mm, stroke=1, fill=1)
    canvas.drawString(x * mm, y(top + 8), "Нодуруст / Неправильно / Wrong")
    for k in range(3):
        cx, cy = x + 48 + k * 8, top + 8 - 1.2
        canvas.circle(cx * mm, y(cy), r * mm, stroke=1, fill=0)
        if k == 0:  # a tick
            p = canvas.beginPath()
            p.moveTo((cx - 1.6) * mm, y(cy))
            p.lineTo((cx - 0.4) * mm, y(cy + 1.4))
            p.lineTo((cx + 1.8) * mm, y(cy - 1.8))
            canvas.drawPath(p, stroke=1, fill=0)
        elif k == 1:  # a cross
            canvas.line((cx - 1.5) * mm, y(cy - 1.5), (cx + 1.5) * mm, y(cy + 1.5))
            canvas.line((cx - 1.5) * mm, y(cy + 1.5), (cx + 1.5) * mm, y(cy - 1.5))
        else:  # half filled
            p = canvas.beginPath()
            p.moveTo(cx * mm, y(cy - r))
            p.arcTo((cx - r) * mm, y(cy - r), (cx + r) * mm, y(cy + r), 90, 180)
            p.close()
            canvas.drawPath(p, stroke=0, fill=1)


def draw_sheet(canvas: Canvas, template: Template, serial: str) -> None:
    """Draw one blank answer sheet on the current page; `serial` is printed as the sheet's
    number at the foot (it is not read)."""
    from .render import _register_fonts, trilingual

    _register_fonts()
    height = template.height

    def y(v: float) -> float:
        return (height - v) * mm

    canvas.setLineWidth(LINE_MM * mm)
    canvas.setFillGray(0)
    draw_marks(canvas, template)
    if template.title:
        canvas.setFont("DejaVu-Bold", 11)
        canvas.drawString(24 * mm, y(16), template.title.get("tg", ""))
        canvas.setFont("DejaVu", 8)
        canvas.drawString(
            24 * mm, y(21), trilingual({k: v for k, v in template.title.items() if k != "tg"})
        )
    for t in template.texts:
        size = t.get("size", 6)
        for k, lang in enumerate(("tg", "ru", "en")):
            canvas.setFont("DejaVu", size)
            canvas.drawString(t["x"] * mm, y(t["y"] + k * size * 0.43), t["text"][lang])
    for f in template.fields:
        if f.kind != "checkboxes":
            continue
        if "column" in f.extra:
            _id_column(canvas, y, f)
        _question_number(canvas, y, f)
        for o in f.options:
            _bubble(canvas, y, o)
    id_fields = [f for f in template.fields if "column" in f.extra]
    if id_fields:
        right = max(o.box.x + o.box.w for f in id_fields for o in f.options)
        _examples(canvas, y, right + 16, id_fields[0].options[0].box.y + 4)
    canvas.setFont("DejaVu", 6)
    canvas.drawRightString((template.width - 24) * mm, y(template.height - 10), f"№ {serial}")
