"""Why the reader refuses a page, as stable keys with their numbers.

Every refusal the reader raises (UnreadableImage and PageTooLarge in safar.reading.limits,
NotAligned in safar.reading._align, PhotoRefused in safar.reading._photo) carries a `key` from
REFUSALS and its `params` (numbers and short technical names, JSON-safe), e.g.
`NotAligned("residual", mark=4, mm=1.6, tolerance=1.0)`. `str(exc)` stays a readable English
sentence for the command line and logs; an application shows the refusal in its user's language
from the key and params (safar.capture.problems translates every key listed here).

Plain Python: no Django, no OpenCV (the web request that checks an upload's header uses it).
The keys are stored by the capture app: never rename one; add a new key for a new text.
"""

from __future__ import annotations

from typing import Any

# The top-left, top-right, bottom-right and bottom-left marks; index 4 on is "extra mark 1", …
MARK_NAMES = ("top-left", "top-right", "bottom-right", "bottom-left")

# key → the English sentence, as str.format with the params by name (`mark` is a mark's index).
REFUSALS: dict[str, str] = {
    # The file (safar.reading.limits, safar.reading._image)
    "cannot_open": "{path}: {error}",
    "not_an_image": "not a readable PNG, JPEG, TIFF or PDF",
    "not_a_jpeg": "not a readable JPEG",
    "not_a_pdf": "not a readable PDF ({error})",
    "bad_header": "the image header cannot be read ({error})",
    "bad_page_header": "page {page} header cannot be read ({error})",
    "no_pages": "the file has no pages",
    "page_no_size": "page {page} has no size",
    "too_many_pages": "more than {count} pages",
    "page_too_large": (
        "page {page} is {width} × {height} pixels; at most {mp} million pixels per page are read"
    ),
    # Aligning the page to the template (safar.reading._align)
    "image_too_small": "the image is too small to be a scanned page",
    "edges_not_found": "the page's edges were not found: the page must stand out from around it",
    "marks_not_found": "the corner marks were not found where the template has them",
    "marks_misfit": "the marks do not fit the template's layout",
    "marks_off": "the corner marks do not line up with the template",
    "mark_missing": "{mark} is not where the template has it once the page is aligned",
    "residual": (
        "the marks do not line up with the template: {mark} is {mm:.1f} mm from its place"
        " (at most {tolerance:g} mm)"
    ),
    "barcode_unread": "which way up the page is could not be told: the barcode was not read",
    "text_no_orientation": "which way up the page is could not be told from the printed text",
    "text_misfit": "the printed text says the page is turned a way its marks do not fit",
    # Phone photos (safar.reading._photo)
    "no_page": "no page found in the photo: photograph the whole card on a dark, plain surface",
    "cut_off": "part of the page is outside the photo: the whole card must be in the picture",
    "too_small": (
        "the page is too small in the photo ({ppm:.1f} px per mm, at least {need:.0f}): come closer"
    ),
    "blurred": "the photo is too blurred: hold the phone still and let it focus",
    "too_dark": "the page is in shadow or too dark: photograph it in even light",
}

Params = dict[str, Any]


def mark_name(index: int) -> str:
    """ "the top-left mark", …, "the extra mark 1": a mark by its index in the template."""
    return f"the {MARK_NAMES[index]} mark" if index < 4 else f"the extra mark {index - 3}"


def english(key: str, params: Params) -> str:
    """The refusal `key` as an English sentence (for the command line and logs)."""
    values = dict(params)
    if "mark" in values:
        values["mark"] = mark_name(int(values["mark"]))
    return REFUSALS[key].format(**values)


class Refusal(Exception):  # noqa: N818 - a reason, not an error of the program
    """A page the reader refuses: `key` (in REFUSALS) and `params` say why.

    A text that is not a key is kept as the message, with the key "" (for callers outside the
    reader that still raise with a sentence of their own).
    """

    def __init__(self, key: str, /, **params: Any):
        if key in REFUSALS:
            self.key, self.params = key, params
            message = english(key, params)
        else:
            self.key, self.params = "", {}
            message = key
        super().__init__(message)
