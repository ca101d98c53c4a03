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


# Rows (of a CELL-high cell) by which a letter's ink may start below the line's letters' usual
# top: on clean synthetic pages (seed 7) 6 letters in 3,000 did.
GLYPH_SHORT_ROWS = 3
# Rows by which a letter's foot may end above the line's baseline. Every OCR-B letter and digit
# stands on the baseline, so a foot that ends higher was rubbed off: an I or an R worn from below
# ends in a T's stem. Measured between rows (`glyph_extents`) on the tuning seeds' synthetic pages
# (7 and 11, 200 clean and 200 worn), the 19,840 letters read right ended at most 2.3 rows above
# the baseline (7 by 1.5 or more), the 86 worn letters read wrong 1.4 to 9.7 (85 by 1.5 or more).
FOOT_ABOVE_BASELINE_ROWS = 1.5
# Rows by which a filler may be shorter than its line's other fillers: all are the same glyph, so
# they agree more closely than the letters' feet (on the same pages the 12,373 fillers read right
# were at most 0.72 rows shorter; the remains of 16 worn letters read as fillers 1.3 to 6.7).
FILLER_SHORT_ROWS = 1.0
INKED = 0.5  # a row is inked where its darkest pixel reaches this share of the cell's darkest


def glyph_extents(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of a line, the top and bottom edges (in rows, between rows) of its glyph: of the
    longest run of inked rows, where the ink crosses `INKED` of the cell's darkest. The run leaves
    out a sliver of a worn foot left on the baseline and the ink of the next line reaching into
    the cell; the edges between rows see a foot 1.5 rows short where whole rows would see 1 or 2.
    A cell without ink gets NaN."""
    rows = cells.reshape(len(cells), segment.CELL, segment.CELL).max(axis=2)
    share = rows / np.maximum(rows.max(axis=1, keepdims=True), 1e-6)
    inked = np.pad(share > INKED, ((0, 0), (1, 1)))
    cell_of_start, starts = np.nonzero(~inked[:, :-1] & inked[:, 1:])
    ends = np.nonzero(inked[:, :-1] & ~inked[:, 1:])[1]  # the same runs, in the same order
    top = np.full(len(cells), np.nan)
    bottom = np.full(len(cells), np.nan)
    longest = np.zeros(len(cells), int)
    last = segment.CELL - 1
    for cell, first, end in zip(cell_of_start, starts, ends - 1, strict=True):
        if end - first + 1 <= longest[cell]:
            continue
        longest[cell] = end - first + 1
        s = share[cell]
        top[cell] = (
            first - 0.5 + (INKED - s[first - 1]) / (s[first] - s[first - 1]) if first else 0.0
        )
        bottom[cell] = (
            end + 0.5 + (s[end] - INKED) / (s[end] - s[end + 1])
            if end < last
            else float(segment.CELL)
        )
    return top, bottom


def incomplete_glyphs(cells: np.ndarray, text: str) -> np.ndarray:
    """Per cell of a line, whether the character read there lacks part of its height (see
    `glyph_extents`). A letter or digit does when its ink starts `GLYPH_SHORT_ROWS` rows or more
    below the line's letters' usual top, when its foot ends `FOOT_ABOVE_BASELINE_ROWS` or more
    above their usual foot (the baseline: every OCR-B letter and digit stands on it), or when it
    has no ink at all; a filler when it is `FILLER_SHORT_ROWS` shorter than the line's fillers.
    An I worn from below is a T, an E an F, the top of a K a filler, and both recognisers read
    them so with confidence: what is left of a glyph is not evidence of the letter. A line of
    fewer than three letters (a short name and fillers) has no baseline of its own: there a
    letter is incomplete when it is shorter than the line's fillers, which in OCR-B are 0.7 to 0.9
    of a letter's height."""
    top, bottom = glyph_extents(cells)
    height = bottom - top
    letters = np.array([ch != "<" for ch in text])
    inked = ~np.isnan(top)
    judged, fillers = letters & inked, ~letters & inked
    usual_filler = np.median(height[fillers]) if fillers.sum() >= 3 else np.nan
    with np.errstate(invalid="ignore"):  # NaN (an empty cell, too few fillers) compares false
        short = ~letters & (usual_filler - height >= FILLER_SHORT_ROWS)
        if judged.sum() >= 3:
            usual_top, baseline = np.median(top[judged]), np.median(bottom[judged])
            short_letter = (top - usual_top >= GLYPH_SHORT_ROWS) | (
                baseline - bottom >= FOOT_ABOVE_BASELINE_ROWS
            )
        else:
            short_letter = height < usual_filler
    return short | (letters & (short_letter | ~inked))  # a letter where no ink is: rubbed out


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
