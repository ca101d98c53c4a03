"""Read one candidate band: split lines, fit character grids, recognise, decode."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import classify, segment
from .decode import Decoded, chosen_probabilities, decode
from .layout import ALPHABET, format_for, malformed_fields, unprotected_spans

# A garbage reading of a photo or guilloche can pass a few check digits by chance (more so after
# repairs); real MRZs read with a mean character probability above 0.85, noise below 0.6.
VALID_CONFIDENCE = 0.75
BAND_CHAR_PX = 26  # expected character size in a band scaled to 1000 px (44 × 23 … 30 × 33)


@dataclass
class Reading:
    format: str
    decoded: Decoded
    confidence: float  # mean probability (by our recogniser) of the chosen characters
    probs: list[np.ndarray] = field(
        repr=False, default_factory=list
    )  # per line, for a second opinion
    reader: str | None = None  # a second opinion's: "monospace" (our second model) or "tesseract"
    features: list[np.ndarray] = field(repr=False, default_factory=list)  # per line, its cells

    @property
    def malformed(self) -> list[str]:
        """The fields no real document could hold (see `layout.malformed_fields`)."""
        return malformed_fields(self.decoded.lines, self.format)

    @property
    def valid(self) -> bool:
        # Tesseract's lines have no probabilities, but all their check digits agree unrepaired.
        confident = self.confidence >= VALID_CONFIDENCE or self.reader == "tesseract"
        return all(self.decoded.checks.values()) and confident and not self.malformed

    def field_confidence(self) -> dict[str, float]:
        """Each field no check digit protects, with the probability of its least likely character
        by the less sure of our two recognisers (of another reader's lines too: a low value says
        we disagree). One recogniser can be sure of a wrong letter on a damaged glyph (R read as
        O at 0.92); the other, trained on more fonts, rarely is at the same time. A glyph that
        lacks part of its height counts 0, whatever both say (`incomplete_glyphs`)."""
        lines = self.decoded.lines
        chosen = chosen_probabilities(self.probs, lines, self.format)
        if self.features:
            other = classify.OTHER_MODEL[self.reader == "monospace"]
            second = [classify.probabilities(f, other) for f in self.features]
            chosen = [
                np.minimum(a, b)
                for a, b in zip(
                    chosen, chosen_probabilities(second, lines, self.format), strict=True
                )
            ]
            for row, (cells, text) in enumerate(zip(self.features, lines, strict=True)):
                chosen[row] = np.where(incomplete_glyphs(cells, text), 0.0, chosen[row])
        return {
            name: float(min(chosen[line][start:end], default=1.0))
            for name, (line, start, end) in unprotected_spans(lines, self.format).items()
        }

    def rank(self) -> tuple:
        # Confidence first: repairs let noise pass some check digits, never read confidently.
        checks = self.decoded.checks.values()
        return (self.valid, self.confidence + 0.3 * sum(checks) / max(len(checks), 1))


# Rows (of a CELL-high cell) by which a letter may be lower than the line's letters: on clean
# synthetic pages (seed 7) 6 letters in 3,000 were, on worn ones (seed 11) 21 of 26 misread ones.
GLYPH_SHORT_ROWS = 3


def incomplete_glyphs(cells: np.ndarray, text: str) -> np.ndarray:
    """Per cell of a line, whether the letter or digit read there lacks part of its height: its ink
    starts `GLYPH_SHORT_ROWS` rows or more below the line's letters' usual top, or is that much
    less tall than most of them (the lower quartile: a cell may also hold ink of the next line,
    never less than its own). An I worn from below is a T, an E an F, and both recognisers read
    them so with confidence: what is left of a glyph is not evidence of the letter. (Fillers are
    lower than letters; not judged.)"""
    rows = cells.reshape(len(cells), segment.CELL, segment.CELL).max(axis=2)
    inked = rows > 0.5 * np.maximum(rows.max(axis=1, keepdims=True), 1e-6)
    has_ink = inked.any(axis=1)
    top = np.where(has_ink, inked.argmax(axis=1), segment.CELL)
    height = np.where(has_ink, segment.CELL - inked[:, ::-1].argmax(axis=1) - top, 0)
    letters = np.array([ch != "<" for ch in text])
    judged = letters & has_ink
    if judged.sum() < 3:
        return np.zeros(len(cells), bool)
    usual_top, usual_height = np.median(top[judged]), np.percentile(height[judged], 25)
    short = (top - usual_top >= GLYPH_SHORT_ROWS) | (usual_height - height >= GLYPH_SHORT_ROWS)
    return short & letters


def prepare(crop: np.ndarray) -> tuple[np.ndarray, list[segment.Line], int]:
    """Ink image, text lines and character size of a band crop."""
    char_px = BAND_CHAR_PX
    ink = segment.ink_image(crop, char_px)
    lines = segment.find_lines(ink, char_px)
    if lines:
        # The band may be only part of a line (larger characters): measure and redo once.
        measured = float(np.median([line.size[1] for line in lines]))
        if not 0.6 < measured / char_px < 1.6:
            char_px = int(np.clip(measured, 8, 120))
            ink = segment.ink_image(crop, char_px)
            lines = segment.find_lines(ink, char_px)
    return ink, lines, char_px


def line_groups(lines: list[segment.Line]) -> list[tuple[int, list[segment.Line]]]:
    """Runs of 2 or 3 consecutive lines with the characters per line they could hold."""
    groups = []
    for size, widths in ((3, (30,)), (2, (44, 36))):
        for start in range(len(lines) - size, -1, -1):  # the MRZ sits at the bottom: try it first
            group = lines[start : start + size]
            lengths = [line.size[0] for line in group]
            if min(lengths) < 0.8 * max(lengths):
                continue
            for width in widths:
                groups.append((width, group))
    return groups


def agreement(probs: list[np.ndarray], lines: list[str]) -> float:
    """Mean probability our recogniser gives the characters of `lines` (another reader's)."""
    logs = [
        np.log(max(float(p[pos, ALPHABET.index(ch)]), 1e-9))
        for p, line in zip(probs, lines, strict=True)
        for pos, ch in enumerate(line)
    ]
    return float(np.exp(np.mean(logs)))


def read_crop(
    crop: np.ndarray, model: Path = classify.MODEL_PATH, reader: str | None = None
) -> list[Reading]:
    """Every plausible reading of a horizontal band crop by the recogniser `model`."""
    ink, lines, char_px = prepare(crop)
    readings = []
    for width, group in line_groups(lines):
        probs, features = [], []
        for line in group:
            strip = segment.line_strip(ink, line, char_px)
            bounds, _ = segment.fit_grid(strip, width, margin=char_px)
            features.append(segment.cell_features(strip, bounds))
            probs.append(classify.probabilities(features[-1], model))
        fmt = format_for(len(group), width, ALPHABET[int(np.argmax(probs[0][0]))])
        if fmt is None:
            continue
        decoded = decode(probs, fmt)
        chosen = np.concatenate(probs)
        confidence = float(np.exp(decoded.logprob / len(chosen)))
        readings.append(Reading(fmt, decoded, confidence, probs, reader, features))
    return readings
