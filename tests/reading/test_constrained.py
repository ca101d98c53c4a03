"""Decoding with field knowledge: real dates in range, known name words, the passport number's
pattern, closed lists of codes."""

import datetime as dt

import numpy as np

from safar.reading._constrained import (
    date_range,
    decode_code,
    decode_date,
    decode_pattern,
    decode_word,
)
from safar.reading.classes import CHARSET_CLASSES, to_class

NAMES = CHARSET_CLASSES["names"]


def boxes(text: str, alphabet: str, sure: float = 0.99, doubt: dict | None = None) -> np.ndarray:
    """Box probabilities (boxes × 1 variant × classes) that read `text`; `doubt` maps a box to
    (second class, its probability) to make that box uncertain."""
    out = np.full((len(text), 1, len(alphabet)), (1 - sure) / (len(alphabet) - 1))
    for i, ch in enumerate(text):
        out[i, 0, alphabet.index(to_class(ch))] = sure
    for i, (ch, p) in (doubt or {}).items():
        out[i, 0] = 0.01 / (len(alphabet) - 2)
        out[i, 0, alphabet.index(to_class(text[i]))] = 0.99 - p
        out[i, 0, alphabet.index(ch)] = p
    return out / out.sum(axis=2, keepdims=True)


def test_a_doubtful_month_digit_is_resolved_by_the_batch_day():
    # 1?.11.2026 read as "17" month-wise: the second month box doubts between 7 and 1.
    probs = boxes("12172026", "0123456789", doubt={3: ("1", 0.4)})
    first, last = date_range("crossed_on", dt.date(2026, 11, 20), dt.date(2026, 11, 22))
    iso, confidence = decode_date(probs, first, last)
    assert iso == "2026-11-12"
    assert confidence > 0.95  # box by box: below 0.6


def test_a_date_the_ink_does_not_support_is_left_to_the_operator():
    probs = boxes("31021990", "0123456789", sure=0.97)  # 31 February, read with certainty
    first, last = date_range("birth_date", None, dt.date(2026, 11, 22))
    assert decode_date(probs, first, last) is None


def test_a_crossing_far_from_the_batch_day_is_not_forced_into_its_month():
    probs = boxes("03042025", "0123456789", sure=0.97)
    first, last = date_range("crossed_on", dt.date(2026, 11, 20), dt.date(2026, 11, 22))
    assert decode_date(probs, first, last) is None


def test_birth_dates_are_allowed_for_a_hundred_years():
    first, last = date_range("birth_date", None, dt.date(2026, 11, 22))
    assert (first, last) == (dt.date(1926, 11, 22), dt.date(2026, 11, 22))


def test_a_misread_letter_of_a_known_name_is_corrected():
    probs = boxes("НАЗАРОВ", NAMES, doubt={2: ("B", 0.4)})  # З doubted as В
    word, confidence = decode_word(probs)
    assert word == "НАЗАРОВ"
    assert confidence > 0.99


def test_a_name_not_in_the_list_is_not_replaced_by_a_neighbour():
    probs = boxes("НАЗАРЛВ", NAMES, sure=0.97)  # Л read with certainty: no known word fits
    assert decode_word(probs) is None


ALNUM = CHARSET_CLASSES["alnum"]
PASSPORT = r"^([0-9]{9}|[A-Z][0-9]{7,8}|[A-Z]{2}[0-9]{7})$"
SETS = (CHARSET_CLASSES["latin"], CHARSET_CLASSES["digits"])


def test_a_letter_o_after_a_digit_is_read_as_zero_by_the_passport_pattern():
    # "4O1234567": the second box looks more like the letter O, but no passport number has a
    # letter after a digit.
    probs = boxes("401234567", ALNUM, doubt={1: ("O", 0.6)})
    value, confidence = decode_pattern(probs, ALNUM, 2, PASSPORT, SETS)
    assert value == "401234567"
    assert confidence > 0.95


def test_a_doubt_between_two_valid_forms_stays_doubtful():
    # "O1234567 8" or "01234567 8": both are valid passport numbers; the pattern cannot tell.
    probs = boxes("012345678", ALNUM, doubt={0: ("O", 0.45)})
    value, confidence = decode_pattern(probs, ALNUM, 2, PASSPORT, SETS)
    assert value == "012345678"
    assert confidence < 0.6


def test_a_letter_and_seven_digits_fill_eight_boxes():
    value, confidence = decode_pattern(boxes("A1234567", ALNUM), ALNUM, 2, PASSPORT, SETS)
    assert value == "A1234567" and confidence > 0.9


def test_no_passport_form_has_three_boxes():
    assert decode_pattern(boxes("123", ALNUM), ALNUM, 2, PASSPORT, SETS) is None


def test_a_doubtful_district_digit_is_resolved_by_the_regions_list():
    # 13 or 18? Only 10–13 are the region's districts: 13. 17 or 11? Both are: still doubtful.
    probs = boxes("13", "0123456789", doubt={1: ("8", 0.45)})
    value, confidence = decode_code(probs, ("10", "11", "12", "13"), "0123456789")
    assert value == "13" and confidence > 0.95
    probs = boxes("17", "0123456789", doubt={1: ("1", 0.45)})
    value, confidence = decode_code(probs, ("11", "17"), "0123456789")
    assert value == "17" and confidence < 0.6


def test_a_country_code_the_ink_does_not_support_is_left_to_the_operator():
    probs = boxes("QQQ", CHARSET_CLASSES["latin"], sure=0.97)
    assert decode_code(probs, ("RUS", "KAZ"), CHARSET_CLASSES["latin"]) is None
