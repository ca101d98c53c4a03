"""Splitting a received file into page images, one per scan.

A PDF page is rendered with pypdfium2 (the PDFium engine Chrome uses: fast, no system
dependency), a TIFF frame is taken with Pillow. Every page is stored as a greyscale (or 1-bit)
PNG under MEDIA_ROOT/pages/, named after the file's SHA-256 and the page number, so that running
the split again finds the pages it already wrote instead of writing them twice. A PNG or JPEG file
is a single page and is used as it is.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageSequence, UnidentifiedImageError

from safar.reading.limits import PDF_DPI, UnreadableImage, check_pages

# Scanned cards are read at 200–600 dpi; 300 keeps boxes and handwriting sharp at a modest size.
PDF_RENDER_DPI = PDF_DPI
# A batch is at most a few hundred cards; a larger file is refused rather than filling the disk.
MAX_PAGES = 500


class UnreadableFile(ValueError):
    """The file as a whole cannot be opened; the message names the reason, never the content.

    `key` and `params` say it again for capture.problems (the reader's refusal keys, or the
    pipeline's own), so the reason is shown in each viewer's language."""

    def __init__(self, message: str, key: str = "", **params):
        super().__init__(message)
        self.key, self.params = key, params

    @classmethod
    def of(cls, exc: UnreadableImage) -> UnreadableFile:
        return cls(str(exc), exc.key, **exc.params)


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    image_name: str  # the storage name of the page image; "" when the page could not be rendered
    problem: str = ""  # in English; the same as a key of capture.problems and its parameters:
    problem_key: str = ""
    problem_params: dict = field(default_factory=dict)


def page_name(sha256: str, number: int) -> str:
    return f"pages/{sha256[:2]}/{sha256}-p{number:03d}.png"


def split_pages(*, path: str, sha256: str, extension: str, stored_name: str) -> Iterator[Page]:
    """The pages of one stored file, writing each page image once. Raises UnreadableFile, also
    when a page is too large to decode (its size is read from the header before anything is
    decoded: intake refuses such files, so this guards files stored before that check)."""
    with open(path, "rb") as handle:
        header_problem = _header_problem(handle.read())
    if header_problem is not None:
        raise header_problem
    if extension in (".png", ".jpg", ".jpeg"):
        yield Page(1, stored_name)
    elif extension in (".tif", ".tiff"):
        yield from _tiff_pages(path, sha256)
    elif extension == ".pdf":
        yield from _pdf_pages(path, sha256)
    else:
        raise UnreadableFile(
            f"unsupported file type {extension}", "unsupported_type", extension=extension
        )


def _header_problem(data: bytes) -> UnreadableFile | None:
    """Why the file's pages cannot be decoded safely, from its header; None when they can."""
    try:
        check_pages(data)
    except UnreadableImage as exc:  # PageTooLarge among them; the message names sizes only
        return UnreadableFile.of(exc)
    return None


def _store_png(name: str, image: Image.Image) -> str:
    if default_storage.exists(name):
        return name
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return default_storage.save(name, ContentFile(buffer.getvalue()))


def _tiff_pages(path: str, sha256: str) -> Iterator[Page]:
    try:
        tiff = Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        error = type(exc).__name__
        raise UnreadableFile(f"not a readable TIFF ({error})", "not_a_tiff", error=error) from None
    with tiff:
        if getattr(tiff, "n_frames", 1) > MAX_PAGES:
            raise UnreadableFile(f"more than {MAX_PAGES} pages", "too_many_pages", count=MAX_PAGES)
        number = 0
        frames = ImageSequence.Iterator(tiff)
        while True:
            number += 1
            try:
                frame = next(frames)
                frame.load()
            except StopIteration:
                return
            except (OSError, ValueError) as exc:
                # A damaged frame becomes a page the operator sees (and rejects), not a gap.
                error = type(exc).__name__
                yield Page(
                    number,
                    "",
                    f"page could not be decoded ({error})",
                    "page_undecodable",
                    {"error": error},
                )
                if number == 1:
                    return
                continue
            yield Page(number, _store_png(page_name(sha256, number), _page_mode(frame)))


def _page_mode(frame: Image.Image) -> Image.Image:
    """Keep 1-bit and grey pages as they are; colour becomes grey (the reader needs no colour)."""
    return frame.copy() if frame.mode in ("1", "L") else frame.convert("L")


def _pdf_pages(path: str, sha256: str) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        error = type(exc).__name__
        raise UnreadableFile(f"not a readable PDF ({error})", "not_a_pdf", error=error) from None
    try:
        if len(pdf) > MAX_PAGES:
            raise UnreadableFile(f"more than {MAX_PAGES} pages", "too_many_pages", count=MAX_PAGES)
        if len(pdf) == 0:
            raise UnreadableFile("the PDF has no pages", "no_pages")
        for index in range(len(pdf)):
            number = index + 1
            name = page_name(sha256, number)
            if default_storage.exists(name):
                yield Page(number, name)
                continue
            try:
                page = pdf[index]
                bitmap = page.render(scale=PDF_RENDER_DPI / 72, grayscale=True)
                image = bitmap.to_pil()
            except (pdfium.PdfiumError, OSError, ValueError) as exc:
                error = type(exc).__name__
                yield Page(
                    number,
                    "",
                    f"page could not be rendered ({error})",
                    "page_unrendered",
                    {"error": error},
                )
                continue
            yield Page(number, _store_png(name, _page_mode(image)))
    finally:
        pdf.close()
