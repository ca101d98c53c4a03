"""Read the machine-readable zone (MRZ) of passports, ID cards and visas: `read_mrz(image)`.

ICAO 9303 formats TD1 (3 × 30), TD2 (2 × 36), TD3 (2 × 44), MRV-A (2 × 44) and MRV-B (2 × 36),
from scans or photos in any 90° rotation. The pipeline (see docs/reading-mrz.md):

1. locate wide blocks of small text (morphology on a reduced image, upright and transposed);
2. cut each candidate out horizontally, split it into lines and straighten each line;
3. fit a fixed-pitch grid of 30/36/44 cells per line and recognise each cell with the project's
   own OCR-B classifier (scripts/train_mrz.py);
4. choose each character among those its field allows, repair failing check digits with the
   recogniser's second guesses, and keep the best reading over candidates and both orientations;
   valid means every check digit agrees, the reading is confident and every field is well formed
   (real dates, ICAO 9303 state and document codes, sex M/F/<);
5. only when that reading is not valid, ask for second opinions on the same crop: our
   recogniser trained on other monospaced fonts too, then Tesseract, whose lines are kept only
   where they make every check digit agree and every field well formed;
6. give each field no check digit protects (names, states, sex, document code) the confidence of
   its least likely character by the less sure of the two recognisers; below FIELD_CONFIDENCE it
   is listed in `doubtful_fields`, and the capture pipeline takes nothing from it.

No Django here: this is a plain library that the capture pipeline calls.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from . import translit
from ._mrz import band as band_mod
from ._mrz import classify, locate, second_opinion
from ._mrz.layout import LAYOUTS

MAX_SIDE = 2400  # larger photos are reduced first: an MRZ needs no more than this
MAX_BANDS = 5
NO_MRZ_CONFIDENCE = 0.5  # below this, what was "read" is text or pattern, not an MRZ
# Second opinions cost 0.1–0.4 s: only for a zone that reads like a document's. Real documents'
# zones, valid or not, read at 0.74–1.00; a card's rows of boxes at 0.51–0.72 (see capture/reader).
SECOND_OPINION_CONFIDENCE = 0.7
# A field no check digit protects is doubtful when one of its characters reads below this (chosen
# on synthetic pages, see docs/reading-mrz.md "Doubtful fields").
FIELD_CONFIDENCE = 0.5


class UnreadableImage(ValueError):
    """The input is not an image this module can decode."""


@dataclass
class MrzResult:
    """What `read_mrz` found. `lines` is what was read, even when `valid` is false."""

    format: str | None = None
    lines: list[str] = field(default_factory=list)
    valid: bool = False
    fields: dict[str, str | None] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    confidence: float = 0.0
    # Fields no real document could hold (an unknown state, 31 February, sex "X" …): not valid.
    malformed_fields: list[str] = field(default_factory=list)
    # Each field no check digit protects, with its least likely character's probability; those
    # below FIELD_CONFIDENCE are `doubtful_fields`, for a person to read off the document.
    field_confidence: dict[str, float] = field(default_factory=dict)
    doubtful_fields: list[str] = field(default_factory=list)
    error: str | None = None
    reader: str | None = (
        None  # whose reading when not the OCR-B recogniser's: "monospace", "tesseract"
    )

    def as_dict(self) -> dict:
        """The JSON shape of `safar read-mrz` (without the file name)."""
        data = asdict(self)
        for key in ("error", "reader"):
            if data[key] is None:
                del data[key]
        return data


def read_mrz(image: str | Path | bytes | np.ndarray, *, today: date) -> MrzResult:
    """Find and read the MRZ in `image` (a path, encoded bytes, or a BGR/grey numpy array).

    `today` decides the century of two-digit years (see `parse_date`). Returns a result with
    `format` None and an `error` when no MRZ is found; raises `UnreadableImage` when the input
    cannot be decoded at all.
    """
    grey = load_grey(image)
    best: band_mod.Reading | None = None
    best_crop = None
    for band in locate.find_bands(grey, max_bands=MAX_BANDS):
        for flip in (False, True):
            crop = locate.extract(grey, band, flip=flip)
            for reading in band_mod.read_crop(crop):
                if best is None or reading.rank() > best.rank():
                    best, best_crop = reading, crop
            if best is not None and best.valid:
                return _result(best, today)
    if best is None or best.confidence < NO_MRZ_CONFIDENCE:
        return MrzResult(error="no machine-readable zone found")
    if best.confidence >= SECOND_OPINION_CONFIDENCE:
        best = _with_second_opinion(best, best_crop)
    return _result(best, today)


def _with_second_opinion(reading: band_mod.Reading, crop: np.ndarray) -> band_mod.Reading:
    """`reading` (which fails a check digit), or a second opinion on its crop that does better:
    our recogniser trained on other monospaced fonts too, then Tesseract's lines where they make
    every check digit agree."""
    others = band_mod.read_crop(crop, classify.MONO_MODEL_PATH, reader="monospace")
    reading = max([reading, *others], key=band_mod.Reading.rank)
    if reading.valid:
        return reading
    decoded = second_opinion.improve(reading.decoded.lines, reading.format, crop)
    if decoded is None:
        return reading
    confidence = band_mod.agreement(reading.probs, decoded.lines)
    return band_mod.Reading(
        reading.format,
        decoded,
        confidence,
        reading.probs,
        reader="tesseract",
        features=reading.features,
    )


def load_grey(image: str | Path | bytes | np.ndarray) -> np.ndarray:
    """The image as a grey uint8 array, reduced when very large."""
    if isinstance(image, (str, Path)):
        try:
            image = Path(image).read_bytes()
        except OSError as exc:
            raise UnreadableImage(f"{image}: {exc.strerror or exc}") from exc
    if isinstance(image, (bytes, bytearray, memoryview)):
        grey = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)
        if grey is None:
            raise UnreadableImage("not a decodable image (PNG, JPEG, TIFF, BMP, WebP …)")
    elif isinstance(image, np.ndarray):
        grey = image
        if grey.ndim == 3:
            code = cv2.COLOR_BGRA2GRAY if grey.shape[2] == 4 else cv2.COLOR_BGR2GRAY
            grey = cv2.cvtColor(grey, code)
        if grey.dtype != np.uint8:
            grey = cv2.normalize(grey, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    else:
        raise UnreadableImage(f"unsupported image type {type(image).__name__}")
    scale = MAX_SIDE / max(grey.shape[:2])
    if scale < 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return grey


def _result(reading: band_mod.Reading, today: date) -> MrzResult:
    lines = reading.decoded.lines
    fields = parse_fields(lines, reading.format, today=today)
    malformed = reading.malformed
    if fields["birth_date"] is None and "birth_date" not in malformed:
        malformed.append("birth_date")
    confidence = {name: round(value, 4) for name, value in reading.field_confidence().items()}
    return MrzResult(
        format=reading.format,
        lines=lines,
        valid=reading.valid and not malformed,
        fields=fields,
        checks=dict(reading.decoded.checks),
        confidence=round(reading.confidence, 4),
        reader=reading.reader,
        malformed_fields=malformed,
        field_confidence=confidence,
        doubtful_fields=[name for name, value in confidence.items() if value < FIELD_CONFIDENCE],
    )


def parse_fields(lines: list[str], fmt: str, *, today: date) -> dict[str, str | None]:
    """The MRZ's fields as clean values: names with spaces, ISO dates, codes without fillers."""
    raw = {f.name: lines[f.line][f.start : f.end] for f in LAYOUTS[fmt][0]}
    surname, _, given = raw["name"].partition("<<")
    number = raw["number"]
    if fmt == "TD1" and lines[0][14] == "<" and raw["optional_data"].strip("<"):
        # A number longer than nine characters continues in the optional data, where the
        # character before the first filler is its check digit (ICAO 9303-5, 4.2.4).
        number += raw["optional_data"].split("<", 1)[0][:-1]
    expiry = parse_date(raw["expiry_date"], kind="expiry", today=today)
    fields = {
        "document_type": raw["document_type"].strip("<") or None,
        "issuing_state": raw["issuing_state"].strip("<") or None,
        "surname": _name(surname),
        "given_names": _name(given),
        "number": number.strip("<") or None,
        "nationality": raw["nationality"].strip("<") or None,
        "birth_date": parse_date(raw["birth_date"], kind="birth", today=today, before=expiry),
        "sex": raw["sex"] if raw["sex"] in {"M", "F", "X"} else None,
        "expiry_date": expiry,
        "optional_data": (raw.get("optional_data", "") + raw.get("optional_data_2", "")).strip("<")
        or None,
    }
    fields["surname_cyrillic"] = (
        translit.to_cyrillic(fields["surname"]) if fields["surname"] else None
    )
    fields["given_names_cyrillic"] = (
        translit.to_cyrillic(fields["given_names"]) if fields["given_names"] else None
    )
    return fields


def _name(text: str) -> str | None:
    return " ".join(part for part in text.split("<") if part) or None


def parse_date(yymmdd: str, *, kind: str, today: date, before: str | None = None) -> str | None:
    """ISO date from an MRZ YYMMDD, or None when it is not a real date.

    The MRZ has no century. A birth date is the latest century that puts it on or before today
    (and before the expiry date when that is known): nobody is born in the future, while a
    100-year-old traveller is rare enough to be corrected by hand. An expiry date is the century
    that puts it within 50 years either side of today (documents are valid for at most ten years,
    so this also reads recently expired ones correctly).
    """
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if kind == "birth":
        limit = min(today, date.fromisoformat(before)) if before else today
        year = 2000 + yy if 2000 + yy <= limit.year else 1900 + yy
    else:
        year = 2000 + yy if 2000 + yy <= today.year + 50 else 1900 + yy
    try:
        value = date(year, mm, dd)
    except ValueError:
        return None
    if kind == "birth" and value > today and year >= 2000:
        value = date(year - 100, mm, dd)
    return value.isoformat()
