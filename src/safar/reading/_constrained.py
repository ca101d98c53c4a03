"""Decoding character fields with what is known about them, not box by box.

A date's eight boxes must form a real date in a plausible range, and a name's words are most
often names people have. Each decoder takes the classifier's probabilities for every written
box (rows of readings: the reader passes one, its ensemble's mean; several rows are scored
apart and the least sure counts), scores every allowed value as the product of its boxes'
probabilities, and returns the best one with its probability among the allowed values.

Knowledge can also mislead: a date outside the expected range, a name not in the list. So a
value is only used when it *fits* the ink: its probability must be at least MIN_FIT of the best
unconstrained reading of the same boxes. When the boxes do not support any allowed value (the
classifier was sure of a different character somewhere: 31 02, a name not in the list), the
field keeps its box-by-box reading, with its checks and low confidence, for an operator.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np

from .classes import CHARSET_CLASSES, CYRILLIC_ONLY, LATIN_ONLY, to_class

NAMES_PATH = Path(__file__).resolve().parent / "data" / "names.txt"
# The chosen value may be this much less probable than the unconstrained reading and still be
# trusted (one doubtful box resolved by the constraint); below it the constraint is overruling
# what the ink says, so an operator decides.
MIN_FIT = 0.01
# Between MIN_FIT and FULL_FIT the value is used (prefilled for the operator) but its confidence is
# scaled down in proportion: the ink argued against it, so it is not saved unseen.
FULL_FIT = 0.05
CROSSING_WINDOW_DAYS = 30  # a card is scanned within a month of the crossing it records
OLDEST_YEARS = 100


def _trusted(posterior: float, fit: float) -> float:
    return posterior * min(1.0, fit / FULL_FIT)


def _score(probs: np.ndarray, table: np.ndarray) -> tuple[int, float, float]:
    """probs: boxes × variants × classes; table: candidates × boxes (class indexes).

    The best candidate by the summed log-probability over variants, its posterior among the
    candidates and its fit, each the lowest over the variants.
    """
    logp = np.log(np.clip(probs, 1e-12, 1.0))
    boxes = np.arange(probs.shape[0])
    scores = logp[boxes, :, table].sum(axis=1)  # candidates × variants
    best = int(np.argmax(scores.sum(axis=1)))
    top = scores.max(axis=0)
    posterior = np.exp(scores[best] - top) / np.exp(scores - top).sum(axis=0)
    fit = np.exp(scores[best] - logp.max(axis=2).sum(axis=0))
    return best, float(posterior.min()), float(fit.min())


_EPOCH, _YEARS = dt.date(1900, 1, 1), 201


@functools.cache
def _all_dates() -> tuple[list[str], np.ndarray]:
    """Every date 1900–2100 in ISO and as DDMMYYYY digits, built once; ranges are slices."""
    dates = [
        _EPOCH + dt.timedelta(days=i)
        for i in range((_EPOCH.replace(year=_EPOCH.year + _YEARS) - _EPOCH).days)
    ]
    table = np.array([[int(c) for c in d.strftime("%d%m%Y")] for d in dates], np.int64)
    return [d.isoformat() for d in dates], table


def _dates(first: dt.date, last: dt.date) -> tuple[list[str], np.ndarray]:
    isos, table = _all_dates()
    lo, hi = max(0, (first - _EPOCH).days), max(0, (last - _EPOCH).days + 1)
    return isos[lo:hi], table[lo:hi]


def decode_date(probs: np.ndarray, first: dt.date, last: dt.date) -> tuple[str, float] | None:
    """The most probable real date in [first, last] from 8 digit boxes (DDMMYYYY), with its
    confidence; None when the range is empty or no date in it fits the ink."""
    isos, table = _dates(first, last)
    if not isos:
        return None
    best, posterior, fit = _score(probs, table)
    return (isos[best], _trusted(posterior, fit)) if fit >= MIN_FIT else None


def date_range(name: str, expected: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """Where a date field's value may lie: a crossing near the batch's day (or any day since
    2000 when it is not known), a birth date of someone 0–100 years old."""
    ref = min(expected or today, today)
    if name == "birth_date":
        return ref.replace(year=ref.year - OLDEST_YEARS), ref
    if expected is not None:
        return ref - dt.timedelta(days=CROSSING_WINDOW_DAYS), ref
    return dt.date(2000, 1, 1), today


@functools.cache
def _lexicon(path: Path = NAMES_PATH) -> dict[int, tuple[list[str], np.ndarray]]:
    """Name words by length, each with its class indexes over the 'names' charset."""
    classes = CHARSET_CLASSES["names"]
    by_length: dict[int, list[str]] = {}
    for line in path.read_text(encoding="utf-8").split():
        word = line.strip().upper()
        if word and all(to_class(c) in classes for c in word):
            by_length.setdefault(len(word), []).append(word)
    return {
        n: (words, np.array([[classes.index(to_class(c)) for c in w] for w in words]))
        for n, words in by_length.items()
    }


def decode_word(probs: np.ndarray) -> tuple[str, float] | None:
    """The most probable known name word for consecutive written boxes (probs over the
    'names' charset), with its confidence; None when no known word of that length fits."""
    entry = _lexicon().get(probs.shape[0])
    if entry is None:
        return None
    words, table = entry
    best, posterior, fit = _score(probs, table)
    return (words[best], _trusted(posterior, fit)) if fit >= MIN_FIT else None


def script_of_word(word: str) -> str | None:
    """'cyrillic' or 'latin' by the letters only one script has; None when all are shared."""
    if any(c in CYRILLIC_ONLY for c in word):
        return "cyrillic"
    if any(c in LATIN_ONLY for c in word):
        return "latin"
    return None


def _shapes(n: int, free: int, pattern: str, sets: tuple[str, str]) -> list[tuple[str, ...]]:
    """The class sets, position by position, of every n-character value the pattern allows when
    the first `free` positions may hold either set (letters or digits) and the rest only the
    second: tried with one representative character per set."""
    import itertools
    import re

    rx = re.compile(pattern)
    out = []
    for head in itertools.product(sets, repeat=min(free, n)):
        shape = head + (sets[1],) * (n - len(head))
        if rx.fullmatch("".join(s[0] for s in shape)):
            out.append(shape)
    return out


def decode_pattern(
    probs: np.ndarray, allowed: str, free: int, pattern: str, sets: tuple[str, str]
) -> tuple[str, float] | None:
    """The most probable value matching `pattern` for written boxes (probs: boxes × variants ×
    `allowed` classes), where the first `free` boxes may be a letter or a digit.

    Each shape (which positions are letters) contributes the total probability of all its values,
    so the confidence is the best value's share of everything the pattern allows (lowest over
    the ink variants). None when no shape fits the number of boxes or none fits the ink."""
    shapes = _shapes(probs.shape[0], free, pattern, sets)
    if not shapes:
        return None
    idx = {s: np.array([allowed.index(c) for c in s]) for s in sets}
    best_value, best_score, masses = None, -np.inf, []
    for shape in shapes:
        picks = [probs[k][:, idx[s]] for k, s in enumerate(shape)]  # variants × set
        total = sum(np.log(np.clip(p[0], 1e-12, 1)).max() for p in picks)
        value = "".join(s[int(np.argmax(p[0]))] for s, p in zip(shape, picks, strict=True))
        masses.append(np.stack([np.log(p.sum(axis=1)) for p in picks]).sum(axis=0))
        if total > best_score:
            best_value, best_score = value, total
    masses = np.stack(masses)  # shapes × variants
    chosen = np.array([allowed.index(c) for c in best_value])
    boxes = np.arange(probs.shape[0])
    value_logp = np.log(np.clip(probs[boxes, :, chosen], 1e-12, 1)).sum(axis=0)  # variants
    top = masses.max(axis=0)
    posterior = np.exp(value_logp - top) / np.exp(masses - top).sum(axis=0)
    fit = np.exp(value_logp - np.log(np.clip(probs, 1e-12, 1)).max(axis=2).sum(axis=0))
    if fit.min() < MIN_FIT:
        return None
    return best_value, _trusted(float(posterior.min()), float(fit.min()))


@functools.cache
def _code_table(codes: tuple[str, ...], allowed: str) -> np.ndarray:
    return np.array([[allowed.index(c) for c in code] for code in codes], np.int64)


def decode_code(
    probs: np.ndarray, codes: tuple[str, ...], allowed: str
) -> tuple[str, float] | None:
    """The most probable of a closed list of codes (countries, district numbers) for boxes all
    written, with its confidence; None when no code of that length fits the ink."""
    codes = tuple(c for c in codes if len(c) == probs.shape[0] and all(ch in allowed for ch in c))
    if not codes:
        return None
    best, posterior, fit = _score(probs, _code_table(codes, allowed))
    return (codes[best], _trusted(posterior, fit)) if fit >= MIN_FIT else None
