"""Turn per-position character probabilities into MRZ text, using the layout and check digits.

First every position takes its most probable character among those its field allows (a date
never reads "O", a name never reads "0"). Then each failing check digit may repair its own field:
the cheapest combination of at most two substitutions, taken from the recogniser's next best
guesses, that makes the check digit agree. A repair is only accepted when the recogniser found
the substitute plausible, so a misread is never "corrected" into a different valid number.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from .layout import ALPHABET, LAYOUTS, allowed_chars, check_digit

MIN_ALTERNATIVE = 0.01  # a substitute needs at least this probability
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


def _check_ok(lines: list[list[str]], check) -> bool:
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
        if not _check_ok(chars, check):
            repaired += _repair(chars, masked, check, positions)
        if _check_ok(chars, check):
            protected.update(positions)
    logprob = float(
        sum(np.log(max(m[pos, ALPHABET.index(c)], 1e-9)) for m, row in zip(masked, chars, strict=True) for pos, c in enumerate(row))
    )
    return Decoded(
        lines=["".join(row) for row in chars],
        checks={check.name: _check_ok(chars, check) for check in checks},
        logprob=logprob,
        repaired=repaired,
    )


def _repair(chars, masked, check, positions) -> int:
    """Apply the most probable substitution set (≤ 2 characters) that satisfies `check`."""
    options = []
    for line, pos in positions:
        p = masked[line][pos]
        current = ALPHABET.index(chars[line][pos])
        for idx in np.argsort(-p)[:MAX_CANDIDATES]:
            if idx != current and p[idx] >= MIN_ALTERNATIVE:
                cost = np.log(p[current] + 1e-9) - np.log(p[idx])
                options.append((cost, line, pos, ALPHABET[idx]))
    options = sorted(options)[:24]  # bounds the pairs tried to a few hundred
    best = None
    for k in (1, 2):
        for combo in itertools.combinations(options, k):
            if len({(line, pos) for _, line, pos, _ in combo}) < k:
                continue
            cost = sum(c[0] for c in combo)
            if best is not None and cost >= best[0]:
                continue
            saved = [(line, pos, chars[line][pos]) for _, line, pos, _ in combo]
            for _, line, pos, ch in combo:
                chars[line][pos] = ch
            if _check_ok(chars, check):
                best = (cost, combo)
            for line, pos, ch in saved:
                chars[line][pos] = ch
        if best is not None:
            break
    if best is None:
        return 0
    for _, line, pos, ch in best[1]:
        chars[line][pos] = ch
    return len(best[1])
