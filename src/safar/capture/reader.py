"""One page through the readers: the card reader, and the MRZ reader for a passport beside it.

The result is stored on the Scan as plain JSON (`Scan.reading`), with every field's crop written
as a PNG under MEDIA_ROOT/crops/, so the review page can show it and the operator's confirmed
values can be kept with their crops for retraining. Shape of `Scan.reading`:

    {"aligned": bool, "problem": str, "problem_key": str, "problem_params": dict,
     "unreadable": bool, "confident": bool,
     "fields": {name: {"value", "confidence", "valid", "problem", "target", "crop"}},
     "values": {crossing field: value},      # what create_crossing would get
     "doubtful": [crossing field, …],        # what an operator must look at
     "mrz": {"format", "valid", "lines", "fields", "doubtful_fields", "malformed_fields"} | null,
     "seconds": float}

A page on which no card is found but a passport's MRZ is (`mrz_on_page`) has
`"passport_page": true` and its `"mrz"`, and no card values; the card scanned before it gets that
MRZ through `apply_mrz` (see capture.pairing) and records it as
`"passport": {"scan", "upload", "page", "mrz", "applied", "filled"}`.
"""

import io
import json
import logging
import time
import traceback
from functools import cache

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from safar.reading.limits import PageTooLarge, check_pages

from .models import Scan
from .problems import of_refusal

logger = logging.getLogger(__name__)

CARD_TEMPLATE = "safar-card"


@cache
def card_template():
    from safar.reading.card import load_template

    return load_template(CARD_TEMPLATE)


def load_image(scan: Scan) -> np.ndarray:
    """The page as a greyscale array. Raises OSError/ValueError when it cannot be decoded, and
    PageTooLarge (a ValueError) before decoding a page that declares too many pixels."""
    with scan.image.open("rb") as handle:
        data = handle.read()
    check_pages(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return np.asarray(image.convert("L"))
    except UnidentifiedImageError as exc:
        raise ValueError("not an image") from exc


def read_page(scan: Scan) -> dict:
    """Read one scan's page; never raises for a bad page (the reading says what went wrong)."""
    started = time.perf_counter()
    if not scan.image:
        if scan.problem:
            return unreadable_reading(scan.problem, scan.problem_key, scan.problem_params)
        return unreadable_reading("no page image", "no_image")
    try:
        image = load_image(scan)
    except PageTooLarge as exc:
        return unreadable_reading(str(exc), *of_refusal(exc))  # the page's size, no content
    except (OSError, ValueError) as exc:
        error = type(exc).__name__
        return unreadable_reading(
            f"the page image could not be decoded ({error})", "page_undecodable", {"error": error}
        )
    try:
        reading = read_image(scan, image)
    except Exception as exc:  # noqa: BLE001 - a page the reader trips on goes to an operator
        # The frames but not the message: a message may quote a value read from the card.
        logger.error(
            "the reader failed on scan %s: %s\n%s",
            scan.pk,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        error = type(exc).__name__
        reading = unreadable_reading(
            f"the reader failed ({error})", "reader_failed", {"error": error}
        )
        reading["reader_error"] = True
    reading["seconds"] = round(time.perf_counter() - started, 3)
    return reading


def read_image(scan: Scan, image: np.ndarray) -> dict:
    from safar.reading.card import read_card

    # The card was filled in at most days before its batch was scanned: that day narrows the
    # date of crossing to the month before it, which lets far more of them be read confidently.
    result = read_card(
        image, card_template(), today=timezone.localdate(), expected_date=scan.upload.batch.day
    )
    if not result.aligned:
        # Not a card: perhaps the traveller's passport page, scanned after the card.
        mrz = mrz_on_page(image)
        if mrz is not None:
            return passport_reading(
                mrz,
                card_problem=result.problem or "",
                key=result.problem_key,
                params=result.problem_params,
            )
    reading = reading_from_result(scan, result)
    # Looking for a passport costs more than reading the card: only when it can help, i.e.
    # when an identity field of an aligned card is doubtful.
    identity = set(MRZ_CHECKED.values()) | set(MRZ_UNCHECKED.values())
    wanted = result.aligned and identity & set(reading["doubtful"])
    reading["mrz"] = mrz_on_page(image) if wanted else None
    apply_mrz(reading)
    return reading


def passport_reading(
    mrz: dict, *, card_problem: str, key: str = "", params: dict | None = None
) -> dict:
    """A passport page: its MRZ, for the card before it; no card values of its own."""
    return {
        "aligned": False,
        "unreadable": False,
        "passport_page": True,
        "problem": card_problem,
        "problem_key": key,
        "problem_params": as_json(params or {}),
        "confident": False,
        "fields": {},
        "values": {},
        "doubtful": [],
        "mrz": mrz,
    }


def unreadable_reading(problem: str, key: str = "", params: dict | None = None) -> dict:
    """A page that could not be opened: `problem` in English, `key` and `params` name it for
    capture.problems."""
    return {
        "aligned": False,
        "unreadable": True,
        "problem": problem,
        "problem_key": key,
        "problem_params": as_json(params or {}),
        "confident": False,
        "fields": {},
        "values": {},
        "doubtful": [],
        "mrz": None,
    }


def as_json(value):
    """Dates and other values as the JSON the database keeps (dates in ISO form)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def reading_from_result(scan: Scan, result) -> dict:
    if not result.aligned:
        return {
            "aligned": False,
            "unreadable": False,
            "problem": result.problem or "",
            "problem_key": result.problem_key,
            "problem_params": as_json(result.problem_params),
            "confident": False,
            "fields": {},
            "values": {},
            "doubtful": [],
        }
    template = result.template
    fields, doubtful = {}, []
    for name, field in result.fields.items():
        confident = result.is_confident(name)
        spec = template.field(name)
        fields[name] = as_json(
            {
                "value": field.value,
                "confidence": round(float(field.confidence), 4),
                "valid": bool(field.valid),
                "problem": field.problem or "",
                "target": field.target or "",
                "confident": confident,
                "format": spec.format,
                "crop": store_crop(scan, name, field.crop),
                # Box crops only where an operator will look: they become retraining samples.
                "boxes": []
                if confident
                else [
                    store_crop(scan, f"{name}-{i:02d}", crop)
                    for i, crop in enumerate(field.char_crops)
                ],
            }
        )
        if field.target and not confident and field.target not in doubtful:
            doubtful.append(field.target)
    # The card as the reader saw it after alignment (upright, deskewed, 8 px/mm): what the
    # operator is shown, so the crops and the page agree.
    upright = store_crop(scan, "page", getattr(result, "page", None))
    return {
        "aligned": True,
        "unreadable": False,
        "problem": "",
        "confident": result.confident,
        "fields": fields,
        "values": as_json(result.crossing_values()),
        "doubtful": doubtful,
        "upright": upright,
    }


def store_crop(scan: Scan, name: str, crop) -> str:
    """Write a crop as PNG (replacing an earlier one); return its storage name."""
    if crop is None or getattr(crop, "size", 0) == 0:
        return ""
    path = f"crops/{scan.pk // 1000:04d}/{scan.pk}/{name}.png"
    if default_storage.exists(path):
        default_storage.delete(path)
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(crop)).save(buffer, format="PNG")
    return default_storage.save(path, ContentFile(buffer.getvalue()))


# What `read_mrz` must report before a page counts as holding a passport's MRZ: a valid zone,
# or one read with the confidence the MRZ reader asks of a valid zone (0.75) whose document code
# is one ICAO 9303 allows. Measured (2026-11): the card's own box rows pass for an MRZ of
# confidence 0.51–0.72 (120 synthetic cards, whole, torn and folded) with no valid zone and a
# document code of chance letters; real documents' zones, valid or not, read at 0.74–1.00
# (33 specimens of ../shared/testdata/mrz). A card taken for a passport would leave the queue.
PASSPORT_MRZ_CONFIDENCE = 0.75
DOCUMENT_CODES = "PIACV"  # passports, identity cards (I, A, C) and visas


def mrz_on_page(image: np.ndarray) -> dict | None:
    """The passport's machine-readable zone when one lies on the page, else None. Its lines are
    kept even when a check digit fails, for the operator to compare by eye."""
    from safar.reading.mrz import read_mrz

    found = read_mrz(image, today=timezone.localdate())
    if not found.format or not found.lines or not looks_like_mrz(found):
        return None
    return as_json(
        {
            "format": found.format,
            "valid": bool(found.valid),
            "lines": list(found.lines),
            "fields": dict(found.fields) if found.valid else {},
            # Read with a doubtful letter (no check digit vouches for it): not for filling a card.
            "doubtful_fields": list(found.doubtful_fields),
            "malformed_fields": list(found.malformed_fields),
        }
    )


def looks_like_mrz(found) -> bool:
    """Whether what `read_mrz` found is a document's zone rather than other text on the page."""
    if found.valid:
        return True
    code = found.fields.get("document_type") or ""
    return found.confidence >= PASSPORT_MRZ_CONFIDENCE and bool(code) and code[0] in DOCUMENT_CODES


# Covered by the MRZ's check digits: they replace what the boxes say.
MRZ_CHECKED = {"number": "passport_number", "birth_date": "birth_date"}
# Not covered by a check digit: they fill a doubtful field, and a disagreement with a confident
# field makes it doubtful (an operator decides).
MRZ_UNCHECKED = {
    "nationality": "citizenship",
    "sex": "sex",
    "surname": "surname",
    "given_names": "given_names",
}


def apply_mrz(reading: dict, mrz: dict | None = None) -> list[str]:
    """Let a valid MRZ (every check digit right, every field well formed) fill the identity fields
    of the card: the one on the card's page, or `mrz` from the passport page scanned after it.
    A field the MRZ reader found doubtful fills nothing: a card field doubtful on both sides stays
    for an operator (while a confident one that disagrees with it still goes to one). Returns the
    crossing fields whose value changed."""
    mrz = reading.get("mrz") if mrz is None else mrz
    if not mrz or not mrz.get("valid"):
        return []
    fields, trusted = mrz["fields"], confident_fields(mrz)
    if not reading.get("aligned"):
        return prefill_from_mrz(reading, trusted)
    values = reading["values"]
    before = dict(values)
    doubtful = set(reading["doubtful"])
    for source, target in MRZ_CHECKED.items():
        if fields.get(source):
            values[target] = fields[source]
            doubtful.discard(target)
    for source, target in MRZ_UNCHECKED.items():
        if not mrz_value(fields, source, values.get(target)):
            continue
        if target not in doubtful:
            if not agrees(values.get(target), fields, source):
                doubtful.add(target)
        elif value := mrz_value(trusted, source, values.get(target)):
            values[target] = value
            doubtful.discard(target)
    reading["doubtful"] = [name for name in values if name in doubtful]
    reading["confident"] = bool(reading["aligned"] and not doubtful)
    return [name for name in values if values[name] != before.get(name)]


def confident_fields(mrz: dict) -> dict:
    """The MRZ's fields without those read with a doubtful letter (and their transliterations)."""
    doubtful = set(mrz.get("doubtful_fields", []))
    return {
        name: value
        for name, value in mrz["fields"].items()
        if name not in doubtful and name.removesuffix("_cyrillic") not in doubtful
    }


def confirms_traveller(reading: dict, mrz: dict) -> bool:
    """Whether a name the card reader read with confidence is the MRZ's: the passport is this
    traveller's (asked before applying an MRZ from another page, which may be out of order)."""
    fields, values = (mrz or {}).get("fields", {}), reading.get("values", {})
    doubtful = set(reading.get("doubtful", []))
    return any(
        values.get(name) and name not in doubtful and agrees(values[name], fields, name)
        for name in ("surname", "given_names")
    )


# Filled on a page where the card could not be read: the operator keys every field there, so
# the passport gives what needs no script (names are left to the operator, who sees the MRZ).
MRZ_PREFILL = {**MRZ_CHECKED, "nationality": "citizenship", "sex": "sex"}


def prefill_from_mrz(reading: dict, fields: dict) -> list[str]:
    """A card the reader could not read: the passport's values as the operator's starting point
    (nothing becomes confident; every field stays the operator's to check)."""
    values = reading.setdefault("values", {})
    filled = []
    for source, target in MRZ_PREFILL.items():
        value = mrz_value(fields, source, None)
        if value and not values.get(target):
            values[target] = value
            filled.append(target)
    return filled


def agrees(card_value, fields: dict, source: str) -> bool:
    """Whether the card's value is the MRZ's: the same text in capitals, or for a name the same
    ICAO Latin spelling (the way back to Cyrillic is a guess: ШЕРАЛӢ and ШЕРАЛИ are both SHERALI
    in a passport)."""
    from safar.reading.translit import to_latin

    if same_text(card_value, mrz_value(fields, source, card_value)):
        return True
    return (
        source in ("surname", "given_names")
        and bool(card_value)
        and same_text(to_latin(str(card_value)), fields.get(source))
    )


def same_text(a, b) -> bool:
    """Names and codes compared as the card writes them: capitals, single spaces."""
    return " ".join(str(a or "").split()).upper() == " ".join(str(b or "").split()).upper()


def mrz_value(fields: dict, source: str, card_value) -> str | None:
    """An MRZ field as the card would hold it: names in the card's script (the MRZ is Latin;
    its ICAO transliteration back to Cyrillic when the card was written in Cyrillic)."""
    value = fields.get(source)
    if source == "sex" and value not in ("M", "F"):
        return None
    if (
        source in ("surname", "given_names")
        and card_value
        and any("\u0400" <= ch <= "\u04ff" for ch in card_value)
    ):
        value = fields.get(f"{source}_cyrillic") or value
    # The card is written in capitals; the transliteration back to Cyrillic is not.
    return value.upper() if isinstance(value, str) else value
