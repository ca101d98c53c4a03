"""Why intake refused a file, as stable keys with their texts.

The station hears the text in its own language when it sends; a refusal is stored by its key and
parameters, so the dashboard shows the same refusal again in each viewer's language (a station at
Dushanbe that speaks Tajik does not make the English page Tajik).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from safar.capture.services import MAX_PAGE_PIXELS, MAX_PAGES
from safar.reading.limits import PageTooLarge

# The keys are stored (RefusedUpload.reason_key): never rename one; add a new key for a new text.
REASONS: dict[str, Promise] = {
    "hash_mismatch": _(
        "The file's SHA-256 does not match: it was damaged on the way or changed while it was sent."
    ),
    "empty": _("The file is empty."),
    "too_large": _("The file is larger than %(mb)d MB."),
    "wrong_type": _("Only PNG, JPEG, TIFF and PDF files are accepted."),
    "unreadable": _("The file cannot be opened: it is damaged or not really a %(type)s."),
    "too_many_pages": _("The file has more than %(count)d pages."),
    "page_too_large": _(
        "Page %(page)d is %(width)d × %(height)d pixels, too large to read: at most %(mp)d "
        "million pixels per page (an A4 page scanned at 600 dpi has 35 million)."
    ),
    # Said by the capture pipeline itself (capture.services.receive_upload).
    "not_readable": _("The file is not a readable PNG, JPEG, TIFF or PDF."),
}

Params = dict[str, int | str]


def reason_text(key: str, params: Params) -> str:
    """The reason `key` with its parameters, in the active language."""
    text = str(REASONS[key])  # a lazy text: translated now, in the active language
    return text % params if params else text


def page_reason(exc: PageTooLarge) -> tuple[str, Params]:
    """The key and parameters for a page too large to decode, or a file of too many pages."""
    if exc.size is None:
        return "too_many_pages", {"count": MAX_PAGES}
    return "page_too_large", {
        "page": exc.size.number,
        "width": exc.size.width,
        "height": exc.size.height,
        "mp": MAX_PAGE_PIXELS // 1_000_000,
    }


def key_of_text(text: str) -> str | None:
    """The key of a reason given as a text without parameters in the active language (a refusal
    the capture pipeline raised with its own words), or None."""
    for key, message in REASONS.items():
        if str(message) == text:
            return key
    return None
