"""Reading the boxes of an aligned page: checkboxes, character boxes and the serial/barcode."""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np

from . import _constrained, _validate
from ._align import PX_PER_MM, Alignment, corners_in_source
from ._blank import BlankReference, blank_reference
from ._characters import LETTERS_MODEL_PATH, ink_mask, load_model, members_mean
from ._checkboxes import (  # noqa: F401 (the checkbox names stay importable from here)
    CHECK_INSET_MM,
    EMPTY,
    FILLED,
    FILLED_MIN,
    MARKED_MIN,
    TWO_LEVEL,
    checkbox_state,
    doubt_unanswered_sheet,
    read_group,
    sheet_noise,
)
from .classes import CHARSET_CLASSES, CYRILLIC_ONLY, DIGITS, LATIN, LATIN_ONLY, SHARED, TO_CYRILLIC
from .template import Field, Rect, Template

CHAR_INSET_MM = 0.55
# Ink share of a character box: below BLANK nothing was written; between, doubtful.
BLANK, WRITTEN = 0.008, 0.025


def page_threshold(page: np.ndarray) -> float:
    sample = page[::3, ::3]
    paper = float(np.percentile(sample, 90))
    otsu, _ = cv2.threshold(sample, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return min(float(otsu), 0.75 * paper)


def _px(rect: Rect, inset: float) -> tuple[slice, slice]:
    y0, y1 = round((rect.y + inset) * PX_PER_MM), round((rect.y + rect.h - inset) * PX_PER_MM)
    x0, x1 = round((rect.x + inset) * PX_PER_MM), round((rect.x + rect.w - inset) * PX_PER_MM)
    return slice(y0, y1), slice(x0, x1)


def crop(page: np.ndarray, rect: Rect, margin: float = 1.5) -> np.ndarray:
    h, w = page.shape
    x0, y0 = max(0, int((rect.x - margin) * PX_PER_MM)), max(0, int((rect.y - margin) * PX_PER_MM))
    x1 = min(w, int((rect.x + rect.w + margin) * PX_PER_MM))
    y1 = min(h, int((rect.y + rect.h + margin) * PX_PER_MM))
    return page[y0:y1, x0:x1].copy()


def _char_crops(page, f: Field) -> list[np.ndarray]:
    return [page[_px(b, CHAR_INSET_MM)] for b in f.boxes]


NAMES = CHARSET_CLASSES["names"]
# A name read box by box (a word not in reading/data/names.txt, or not one the ink supports) is
# never saved unseen: rare names exist, but a misread letter is likelier.
UNKNOWN_NAME = 0.5


def _logits(model, masks: list[np.ndarray], owners: list, letters_model=None, letters=()) -> dict:
    """Logits per box, one row per ensemble member.

    Each glyph is read once as it is on the page. Reading it also thickened and thinned by a
    pixel (and averaging) was tried: on 600 tuning cards it saved 7 points fewer cards with no
    fewer wrong values (thinning breaks thin strokes), so an ensemble of networks does that job.
    With `letters_model`, the boxes in `letters` (those that allow no digit) are read by it
    instead: every box still goes through one ensemble.
    """
    if not masks:
        return {}
    out = {}
    groups = [(model, [i for i, o in enumerate(owners) if o not in letters])]
    if letters_model is not None:
        groups.append((letters_model, [i for i, o in enumerate(owners) if o in letters]))
    else:
        groups[0] = (model, list(range(len(owners))))
    for net, which in groups:
        if not which:
            continue
        z, index = net.logits_of_masks([masks[i] for i in which])  # members × glyphs × classes
        out.update({owners[which[i]]: z[:, row] for row, i in enumerate(index)})
    return out


def letters_model():
    """The networks that read letter-only boxes, when models/characters-letters.npz exists
    (fine-tuned on rough hands; digits keep the main networks, which read card digits surer)."""
    return load_model(LETTERS_MODEL_PATH) if LETTERS_MODEL_PATH.exists() else None


def _decode(probs: np.ndarray, allowed: str) -> tuple[str, float]:
    i = int(np.argmax(probs))
    return allowed[i], float(probs[i])


def _script_of(letters: list[str]) -> tuple[str | None, float]:
    """'cyrillic' or 'latin' from letters only one script has; None when nothing tells."""
    cyr = sum(ch in CYRILLIC_ONLY for ch in letters)
    lat = sum(ch in LATIN_ONLY for ch in letters)
    if cyr and not lat:
        return "cyrillic", 1.0
    if lat and not cyr:
        return "latin", 1.0
    if cyr or lat:
        return ("cyrillic" if cyr >= lat else "latin"), 0.4
    return None, 0.8


def _classes_for(f: Field, position: int, script: str | None) -> str:
    if f.charset == "names":
        if script == "latin":
            return LATIN
        return "".join(SHARED.values()) + CYRILLIC_ONLY
    if position < f.first_count and f.first_charset:
        return CHARSET_CLASSES[f.first_charset]
    return CHARSET_CLASSES[f.charset]


def letter_boxes(template: Template) -> set[tuple[str, int]]:
    """(field, box) of the character boxes that allow no digit (names, letter codes, a serial's
    letters); a box that may hold a digit (a passport number's first boxes too) is not one."""
    return {
        (f.name, k)
        for f in template.fields
        if f.kind != "checkboxes"
        for k in range(len(f.boxes))
        if not set(_classes_for(f, k, None)) & set(DIGITS)
    }


def read_fields(
    alignment: Alignment,
    grey: np.ndarray,
    template: Template,
    *,
    today: dt.date,
    expected_date: dt.date | None = None,
) -> dict:
    """Every field of the aligned page; `today` bounds dates that cannot be in the future, and
    `expected_date` (the batch's day, when the capture app knows it) narrows where the date of
    crossing may lie. The library never reads the clock: the caller says what day it is."""
    from .card import FieldReading

    page = alignment.page
    threshold = page_threshold(page)
    blank: BlankReference | None = (
        None  # the blank form's reference, built (once per template) when a checkbox needs it
    )
    model = load_model()
    # Every written box on the page goes through the classifier in one batch.
    masks, owners, crops_by_field, blank_conf = [], [], {}, {}
    for f in template.fields:
        if f.kind == "checkboxes":
            continue
        crops = _char_crops(page, f)
        crops_by_field[f.name] = crops
        for k, c in enumerate(crops):
            m = ink_mask(c, threshold)
            share = m.mean() if m.size else 0.0
            if share < BLANK:
                blank_conf[(f.name, k)] = 1.0
                continue
            if share < WRITTEN:
                blank_conf[(f.name, k)] = 0.5  # a faint mark: read it, but doubt it
            masks.append(m)
            owners.append((f.name, k))
    logits = _logits(model, masks, owners, letters_model(), letter_boxes(template))

    def probabilities(key, allowed: str) -> np.ndarray:
        """1 × allowed classes: the mean over the ensemble's members (a reading they disagree
        on comes out doubtful)."""
        cols = [model.classes.index(c) for c in allowed]
        return members_mean(logits[key][:, cols])[None]

    def classify(key, allowed: str) -> tuple[str, float]:
        return _decode(probabilities(key, allowed)[0], allowed)

    # Names: decide the script from both name fields together.
    name_letters = []
    for f in template.fields:
        if f.charset == "names":
            for k in range(len(f.boxes)):
                if (f.name, k) in logits:
                    name_letters.append(classify((f.name, k), CHARSET_CLASSES["names"])[0])
    script, script_conf = _script_of(name_letters)

    readings: dict[str, FieldReading] = {}
    noise = None  # what an empty bubble looks like on this page (fill-mode groups only)
    if any(f.kind == "checkboxes" and f.mark == "fill" for f in template.fields):
        blank = blank_reference(template)
        sample = grey[::4, ::4]
        two_level = np.count_nonzero((sample > 0) & (sample < 255)) <= TWO_LEVEL * sample.size
        noise = sheet_noise(page, template.fields, threshold, blank, two_level=two_level)
    faint = False  # some fill-mode group was marked by faint evidence only
    for f in template.fields:
        region = crop(page, f.region)
        if f.kind == "checkboxes":
            if blank is None:
                blank = blank_reference(template)
            r = read_group(page, f, threshold, blank, noise)
            faint = faint or r.get("faint", False)
            chosen = r["options"]
            if f.choose == "any":
                value = [o.value if o.value is not None else "other" for o in chosen]
            else:
                option = chosen[0] if chosen else None
                value = option.value if option is not None else None
            readings[f.name] = FieldReading(
                name=f.name,
                value=value,
                confidence=r["confidence"],
                crop=region,
                problem=r["problem"],
                valid=r["problem"] is None,
                target=f.target,
                marks=[state for state, _, _ in r["states"]],
            )
            if f.choose != "any":
                readings[f.name].raw = "other" if option is not None and option.other else value
            continue
        chars, confs = [], []
        for k in range(len(f.boxes)):
            key = (f.name, k)
            if key not in logits:
                chars.append(" ")
                confs.append(blank_conf.get(key, 1.0))
                continue
            ch, p = classify(key, _classes_for(f, k, script))
            if f.charset == "names" and script != "latin":
                ch = TO_CYRILLIC.get(ch, ch)
            chars.append(ch)
            confs.append(min(p, blank_conf.get(key, 1.0)))
        raw = "".join(chars)
        confidence = float(np.prod(confs)) if confs else 1.0
        if f.charset == "names" and raw.strip():
            confidence *= script_conf
        known = _known_value(
            f,
            probabilities,
            logits,
            blank_conf,
            expected_date,
            today,
            _closed_list(f, template, readings),
        )
        if known is not None:
            raw, confidence = known
        elif f.charset == "names" and raw.strip():
            confidence *= UNKNOWN_NAME  # a name not in the list: a person checks it
        readings[f.name] = FieldReading(
            name=f.name,
            value=raw,
            confidence=confidence,
            crop=region,
            target=f.target,
            char_crops=[c.copy() for c in crops_by_field[f.name]],
            raw=raw,
        )
        if f.kind == "serial":
            _check_serial(readings[f.name], f, grey, alignment)
    _mixed_scripts(readings, template)
    doubt_unanswered_sheet(readings, template.fields, faint)
    _validate.normalise_and_check(readings, template, today)
    return readings


def _closed_list(f: Field, template: Template, readings: dict) -> tuple[str, ...] | None:
    """The codes a field may hold: known countries, a fixed list, or the district numbers of
    the region marked on the card (only when that region was read with confidence)."""
    if f.codes == "countries":
        return tuple(sorted(_validate.country_codes()))
    if isinstance(f.codes, tuple):
        return f.codes
    for rule in template.rules:
        if rule["kind"] == "lookup" and rule["field"] == f.name:
            by = readings.get(rule["by"])
            if by is not None and by.valid and by.confidence >= 1.0 and by.value in rule["table"]:
                return tuple(rule["table"][by.value])
    return None


def _known_value(
    f: Field,
    probabilities,
    logits,
    blank_conf,
    expected_date,
    today,
    codes: tuple[str, ...] | None = None,
):
    """(boxes text, confidence) decoded with what is known about the field (a real date in
    range, a code from its closed list, a passport number's pattern, known name words), or None
    to keep the box-by-box reading."""
    written = [(f.name, k) in logits for k in range(len(f.boxes))]
    faint = float(np.prod([blank_conf.get((f.name, k), 1.0) for k in range(len(f.boxes))]))
    if f.format == "date" and len(f.boxes) == 8 and all(written):
        first, last = _constrained.date_range(f.name, expected_date, today)
        probs = np.stack([probabilities((f.name, k), DIGITS) for k in range(8)])
        got = _constrained.decode_date(probs, first, last)
        if got is None:
            return None
        iso, confidence = got
        return iso[8:10] + iso[5:7] + iso[0:4], confidence * faint
    if codes and all(written):
        allowed = CHARSET_CLASSES[f.charset]
        probs = np.stack([probabilities((f.name, k), allowed) for k in range(len(f.boxes))])
        got = _constrained.decode_code(probs, codes, allowed)
        return None if got is None else (got[0], got[1] * faint)
    if f.kind == "characters" and f.pattern and f.first_charset and any(written):
        return _known_pattern(f, probabilities, written, faint)
    if f.charset != "names" or not any(written):
        return None
    chars, confidence, k = [" "] * len(f.boxes), faint, 0
    while k < len(f.boxes):
        if not written[k]:
            k += 1
            continue
        end = k
        while end < len(f.boxes) and written[end]:
            end += 1
        probs = np.stack([probabilities((f.name, i), NAMES) for i in range(k, end)])
        got = _constrained.decode_word(probs)
        if got is None:
            return None  # not a known word (or not one the ink supports): box by box
        word, p = got
        chars[k:end] = word
        confidence *= p
        k = end
    return "".join(chars).rstrip(), confidence


def _known_pattern(f: Field, probabilities, written: list[bool], faint: float):
    """A field with a pattern whose first boxes may be letters (a passport number): decoded
    among the values the pattern allows, from the boxes written left to right."""
    n = written.index(False) if not all(written) else len(written)
    if any(written[n:]):
        return None  # a gap between written boxes: leave it to the box-by-box checks
    rest = CHARSET_CLASSES[f.charset]
    first = "".join(c for c in CHARSET_CLASSES[f.first_charset] if c not in rest)
    allowed, sets = first + rest, (first, rest)
    probs = np.stack([probabilities((f.name, k), allowed) for k in range(n)])
    got = _constrained.decode_pattern(probs, allowed, f.first_count, f.pattern, sets)
    if got is None:
        return None
    value, confidence = got
    return value.ljust(len(f.boxes)), confidence * faint


def _mixed_scripts(readings: dict, template: Template) -> None:
    """Surname and given names in different scripts: doubt both (a misread letter is likelier)."""
    names = [readings[f.name] for f in template.fields if f.charset == "names"]
    scripts = {_constrained.script_of_word(w) for r in names for w in (r.value or "").split()}
    if {"cyrillic", "latin"} <= scripts:
        for r in names:
            r.confidence *= 0.4


def _check_serial(r, f: Field, grey: np.ndarray, alignment: Alignment) -> None:
    """The barcode is the authority; the printed digits confirm it."""
    import zxingcpp

    text = r.value.replace(" ", "")
    pts = corners_in_source(alignment.homography, f.barcode, margin_mm=4)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    h, w = grey.shape
    region = grey[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)]
    code = None
    if region.size:
        found = zxingcpp.read_barcodes(region, formats=zxingcpp.BarcodeFormat.Code128)
        if not found:  # grey noise between thin bars: try once more on a clean black and white
            _, bw = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            found = zxingcpp.read_barcodes(bw, formats=zxingcpp.BarcodeFormat.Code128)
        code = found[0].text if found else None
    if code is None:
        r.value, r.confidence = text or None, min(r.confidence, 0.5)
        r.problem = "the barcode could not be read"
        return
    agree = sum(a == b for a, b in zip(code, text, strict=False)) if len(code) == len(text) else 0
    r.value = code
    if agree >= len(code) - 1:
        r.confidence = 1.0
    else:
        r.confidence = 0.5
        r.problem = "the printed number differs from the barcode"
