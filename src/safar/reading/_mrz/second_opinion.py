"""A second reader for a zone our recogniser could not validate: Tesseract on the same crop.

Tesseract (Debian's `tesseract-ocr`, its English model, restricted to the MRZ alphabet) reads
some fonts and blurs our small OCR-B recogniser was not trained for, but costs a few hundred ms of
CPU and gives no per-character probabilities. So it is asked only when our best reading of a
zone fails a check digit, and its lines are taken only where they make *every* check digit agree
and fit the layout (digits in dates, M/F/X/< for sex …) and leave every field well formed (real
dates, known states …): the check digits are the arbiter, so it can never make a valid reading
worse. Without the `tesseract` command there is no second opinion.
"""

import itertools
import os
import shutil
import subprocess

import cv2
import numpy as np

from .decode import Decoded, check_ok
from .layout import ALPHABET, LAYOUTS, SHAPES, allowed_chars, malformed_fields

TIMEOUT_SECONDS = 20
# Tesseract's usual confusions between letters and digits, settled by the field's type as our own
# decoder does ("UT0" in a nationality is UTO, "74O812" in a date is 740812).
TWINS = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "8": "B",
    "B": "8",
    "5": "S",
    "S": "5",
    "2": "Z",
    "Z": "2",
}


def tesseract_lines(crop: np.ndarray) -> list[str]:
    """Tesseract's text lines of a band crop, without spaces; [] when Tesseract is missing or fails."""
    command = shutil.which("tesseract")
    if command is None:
        return []
    ok, png = cv2.imencode(".png", crop)
    # One thread: it runs beside other work, and its OpenMP threads cost more than they save here.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    args = [
        command,
        "stdin",
        "stdout",
        "-l",
        "eng",
        "--psm",
        "6",
        "-c",
        f"tessedit_char_whitelist={ALPHABET}",
    ]
    try:
        done = subprocess.run(
            args,
            input=png.tobytes(),
            capture_output=True,
            env=env,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    text = done.stdout.decode("ascii", errors="replace")
    return [line.replace(" ", "") for line in text.splitlines() if line.strip()]


def improve(lines: list[str], fmt: str, crop: np.ndarray) -> Decoded | None:
    """Our `lines` of format `fmt` with the fewest of them replaced by lines of Tesseract's reading
    of `crop` (in the same order) such that every check digit agrees and every field is well
    formed (`layout.malformed_fields`); None when none does."""
    n_lines, width = SHAPES[fmt]
    allowed = allowed_chars(fmt)
    theirs = [line for line in tesseract_lines(crop) if len(line) == width]
    # For each of our lines: keep it (None) or take one of Tesseract's that fits the line's layout.
    options = [
        [None] + [j for j, line in enumerate(theirs) if _fits(_typed(line, allowed[i]), allowed[i])]
        for i in range(n_lines)
    ]
    choices = [c for c in itertools.product(*options) if _in_order(c)]
    for choice in sorted(choices, key=lambda c: sum(j is not None for j in c)):
        if all(j is None for j in choice):
            continue
        candidate = [
            line if j is None else _typed(theirs[j], allowed[i])
            for i, (line, j) in enumerate(zip(lines, choice, strict=True))
        ]
        checks = {check.name: check_ok(candidate, check) for check in LAYOUTS[fmt][1]}
        if all(checks.values()) and not malformed_fields(candidate, fmt):
            return Decoded(lines=candidate, checks=checks, logprob=0.0, repaired=0)
    return None


def _fits(line: str, allowed: list[str]) -> bool:
    return all(ch in ok for ch, ok in zip(line, allowed, strict=True))


def _in_order(choice: tuple[int | None, ...]) -> bool:
    taken = [j for j in choice if j is not None]
    return all(a < b for a, b in itertools.pairwise(taken))


def _typed(line: str, allowed: list[str]) -> str:
    """`line` with each character that its field forbids replaced by its twin when that is allowed."""
    return "".join(
        TWINS[ch] if ch not in ok and ch in TWINS and TWINS[ch] in ok else ch
        for ch, ok in zip(line, allowed, strict=True)
    )
