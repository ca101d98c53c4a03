"""Confirmed characters kept for retraining the box classifier (`safar retrain-characters`).

When an operator saves a reviewed card, every character box of its character fields is labelled
with the confirmed value and copied to DATA_DIR/training/characters/<character>/, the format the
reader's training reads (see docs/card.md and safar.reading.training): one grey PNG per box,
named after the scan, field and box so that saving again overwrites instead of duplicating.
"""

import logging
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from .models import Scan

logger = logging.getLogger(__name__)


def training_folder() -> Path:
    return Path(settings.DATA_DIR) / "training" / "characters"


def box_text(value, fmt: str) -> str:
    """A confirmed value as it is written in the boxes, one character per box: dates as
    DDMMYYYY, text in capitals (a space is an empty box between words)."""
    if value is None:
        return ""
    if fmt == "date":
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return day.strftime("%d%m%Y")
    return str(getattr(value, "pk", value)).upper()


def keep_training_samples(*, scan: Scan, values: dict) -> int:
    """Copy the scan's box crops, labelled with the confirmed values; return how many."""
    kept = 0
    folder = training_folder()
    for name, field in (scan.reading or {}).get("fields", {}).items():
        boxes = field.get("boxes") or []
        target = field.get("target")
        # A field read as empty may be an unused "other" box row (the value came from a
        # checkbox), and a value longer than the row was not written box by box (a district
        # code looked up from its number): neither labels the boxes.
        if not boxes or target not in values or not field.get("value"):
            continue
        text = box_text(values[target], field.get("format", "text"))
        if len(text) > len(boxes):
            continue
        for index, (crop, character) in enumerate(zip(boxes, text, strict=False)):
            if not crop or character.isspace():
                continue
            target_dir = folder / character
            target_dir.mkdir(parents=True, exist_ok=True)
            with default_storage.open(crop, "rb") as source:
                (target_dir / f"scan{scan.pk}-{name}-{index:02d}.png").write_bytes(source.read())
            kept += 1
    if kept:
        logger.info("scan %s: %d confirmed characters kept for retraining", scan.pk, kept)
    return kept
