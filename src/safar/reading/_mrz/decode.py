"""Turn per-position character probabilities into MRZ text, using the layout and check digits.

First every position takes its most probable character among those its field allows (a date
never reads "O", a name never reads "0"). Then each failing check digit may repair its own field:
the single substitution (or pair of strongly ambiguous ones), taken from the recogniser's next
best guesses, that makes the check digit agree — only when exactly one such repair exists, so a
misread is not "corrected" into a different valid number by chance.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from .layout import ALPHABET, LAYOUTS, allowed_chars, check_digit

MIN_ALTERNATIVE = 0.03  # a substitute needs at least this probability
STRONG_ALTERNATIVE = 0.2  # … and this much to be one of a pair of substitutions
MAX_CANDIDATES = 3  # substitutes considered per position


@dataclass
class Decoded:
    lines: list[str]
    checks: dict[str, bool]
    logprob: float  # sum of log-probabilities of the chosen characters
    repaired: int  # characters changed by check-digit repair


def _masked(probs: np.ndarray, allowed: list[str]) -> np.ndarray:
    masked = np.zeros_like(probs)
    for pos, chars in enumerate(allowed):
        idx = [ALPHABET.index(c) for c in chars]
        masked[pos, idx] = probs[pos, idx]
    return masked / np.maximum(masked.sum(axis=1, keepdims=True), 1e-12)


def check_ok(lines: list[list[str]] | list[str], check) -> bool:
    """Whether `check`'s digit agrees with its data (an optional one may be a filler over fillers)."""
    data = "".join("".join(lines[line][start:end]) for line, start, end in check.spans)
    got = lines[check.line][check.pos]
    if check.optional and got == "<" and set(data) <= {"<"}:
        return True
    return got == check_digit(data)


def decode(probs: list[np.ndarray], fmt: str) -> Decoded:
    """Best reading of `probs` (one array per line) as an MRZ of format `fmt`."""
    fields, checks = LAYOUTS[fmt]
    masked = [_masked(p, allowed) for p, allowed in zip(probs, allowed_chars(fmt), strict=True)]
    chars = [[ALPHABET[i] for i in m.argmax(axis=1)] for m in masked]
    repaired = 0
    protected: set[tuple[int, int]] = set()
    for check in sorted(checks, key=lambda c: c.name == "composite"):
        positions = [(line, pos) for line, start, end in check.spans for pos in range(start, end)]
        positions.append((check.line, check.pos))
        if check.name == "composite":
            # The composite may only repair what no other check digit already vouches for.
            positions = [p for p in positions if p not in protected]
        if not check_ok(chars, check):
            repaired += _repair(chars, masked, check, positions)
        if check_ok(chars, check):
            protected.update(positions)
    logprob = float(
        sum(
            np.log(max(m[pos, ALPHABET.index(c)], 1e-9))
            for m, row in zip(masked, chars, strict=True)
            for pos, c in enumerate(row)
        )
    )
    return Decoded(
        lines=["".join(row) for row in chars],
        checks={check.name: check_ok(chars, check) for check in checks},
        logprob=logprob,
        repaired=repaired,
    )


def _repair(chars, masked, check, positions) -> int:
    """Apply the one substitution (or pair of strong ones) that satisfies `check`, if unique.

    With many uncertain characters, some substitution always satisfies a check digit by chance
    (one in ten does); so a repair is only made when exactly one candidate fixes the check.
    """
    options = []
    for line, pos in positions:
        p = masked[line][pos]
        current = ALPHABET.index(chars[line][pos])
        for idx in np.argsort(-p)[:MAX_CANDIDATES]:
            if idx != current and p[idx] >= MIN_ALTERNATIVE and p[idx] >= 0.1 * p[current]:
                options.append((float(p[idx]), line, pos, ALPHABET[idx]))
    strong = [o for o in options if o[0] >= STRONG_ALTERNATIVE]
    for combos in (itertools.combinations(options, 1), itertools.combinations(strong[:12], 2)):
        fixes = [
            combo
            for combo in combos
            if len({(o[1], o[2]) for o in combo}) == len(combo) and _satisfies(chars, check, combo)
        ]
        if len(fixes) == 1:
            for _, line, pos, ch in fixes[0]:
                chars[line][pos] = ch
            return len(fixes[0])
        if fixes:  # ambiguous: leave the check failing for a person to look at
            return 0
    return 0


def _satisfies(chars, check, combo) -> bool:
    saved = [(line, pos, chars[line][pos]) for _, line, pos, _ in combo]
    for _, line, pos, ch in combo:
        chars[line][pos] = ch
    ok = check_ok(chars, check)
    for line, pos, ch in saved:
        chars[line][pos] = ch
    return ok


def chosen_probabilities(probs: list[np.ndarray], lines: list[str], fmt: str) -> list[np.ndarray]:
    """Per line, the probability of each character of `lines` among those its position allows
    (as the decoder weighed it: an "0" in a name is evidence for "O")."""
    masked = [_masked(p, allowed) for p, allowed in zip(probs, allowed_chars(fmt), strict=True)]
    return [
        np.array([m[pos, ALPHABET.index(ch)] for pos, ch in enumerate(line)])
        for m, line in zip(masked, lines, strict=True)
    ]
