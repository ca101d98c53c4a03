"""Confirmed characters kept for retraining the box classifier (`safar retrain-characters`).

When an operator saves a reviewed card, every character box of its doubtful character fields is
labelled with the confirmed value and copied to DATA_DIR/training/characters/<character>/, the
format the reader's training reads (docs/card.md): one grey PNG per box, exactly as the reader cut
it, named after the scan, field and box so that saving again overwrites instead of duplicating.
Pairing boxes with characters is the reader's own `training_samples` (dates in DDMMYYYY order).
"""

import io
import logging
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image

from .models import Scan

logger = logging.getLogger(__name__)


def training_folder() -> Path:
    return Path(settings.DATA_DIR) / "training" / "characters"


def as_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def load_crop(name: str) -> np.ndarray:
    with default_storage.open(name, "rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("L"))


# A misread changes a character or two; a value changed more than that was most likely written
# wrong on the card (or taken from elsewhere), and its boxes do not show the confirmed text.
MAX_CHANGED_CHARACTERS = 2


def changed_characters(read: str, confirmed: str) -> int:
    return sum(a != b for a, b in zip(read, confirmed, strict=False)) + abs(
        len(read) - len(confirmed)
    )


def keep_training_samples(*, scan: Scan, values: dict) -> int:
    """Copy the scan's box crops, labelled with the confirmed values; return how many."""
    from safar.reading.card import FieldReading, training_samples

    kept = 0
    for name, field in (scan.reading or {}).get("fields", {}).items():
        boxes = [box for box in field.get("boxes") or [] if box]
        target = field.get("target")
        # A row the reader found empty may be an unused "other" code (the value came from a
        # checkbox): its boxes hold nothing to learn from.
        if not boxes or target not in values or not field.get("value"):
            continue
        confirmed = as_text(values[target])
        if (
            changed_characters(str(field["value"]).upper(), confirmed.upper())
            > MAX_CHANGED_CHARACTERS
        ):
            continue
        reading = FieldReading(
            name=name,
            value=field["value"],
            confidence=field["confidence"],
            crop=np.zeros((0, 0), np.uint8),
            char_crops=[load_crop(box) for box in boxes],
        )
        for index, (crop, character) in enumerate(training_samples(reading, confirmed)):
            folder = training_folder() / character
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(crop).save(folder / f"scan{scan.pk}-{name}-{index:02d}.png")
            kept += 1
    if kept:
        logger.info("scan %s: %d confirmed characters kept for retraining", scan.pk, kept)
    return kept
