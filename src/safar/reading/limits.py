"""How large a page may be, read from a file's header before any pixel is decoded.

A file of a few hundred bytes can declare a page of billions of pixels: a PNG of zlib-compressed
zeros, a group-4 (CCITT) TIFF, a JPEG, or a PDF with a huge MediaBox (a 553-byte PDF with one
14,400-point page, rendered at 300 dpi, is 60,000 × 60,000 pixels: 3.6 GB in grey). Decoders
allocate the whole page before they look at the data, so the only safe moment to refuse is
before decoding, from the sizes the header declares. This module reads those sizes with
Pillow's format plugins (which parse headers only until `load()`) and pypdfium2 (page sizes
without rendering), and refuses a page beyond MAX_PAGE_PIXELS with `PageTooLarge`.

No Django and no OpenCV here: the web request that receives a file uses it too.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from .refusals import Refusal

# At most this many pixels per page. A4 at 600 dpi is 34.8 million pixels and an A5 card at
# 600 dpi under 9 million, so every scan a border centre makes fits; a page this size is 40 MB
# in grey and 160 MB while a colour decoder holds it (RGBA), which a reading worker can afford.
MAX_PAGE_PIXELS = 40_000_000
# PDF pages are rendered at this resolution (the size of a PDF page is in points, 1/72 inch);
# A2 is the largest paper size that stays under MAX_PAGE_PIXELS at 300 dpi.
PDF_DPI = 300
# A multi-page TIFF or PDF is read page by page; a batch is at most a few hundred cards.
MAX_PAGES = 500


class UnreadableImage(Refusal, ValueError):
    """The file is not an image or PDF the reader can open (`key` and `params` say why, see
    safar.reading.refusals)."""


class PageTooLarge(UnreadableImage):
    """A page declares more pixels than MAX_PAGE_PIXELS (`size` says which and how large), or
    the file has more than MAX_PAGES pages (`size` None); nothing of it was decoded."""

    def __init__(self, key: str, /, size: PageSize | None = None, **params):
        super().__init__(key, **params)
        self.size = size


@dataclass(frozen=True)
class PageSize:
    number: int  # from 1
    width: int  # pixels (a PDF page: as rendered at PDF_DPI)
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def check_pages(data: bytes, *, max_pixels: int = MAX_PAGE_PIXELS) -> list[PageSize]:
    """The size of every page of a PNG, JPEG, TIFF or PDF file, from its header only.

    Raises PageTooLarge for the first page over `max_pixels` (or a file of more than MAX_PAGES
    pages), UnreadableImage when the header cannot be parsed.
    """
    sizes = []
    for size in page_sizes(data):
        if size.number > MAX_PAGES:
            raise PageTooLarge("too_many_pages", count=MAX_PAGES)
        sizes.append(check_size(size, max_pixels))
    if not sizes:
        raise UnreadableImage("no_pages")
    return sizes


def check_size(size: PageSize, max_pixels: int = MAX_PAGE_PIXELS) -> PageSize:
    """The page's size when it may be decoded; else PageTooLarge (or UnreadableImage: no size)."""
    if size.width <= 0 or size.height <= 0:
        raise UnreadableImage("page_no_size", page=size.number)
    if size.pixels > max_pixels:
        raise PageTooLarge("page_too_large", size, **too_large_params(size, max_pixels))
    return size


def too_large_params(size: PageSize, max_pixels: int = MAX_PAGE_PIXELS) -> dict[str, int]:
    """The numbers of a `page_too_large` refusal: the page and its size (no content yet)."""
    return {
        "page": size.number,
        "width": size.width,
        "height": size.height,
        "mp": max_pixels // 1_000_000,
    }


def page_sizes(data: bytes):
    """Yield each page's PageSize in order, parsing headers only (see check_pages)."""
    if data.startswith(b"%PDF-"):
        yield from _pdf_sizes(data)
    else:
        yield from _raster_sizes(data)


def _raster_sizes(data: bytes):
    from PIL import ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

    # The plugin classes themselves, not Image.open: Image.open applies Pillow's own
    # decompression-bomb check, which raises without telling the size (and only from 179 Mpx).
    plugin: type[ImageFile.ImageFile]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        plugin = PngImagePlugin.PngImageFile
    elif data.startswith(b"\xff\xd8\xff"):
        plugin = JpegImagePlugin.JpegImageFile
    elif data[:4] in (b"II*\x00", b"MM\x00*"):
        plugin = TiffImagePlugin.TiffImageFile
    else:
        raise UnreadableImage("not_an_image")
    try:
        image = plugin(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a damaged header raises many types; all mean this
        raise UnreadableImage("bad_header", error=type(exc).__name__) from None
    with image:
        number = 1
        while True:
            width, height = image.size
            yield PageSize(number, width, height)
            if number >= MAX_PAGES + 1:
                return
            try:
                image.seek(number)  # a TIFF's next frame: its directory only, no pixels
            except EOFError:
                return
            except Exception as exc:  # noqa: BLE001 - as above
                raise UnreadableImage(
                    "bad_page_header", page=number + 1, error=type(exc).__name__
                ) from None
            number += 1


def _pdf_sizes(data: bytes):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableImage("not_a_pdf", error=type(exc).__name__) from None
    try:
        for index in range(min(len(pdf), MAX_PAGES + 1)):
            width, height = pdf.get_page_size(index)
            yield PageSize(index + 1, *pdf_pixels(width, height))
    finally:
        pdf.close()


def pdf_pixels(width_pt: float, height_pt: float, dpi: int = PDF_DPI) -> tuple[int, int]:
    """A PDF page's size in pixels as rendered at `dpi` (0 for a page of no or absurd size)."""
    scale = dpi / 72
    if not (math.isfinite(width_pt) and math.isfinite(height_pt)):
        return 0, 0
    return max(0, math.ceil(width_pt * scale)), max(0, math.ceil(height_pt * scale))
