"""Opening scans: PNG, JPEG, TIFF or PDF (path, bytes or array) → grey NumPy pages."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .limits import (
    PDF_DPI,
    PageSize,
    PageTooLarge,
    UnreadableImage,
    check_pages,
    check_size,
    pdf_pixels,
)

__all__ = ["PDF_DPI", "PageTooLarge", "UnreadableImage", "load_pages"]

MAX_SIDE = 2600  # pixels kept on the longer side of a page: ≥ 12 px/mm for an A5 card


def _as_bytes(source) -> tuple[bytes | None, np.ndarray | None]:
    if isinstance(source, np.ndarray):
        return None, source
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    path = Path(source)
    try:
        return path.read_bytes(), None
    except OSError as exc:
        raise UnreadableImage("cannot_open", path=str(path), error=exc.strerror or "") from exc


def _to_grey(img: np.ndarray) -> np.ndarray:
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        img = cv2.cvtColor(img, code)
    return img


def _limit(img: np.ndarray) -> np.ndarray:
    """Very high resolutions only cost time: shrink (with area averaging) to MAX_SIDE."""
    side = max(img.shape)
    if side <= MAX_SIDE:
        return img
    f = MAX_SIDE / side
    return cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)


def _pdf_pages(data: bytes, first_only: bool) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableImage("not_a_pdf", error=type(exc).__name__) from exc
    out = []
    try:
        for i in range(1 if first_only else len(pdf)):
            # The page's size from its box, before anything is drawn (safar.reading.limits).
            check_size(PageSize(i + 1, *pdf_pixels(*pdf.get_page_size(i))))
            bitmap = pdf[i].render(scale=PDF_DPI / 72, grayscale=True)
            out.append(
                _limit(
                    bitmap.to_numpy()[..., 0].copy()
                    if bitmap.to_numpy().ndim == 3
                    else bitmap.to_numpy().copy()
                )
            )
    finally:
        pdf.close()
    return out


def _decode(data: bytes, pages: int) -> list[np.ndarray]:
    if data.startswith(b"\xff\xd8\xff"):
        # JPEG can be decoded at 1/2 or 1/4 size directly, which is much faster than resizing.
        header = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
        if header is None:
            raise UnreadableImage("not_a_jpeg")
        side = max(header.shape) * 8
        flag = cv2.IMREAD_GRAYSCALE
        if side >= 4 * MAX_SIDE * 0.9:
            flag = cv2.IMREAD_REDUCED_GRAYSCALE_4
        elif side >= 2 * MAX_SIDE * 0.9:
            flag = cv2.IMREAD_REDUCED_GRAYSCALE_2
        return [_limit(cv2.imdecode(np.frombuffer(data, np.uint8), flag))]
    buffer = np.frombuffer(data, np.uint8)
    out = []
    for index in range(pages):
        # One page at a time, shrunk before the next is decoded: a TIFF of hundreds of large
        # pages never has more than one of them in memory at full size.
        ok, decoded = cv2.imdecodemulti(buffer, cv2.IMREAD_GRAYSCALE, None, (index, index + 1))
        if not ok or not decoded:
            raise UnreadableImage("not_an_image")
        out.append(_limit(_to_grey(decoded[0])))
    return out


def load_pages(source, *, first_only: bool = False) -> list[np.ndarray]:
    """Every page of a scan as a grey uint8 array (a PDF is rendered at 300 dpi).

    The pages' sizes are read from the file's header first: a page over MAX_PAGE_PIXELS raises
    PageTooLarge before anything is decoded (see safar.reading.limits).
    """
    data, array = _as_bytes(source)
    if array is not None:
        return [_limit(_to_grey(array))]
    if data.startswith(b"%PDF-"):
        return _pdf_pages(data, first_only)  # each page's size checked before it is rendered
    sizes = check_pages(data)
    return _decode(data, 1 if first_only else len(sizes))
