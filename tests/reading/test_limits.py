"""Pages too large to decode are refused from the file's header, before any pixel is made."""

import io
import json
import subprocess
import sys
import time

import pytest
from PIL import Image

from safar.reading._image import load_pages
from safar.reading.limits import (
    MAX_PAGE_PIXELS,
    PageTooLarge,
    UnreadableImage,
    check_pages,
)
from tests.hostile import jpeg_bomb, pdf_bomb, png_bomb, tiff_bomb

BOMBS = {
    "pdf with a 14,400 pt page": (pdf_bomb, "60001 × 60001"),
    "png of 20,000 × 20,000": (png_bomb, "20000 × 20000"),
    "group-4 tiff of 20,000 × 20,000": (tiff_bomb, "20000 × 20000"),
    "jpeg of 20,000 × 20,000": (jpeg_bomb, "20000 × 20000"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_file_declaring_a_huge_page_is_refused_at_once_with_its_size(name):
    build, size = BOMBS[name]
    data = build()
    started = time.perf_counter()
    with pytest.raises(PageTooLarge) as refused:
        load_pages(data)
    # Decoding any of these takes seconds and gigabytes; reading a header, milliseconds.
    assert time.perf_counter() - started < 1.0
    assert f"page 1 is {size} pixels" in str(refused.value)
    assert isinstance(refused.value, UnreadableImage)  # callers that catch unreadable files


def test_the_huge_page_of_a_multi_page_tiff_is_named_and_nothing_is_decoded():
    with pytest.raises(PageTooLarge, match="page 3 is 20000 × 20000"):
        load_pages(tiff_bomb(pages_before=2))


def test_a_page_at_the_limit_is_read_and_one_pixel_row_more_is_not():
    side = 2000
    buffer = io.BytesIO()
    Image.new("L", (side, side), 255).save(buffer, format="PNG")
    assert [page.pixels for page in check_pages(buffer.getvalue(), max_pixels=side * side)] == [
        side * side
    ]
    with pytest.raises(PageTooLarge):
        check_pages(buffer.getvalue(), max_pixels=side * side - 1)


def test_an_a4_page_at_600_dpi_and_an_a3_pdf_page_fit_the_limit():
    a4_at_600_dpi = 4961 * 7016
    assert a4_at_600_dpi <= MAX_PAGE_PIXELS
    a3_points = pdf_bomb(points=1191)  # the long side of A3; the page is square, so larger
    assert check_pages(a3_points)[0].pixels <= MAX_PAGE_PIXELS


def test_ordinary_scans_still_load_page_by_page():
    pages = [Image.new("L", (300 + i, 200), 255) for i in range(3)]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    assert [page.shape for page in load_pages(buffer.getvalue())] == [
        (200, 300),
        (200, 301),
        (200, 302),
    ]
    assert len(load_pages(buffer.getvalue(), first_only=True)) == 1


CHILD = """
import json, sys, time
from safar.reading._image import load_pages
from safar.reading.limits import PageTooLarge
data = sys.stdin.buffer.read()
started = time.perf_counter()
try:
    load_pages(data)
    outcome = "loaded"
except PageTooLarge:
    outcome = "refused"
seconds = time.perf_counter() - started
# VmHWM: this process's own peak (ru_maxrss would carry the parent's, from before the exec).
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "seconds": seconds, "max_rss_mb": peak_kb / 1024}))
"""


@pytest.mark.parametrize("name", BOMBS)
def test_refusing_a_bomb_never_allocates_its_page(name):
    # In a process of its own, so that its peak memory is its own: decoding these takes 400 MB
    # (the PNG, TIFF and JPEG, 1 byte per pixel) to 3.6 GB (the PDF's page, grey); Python,
    # NumPy and OpenCV take about 100 MB.
    build, _size = BOMBS[name]
    result = subprocess.run(
        [sys.executable, "-c", CHILD], input=build(), capture_output=True, check=True
    )
    report = json.loads(result.stdout)
    assert report["outcome"] == "refused"
    assert report["seconds"] < 1.0
    assert report["max_rss_mb"] < 300
