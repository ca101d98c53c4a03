"""Reading a scanned migration card (or any form described by a template).

The interface the capture pipeline uses:

    from safar.reading.card import load_template, read_card
    template = load_template("safar-card")      # a name under reading/forms/ or a path
    result = read_card(image, template)          # path, bytes or NumPy array (grey or BGR)
    result.aligned   -> bool                     # False: the page could not be aligned
    result.residual_mm -> float                  # the worst mark's alignment residual (mm)
    result.problem   -> str | None               # why (the page is flagged, never guessed)
    result.photo     -> bool                     # read as a phone photo (found, flattened)
    result.fields    -> dict[str, FieldReading]  # every template field, by name
        .value       str | None  normalised: codes, ISO dates, upper-case names
        .confidence  float 0..1
        .crop        grey NumPy array of the region read
        .valid       bool        passes the template's checks (dates, codes, cross-field rules)
        .problem     str | None  why not valid (or what made the reading doubtful)
        .target      str | None  the crossing field it maps to
        .char_crops  list of grey box crops (character fields), for retraining
        .marks       checkbox groups: "empty", "marked" or "filled" (cancelled) per option
    result.crossing_values() -> dict             # data for crossings.services.create_crossing
    result.confident -> bool                     # every field confident and valid

`load_pages(source)` gives every page of a multi-page PDF or TIFF, each readable with read_card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ._align import NotAligned
from ._boxes import read_fields
from ._image import UnreadableImage, load_pages
from ._photo import locate
from .template import Template, TemplateError, load_template

__all__ = [
    "CROSSING_KEYS",
    "CardReading",
    "FieldReading",
    "TemplateError",
    "load_pages",
    "load_template",
    "read_card",
    "training_samples",
]

CROSSING_KEYS = (
    "card_number",
    "direction",
    "crossed_on",
    "border_point",
    "citizenship",
    "passport_number",
    "birth_date",
    "sex",
    "surname",
    "given_names",
    "purpose",
    "country",
    "region",
    "district",
)


@dataclass
class FieldReading:
    name: str
    value: str | None
    confidence: float
    crop: np.ndarray
    valid: bool = True
    problem: str | None = None
    target: str | None = None
    char_crops: list[np.ndarray] = field(default_factory=list, repr=False)
    raw: str | None = None  # what was read before normalisation (e.g. "07" for a district)
    marks: list[str] = field(default_factory=list)  # checkboxes: empty/marked/filled per option


@dataclass
class CardReading:
    template: Template
    aligned: bool
    problem: str | None = None
    # Why it was refused, as a key of safar.reading.refusals.REFUSALS and its numbers (for an
    # application to say it in its user's language); `problem` is the English sentence.
    problem_key: str = ""
    problem_params: dict = field(default_factory=dict)
    fields: dict[str, FieldReading] = field(default_factory=dict)
    rotation: int = 0  # how far the scan is turned clockwise from upright: 0, 90, 180, 270
    residual_mm: float | None = None  # alignment: the worst mark's distance from its place, mm
    page: np.ndarray | None = field(default=None, repr=False)
    photo: bool = False  # read as a phone photo (page found, flattened, light evened)

    def is_confident(self, name: str) -> bool:
        f = self.fields[name]
        return f.valid and f.confidence >= self.template.confident

    @property
    def confident(self) -> bool:
        """Every field confident and valid: the card can be saved without an operator."""
        return self.aligned and all(self.is_confident(n) for n in self.fields)

    @property
    def doubtful(self) -> list[str]:
        return [n for n in self.fields if not self.is_confident(n)]

    def crossing_values(self) -> dict:
        """The values by crossing field (missing ones None); "other" code boxes are already
        folded into their checkbox group's value."""
        values = dict.fromkeys(CROSSING_KEYS)
        completing = {o.other for f in self.template.fields for o in f.options if o.other}
        for f in self.template.fields:
            if f.target and f.name not in completing and f.name in self.fields:
                values[f.target] = self.fields[f.name].value
        return values


def read_card(
    image, template: Template | str, *, today: dt.date, expected_date=None
) -> CardReading:
    """Read one page (the first of a PDF/TIFF) against the template.

    `expected_date` (a date or ISO string: the day the batch was scanned, when the capture app
    knows it) lets the date of crossing be decoded among the month before it, which makes far
    more of them confident; without it any day since 2000 is allowed.
    """
    if isinstance(template, str):
        template = load_template(template)
    try:
        grey = load_pages(image, first_only=True)[0]
        # A scan is aligned as it is; a phone photo is found, flattened and evened first.
        alignment, grey, photo = locate(grey, template)
    except (NotAligned, UnreadableImage) as exc:
        return CardReading(
            template=template,
            aligned=False,
            problem=str(exc),
            problem_key=exc.key,
            problem_params=exc.params,
        )
    if isinstance(expected_date, str):
        expected_date = dt.date.fromisoformat(expected_date)
    fields = read_fields(alignment, grey, template, today=today, expected_date=expected_date)
    return CardReading(
        template=template,
        aligned=True,
        fields=fields,
        rotation=alignment.rotation,
        residual_mm=alignment.residual_mm,
        page=alignment.page,
        photo=photo,
    )


def training_samples(reading: FieldReading, confirmed: str) -> list[tuple[np.ndarray, str]]:
    """(box crop, character) pairs from a field an operator confirmed, for retraining.

    Only when the confirmed text fills the boxes one character per box (names, numbers, codes);
    dates are given back in ISO form, so their digits are taken from DDMMYYYY order.
    """
    text = confirmed.upper()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and len(reading.char_crops) == 8:
        text = text[8:10] + text[5:7] + text[0:4]
    if not reading.char_crops or len(text) > len(reading.char_crops):
        return []
    return [
        (crop, ch) for crop, ch in zip(reading.char_crops, text, strict=False) if not ch.isspace()
    ]
