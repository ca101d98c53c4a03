"""The blank form as the reader sees it: what is printed, so that print is never taken for ink.

The reference is the template's blank scan (`"blank"` in the template), aligned with the same
reader as a filled page, or else the blank rendered from the template (render.py) straight at the
reader's PX_PER_MM. Either way it is built once per template and kept (a small LRU cache keyed
by the template's content), so reading a batch costs one render or one alignment.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import cv2
import numpy as np

from ._align import PX_PER_MM, NotAligned, align
from ._image import UnreadableImage, load_pages
from .template import Template, TemplateError

CACHED = 16  # blank references kept (one per template in use)
_cache: OrderedDict[str, BlankReference] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class BlankReference:
    page: np.ndarray  # the blank, grey, aligned to the template at PX_PER_MM
    printed: np.ndarray  # bool: where the blank has print (box lines, letters, guide lines)
    scanned: bool  # from a scan of the blank (True) or rendered from the template (False)


def _key(template: Template) -> str:
    return hashlib.sha1(repr(template).encode(), usedforsecurity=False).hexdigest()


def blank_reference(template: Template) -> BlankReference:
    """The blank reference of `template` (built on first use, then cached)."""
    key = _key(template)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    ref = _scanned(template) if template.blank else _rendered(template)
    with _lock:
        _cache[key] = ref
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return ref


def _printed(page: np.ndarray, rendered: bool) -> np.ndarray:
    if rendered:
        return page < 224  # anti-aliased edges too: a scanner's blur spreads them further
    sample = page[::2, ::2]
    paper = float(np.percentile(sample, 90))
    otsu, _ = cv2.threshold(sample, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Grey print (a pale guide line) counts as print too: halfway between paper and Otsu's level.
    return page < max(float(otsu), 0.85 * paper)


def _rendered(template: Template) -> BlankReference:
    import pypdfium2 as pdfium

    from .render import render_pdf

    serial = "0" * max((len(f.boxes) for f in template.fields if f.kind == "serial"), default=1)
    pdf = pdfium.PdfDocument(render_pdf(template, [serial]))
    try:
        bitmap = pdf[0].render(scale=PX_PER_MM * 25.4 / 72, grayscale=True)
        grey = bitmap.to_numpy()
    finally:
        pdf.close()
    grey = grey[..., 0] if grey.ndim == 3 else grey
    size = (int(round(template.width * PX_PER_MM)), int(round(template.height * PX_PER_MM)))
    page = np.ascontiguousarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA))
    return BlankReference(page=page, printed=_printed(page, True), scanned=False)


def _scanned(template: Template) -> BlankReference:
    where = f"{template.source}: blank"
    try:
        with open(str(template.blank), "rb") as fh:
            data = fh.read()
        pages = load_pages(data)
        if len(pages) < template.blank_page:
            raise TemplateError(
                f"{where}: {template.blank} has {len(pages)} page(s), not {template.blank_page}"
            )
        page = align(pages[template.blank_page - 1], template).page
    except OSError as exc:
        raise TemplateError(f"{where}: cannot open {template.blank}: {exc}") from exc
    except (NotAligned, UnreadableImage) as exc:
        raise TemplateError(
            f"{where}: {template.blank} cannot be read as this form: {exc}"
        ) from exc
    return BlankReference(page=page, printed=_printed(page, False), scanned=True)
