"""Why a page or file could not be read, in the viewer's language.

The reader refuses a page with a stable key and its numbers (safar.reading.refusals); the capture
pipeline has a few reasons of its own (a damaged TIFF frame, a worker that stopped). Both are
stored as the key and its parameters (`Scan.problem_key`/`problem_params`, and `problem_key`/
`problem_params` in `Scan.reading`) and shown through gettext when a page is drawn, so an
operator on a Tajik page reads Tajik whatever language the worker ran in. `Scan.problem` keeps
the English sentence (for logs and the command line, and as the text shown for a key that is not
known: rows stored before keys were).
"""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safar.reading.refusals import REFUSALS, Refusal

Params = dict[str, Any]

# Every key of safar.reading.refusals.REFUSALS, then the capture pipeline's own keys. The keys
# are stored: never rename one; add a new key for a new text (tests/capture/test_problems.py
# fails for a reader refusal without a text here).
PROBLEMS: dict[str, Promise] = {
    # The file
    "cannot_open": _("The file %(path)s cannot be opened: %(error)s."),
    "not_an_image": _("The file is not a readable PNG, JPEG, TIFF or PDF."),
    "not_a_jpeg": _("The file is not a readable JPEG."),
    "not_a_pdf": _("The file is not a readable PDF (%(error)s)."),
    "bad_header": _("The image's header cannot be read (%(error)s)."),
    "bad_page_header": _("The header of page %(page)d cannot be read (%(error)s)."),
    "no_pages": _("The file has no pages."),
    "page_no_size": _("Page %(page)d has no size."),
    "too_many_pages": _("The file has more than %(count)d pages."),
    "page_too_large": _(
        "Page %(page)d is %(width)d × %(height)d pixels, too large to read: at most %(mp)d "
        "million pixels per page."
    ),
    # Aligning the page to the card's template
    "image_too_small": _("The image is too small to be a scanned page."),
    "edges_not_found": _(
        "The page's edges were not found: the page must stand out from what is around it."
    ),
    "marks_not_found": _("The corner marks were not found where the card has them."),
    "marks_misfit": _("The marks do not fit the card's layout."),
    "marks_off": _("The corner marks do not line up with the card's."),
    "mark_missing": _("%(mark)s is not where the card has it once the page is aligned."),
    "residual": _(
        "The marks do not line up with the card's: %(mark)s is %(mm)s mm from its place "
        "(at most %(tolerance)s mm)."
    ),
    "barcode_unread": _("Which way up the page is could not be told: the barcode was not read."),
    "text_no_orientation": _("Which way up the page is could not be told from the printed text."),
    "text_misfit": _("The printed text says the page is turned a way its marks do not fit."),
    # Phone photos
    "no_page": _(
        "No page was found in the photo: photograph the whole card on a dark, plain surface."
    ),
    "cut_off": _("Part of the page is outside the photo: the whole card must be in the picture."),
    "too_small": _(
        "The page is too small in the photo (%(ppm)s pixels per mm, at least %(need)s): "
        "come closer."
    ),
    "blurred": _("The photo is too blurred: hold the phone still and let it focus."),
    "too_dark": _("The page is in shadow or too dark: photograph it in even light."),
    # The capture pipeline's own (capture.pages, capture.reader, capture.tasks)
    "unsupported_type": _("Files of type %(extension)s are not read."),
    "not_a_tiff": _("The file is not a readable TIFF (%(error)s)."),
    "page_undecodable": _("The page could not be decoded (%(error)s)."),
    "page_unrendered": _("The page could not be rendered (%(error)s)."),
    "no_image": _("The page has no image."),
    "reader_failed": _("The reader failed on this page (%(error)s)."),
    "split_stopped": _("The worker stopped while splitting the file %(count)d times."),
    "split_failed": _("The file could not be split into pages (%(error)s)."),
    "read_stopped": _("The worker stopped while reading the page %(count)d times."),
    "read_failed": _("The page could not be read (%(error)s)."),
    "route_failed": _("The page could not be routed (%(error)s)."),
}

MARK_NAMES = (
    _("the top-left mark"),
    _("the top-right mark"),
    _("the bottom-right mark"),
    _("the bottom-left mark"),
)

# Numbers with a fractional part, by parameter: how many decimals are shown.
DECIMALS = {"mm": 1, "tolerance": 1, "ppm": 1, "need": 0}


def _number(value: float, decimals: int) -> str:
    """A number in the active language's form (1,6 in Russian), without a needless ".0"."""
    if decimals and float(value) == int(value):
        decimals = 0
    return formats.number_format(round(float(value), decimals), decimals)


def _values(params: Params) -> Params:
    values = dict(params)
    for name, decimals in DECIMALS.items():
        if name in values:
            values[name] = _number(values[name], decimals)
    if "mark" in values:
        index = int(values["mark"])
        values["mark"] = (
            str(MARK_NAMES[index])
            if index < 4
            else gettext("the extra mark %(number)d") % {"number": index - 3}
        )
    return values


def problem_text(key: str, params: Params | None, fallback: str = "") -> str:
    """The problem `key` with its parameters in the active language; `fallback` (the stored
    text) when the key is not known."""
    if key not in PROBLEMS:
        return fallback
    text = str(PROBLEMS[key]) % _values(params or {})
    return text[:1].upper() + text[1:]


def of_refusal(exc: Exception) -> tuple[str, Params]:
    """(key, params) of an exception the reader raised; ("", {}) for one without a known key."""
    if isinstance(exc, Refusal) and exc.key in REFUSALS:
        return exc.key, dict(exc.params)
    return "", {}
