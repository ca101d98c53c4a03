"""The printed blank from `safar card-template`: nothing printers would clip."""

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

POINTS_PER_MM = 72 / 25.4
EDGE_MM = 5.0


def texts_near_the_edge(pdf_path) -> list[str]:
    """Every printed character (page, character, distance to the nearest edge in mm) whose box
    lies within EDGE_MM of an edge of its page."""
    pdf = pdfium.PdfDocument(pdf_path)
    near = []
    for number, page in enumerate(pdf, start=1):
        width, height = page.get_size()
        text = page.get_textpage()
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            if not char.strip():
                continue
            left, bottom, right, top = text.get_charbox(i)
            margin = min(left, bottom, width - right, height - top) / POINTS_PER_MM
            if margin < EDGE_MM:
                near.append(f"page {number}: {char!r} {margin:.1f} mm from the edge")
    pdf.close()
    return near


def test_no_text_on_the_printed_card_lies_within_5_mm_of_the_paper_edge(tmp_path):
    out = tmp_path / "cards.pdf"
    call_command("card-template", "--out", str(out), "--first", "AA0000001", "--count", "2")
    assert texts_near_the_edge(out) == []
