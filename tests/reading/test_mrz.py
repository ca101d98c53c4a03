"""read_mrz on synthetic documents rendered here in OCR-B: every format, turned, skewed, blurred.

A small named world: the ICAO 9303 specimen passport of Anna Maria Eriksson (Utopia), and random
documents from a fixed seed. Nothing from ../shared is used.
"""

import json
import shutil
import time
import zlib
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safar.reading._mrz import band, second_opinion, synth
from safar.reading._mrz.decode import decode
from safar.reading._mrz.layout import ALPHABET, check_digit, icao_codes, malformed_fields
from safar.reading.benchmarks_mrz import right_but_doubtful
from safar.reading.mrz import (
    FIELD_CONFIDENCE,
    MrzResult,
    UnreadableImage,
    parse_date,
    parse_fields,
    read_mrz,
)

ROOT = Path(__file__).resolve().parents[2]

TODAY = date(2026, 11, 22)
ERIKSSON_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
ERIKSSON_TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]


def with_text(lines, fmt, line, start, text):
    """`lines` with `text` written at (line, start) and every check digit made to agree again."""
    rows = list(lines)
    rows[line] = rows[line][:start] + text + rows[line][start + len(text) :]
    return synth._fill_checks(rows, fmt)


def page(lines, *, seed=1, **kwargs):
    return synth.render_page(lines, np.random.default_rng(seed), **kwargs)


def character_errors(got, expected):
    if [len(line) for line in got] != [len(line) for line in expected]:
        return 10**6
    return sum(
        a != b for g, e in zip(got, expected, strict=True) for a, b in zip(g, e, strict=True)
    )


def one_hot(lines, noise=0.0):
    probs = []
    for line in lines:
        p = np.full((len(line), len(ALPHABET)), noise)
        for i, ch in enumerate(line):
            p[i, ALPHABET.index(ch)] = 1.0
        probs.append(p / p.sum(axis=1, keepdims=True))
    return probs


def test_check_digits_match_the_icao_specimen():
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("D23145890") == "7"


def test_birth_century_is_the_latest_one_not_in_the_future():
    assert parse_date("740812", kind="birth", today=TODAY) == "1974-08-12"
    assert parse_date("150101", kind="birth", today=TODAY) == "2015-01-01"
    assert parse_date("261231", kind="birth", today=TODAY) == "1926-12-31"
    assert parse_date("120415", kind="expiry", today=TODAY) == "2012-04-15"
    assert parse_date("990101", kind="expiry", today=TODAY) == "1999-01-01"
    assert parse_date("741332", kind="birth", today=TODAY) is None
    assert parse_date("<<<<<<", kind="birth", today=TODAY) is None


def test_specimen_passport_is_read_with_fields_and_checks():
    result = read_mrz(page(ERIKSSON_TD3, pitch=12), today=TODAY)
    assert result.format == "TD3"
    assert result.lines == ERIKSSON_TD3
    assert result.valid
    assert result.checks == {
        "number": True,
        "birth_date": True,
        "expiry_date": True,
        "optional_data": True,
        "composite": True,
    }
    fields = result.fields
    assert (fields["surname"], fields["given_names"]) == ("ERIKSSON", "ANNA MARIA")
    assert (fields["number"], fields["nationality"], fields["sex"]) == ("L898902C3", "UTO", "F")
    assert (fields["birth_date"], fields["expiry_date"]) == ("1974-08-12", "2012-04-15")
    assert fields["surname_cyrillic"] == "Эрикссон"


def test_td1_identity_card_is_read():
    result = read_mrz(page(ERIKSSON_TD1, pitch=12), today=TODAY)
    assert (result.format, result.valid, result.lines) == ("TD1", True, ERIKSSON_TD1)
    assert result.fields["number"] == "D23145890"


@pytest.mark.xfail(
    reason="known weakness: at some scales the recogniser reads U as V and K as X "
    "in fields no check digit protects; a better-trained model should fix it"
)
@pytest.mark.parametrize("pitch", [14, 16])
def test_letters_without_check_digits_are_read_at_every_scale(pitch):
    assert read_mrz(page(ERIKSSON_TD3, pitch=pitch), today=TODAY).lines == ERIKSSON_TD3
    assert read_mrz(page(ERIKSSON_TD1, pitch=pitch), today=TODAY).lines == ERIKSSON_TD1


@pytest.mark.parametrize("fmt", ["TD1", "TD2", "TD3", "MRV-A", "MRV-B"])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_every_format_is_read_in_every_rotation(fmt, rotation):
    rng = np.random.default_rng(zlib.crc32(f"{fmt}/{rotation}".encode()))
    lines = synth.random_mrz(rng, fmt)
    image = synth.render_page(
        lines, rng, pitch=13, rotation=rotation, skew=float(rng.uniform(-4, 4)), blur=0.6, noise=5
    )
    result = read_mrz(image, today=TODAY)
    assert result.format == fmt
    assert result.valid
    expected = parse_fields(lines, fmt, today=TODAY)
    for name in ("number", "birth_date", "expiry_date", "sex"):  # what check digits protect
        assert result.fields[name] == expected[name]
    # Letters no check digit protects may still be misread now and then (see the xfail below).
    assert character_errors(result.lines, lines) <= 1


def test_grey_blurred_low_resolution_photo_is_read():
    image = page(ERIKSSON_TD3, seed=3, pitch=8, skew=-3, blur=1.0, noise=8, colour=False)
    result = read_mrz(image, today=TODAY)
    assert result.valid and result.lines == ERIKSSON_TD3


@pytest.mark.parametrize("font_path", [synth.DEJAVU_MONO_PATH, synth.LIBERATION_MONO_PATH])
def test_mrz_printed_in_another_monospaced_font_is_read(font_path):
    # Some issuers print the MRZ in DejaVu Sans Mono or a Courier-like font instead of OCR-B.
    for lines, pitch in ((ERIKSSON_TD1, 13), (ERIKSSON_TD3, 11)):
        result = read_mrz(
            page(lines, pitch=pitch, skew=1.5, blur=0.5, font_path=font_path), today=TODAY
        )
        assert result.valid
        assert character_errors(result.lines, lines) <= 1


def test_encoded_file_bytes_and_paths_are_accepted(tmp_path):
    ok, jpeg = cv2.imencode(".jpg", page(ERIKSSON_TD3), [cv2.IMWRITE_JPEG_QUALITY, 80])
    path = tmp_path / "passport.jpg"
    path.write_bytes(jpeg.tobytes())
    assert read_mrz(jpeg.tobytes(), today=TODAY).lines == ERIKSSON_TD3
    assert read_mrz(path, today=TODAY).lines == ERIKSSON_TD3
    assert read_mrz(str(path), today=TODAY).valid


def test_wrong_check_digit_is_reported_not_corrected():
    wrong = [ERIKSSON_TD3[0], ERIKSSON_TD3[1][:9] + "5" + ERIKSSON_TD3[1][10:]]
    result = read_mrz(page(wrong, pitch=12), today=TODAY)
    assert result.format == "TD3"
    assert result.lines[1] == wrong[1]
    assert not result.valid
    assert result.checks["number"] is False and result.checks["birth_date"] is True


def test_decoder_repairs_an_ambiguous_letter_only_where_the_check_digit_agrees():
    probs = one_hot(ERIKSSON_TD3, noise=1e-4)
    # The recogniser hesitates between 8 and B inside the document number; it prefers B.
    pos = ERIKSSON_TD3[1].index("8")
    probs[1][pos, ALPHABET.index("B")] = 1.2
    decoded = decode(probs, "TD3")
    assert decoded.lines == ERIKSSON_TD3
    assert decoded.repaired == 1


def test_decoder_keeps_a_letter_where_a_date_needs_a_digit_away():
    probs = one_hot(ERIKSSON_TD3, noise=1e-4)
    pos = 13  # first digit of the birth date
    probs[1][pos, ALPHABET.index("O")] = 2.0  # "O" is not allowed in a date: 0 … 9 only
    probs[1][pos, ALPHABET.index("7")] = 0.5
    assert decode(probs, "TD3").lines == ERIKSSON_TD3


def test_second_opinion_replaces_only_the_lines_the_check_digits_need(monkeypatch):
    ours = [ERIKSSON_TD3[0].replace("ANNA", "ANMA"), "L89B9O2C36UTO74O8122F1204159ZE184226B<<<<<10"]
    theirs = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<KKKKK", ERIKSSON_TD3[1]]
    # Tesseract reads O as 0 in the nationality: the field's type settles it, as in our decoder.
    theirs[1] = theirs[1].replace("UTO", "UT0")
    monkeypatch.setattr(second_opinion, "tesseract_lines", lambda crop: ["PASSPORT", *theirs])
    decoded = second_opinion.improve(ours, "TD3", crop=None)
    # Line 2 carries every check digit and is taken; line 1 has none, so ours stays.
    assert decoded.lines == [ours[0], ERIKSSON_TD3[1]]
    assert all(decoded.checks.values())


def test_second_opinion_is_refused_when_a_check_digit_still_fails_or_a_date_has_a_letter(
    monkeypatch,
):
    wrong_check = ERIKSSON_TD3[1][:9] + "5" + ERIKSSON_TD3[1][10:]
    letter_in_date = ERIKSSON_TD3[1][:13] + "74A812" + ERIKSSON_TD3[1][19:]
    for theirs in (wrong_check, letter_in_date, ERIKSSON_TD3[1][:-1]):
        monkeypatch.setattr(
            second_opinion, "tesseract_lines", lambda crop, line=theirs: [ERIKSSON_TD3[0], line]
        )
        assert second_opinion.improve([ERIKSSON_TD3[0], wrong_check], "TD3", crop=None) is None


def test_tesseract_is_asked_only_when_our_reading_fails_a_check_digit(monkeypatch):
    asked = []
    monkeypatch.setattr(
        second_opinion, "tesseract_lines", lambda crop: asked.append(crop.shape) or []
    )
    assert read_mrz(page(ERIKSSON_TD3, pitch=12), today=TODAY).valid
    assert asked == []
    wrong = [ERIKSSON_TD3[0], ERIKSSON_TD3[1][:9] + "5" + ERIKSSON_TD3[1][10:]]
    result = read_mrz(page(wrong, pitch=12), today=TODAY)
    # Asked once; a wrong check digit stays wrong whoever reads it.
    assert len(asked) == 1 and not result.valid and result.reader != "tesseract"
    assert result.lines == wrong


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Debian's tesseract-ocr")
def test_tesseract_reads_a_clean_crop_as_a_second_opinion():
    crop = synth.render_block(ERIKSSON_TD3, 24)
    wrong = [ERIKSSON_TD3[0], ERIKSSON_TD3[1][:13] + "7408128" + ERIKSSON_TD3[1][20:]]
    decoded = second_opinion.improve(wrong, "TD3", crop)
    assert decoded is not None and decoded.lines[1] == ERIKSSON_TD3[1]


def test_page_without_mrz_gives_no_mrz_quickly():
    rng = np.random.default_rng(5)
    blank = synth.render_page(["HELLO"], rng, pitch=14)[:, :, 0] * 0 + 200
    start = time.process_time()
    result = read_mrz(np.ascontiguousarray(blank), today=TODAY)
    assert time.process_time() - start < 1.0
    assert (result.format, result.valid, result.lines) == (None, False, [])
    assert result.error


def test_undecodable_bytes_raise_unreadable_image():
    with pytest.raises(UnreadableImage):
        read_mrz(b"not an image", today=TODAY)


def test_command_prints_one_json_object_per_file(tmp_path, capsys):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), page(ERIKSSON_TD3))
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), np.full((300, 400), 230, np.uint8))
    call_command("read-mrz", str(good), str(empty), "--format", "jsonl")
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["file"] == str(good) and first["format"] == "TD3" and first["valid"] is True
    assert first["fields"]["birth_date"] == "1974-08-12" and first["checks"]["composite"] is True
    assert second == {
        "file": str(empty),
        "format": None,
        "lines": [],
        "valid": False,
        "fields": {},
        "checks": {},
        "confidence": 0.0,
        "malformed_fields": [],
        "field_confidence": {},
        "doubtful_fields": [],
        "error": second["error"],
    }


def test_command_fails_for_a_missing_file_after_reading_the_others(tmp_path, capsys):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), page(ERIKSSON_TD3))
    with pytest.raises(CommandError, match="missing.png"):
        call_command("read-mrz", str(good), str(tmp_path / "missing.png"), "--format", "json")
    results = json.loads(capsys.readouterr().out)
    assert [r["valid"] for r in results] == [True, False]


def test_the_specimens_fields_are_well_formed():
    assert malformed_fields(ERIKSSON_TD3, "TD3") == []
    assert malformed_fields(ERIKSSON_TD1, "TD1") == []


@pytest.mark.parametrize(
    ("line", "start", "text", "field"),
    [
        (1, 13, "<<<365", "birth_date"),  # the garbage date of a misread visa
        (1, 13, "740231", "birth_date"),  # 31 February
        (1, 21, "121304", "expiry_date"),  # month 13
        (1, 10, "RER", "nationality"),  # PER misread: no such state
        (0, 2, "UTX", "issuing_state"),
        (0, 0, "T", "document_type"),  # I misread as T
        (0, 1, "7", "document_type"),
        (1, 20, "X", "sex"),  # the MRZ writes an unspecified sex as <
        (0, 30, "<<<<<<<<<<<<KKKKK", "name"),  # letters after the filler tail
    ],
)
def test_a_field_no_document_could_hold_is_malformed_even_when_check_digits_agree(
    line, start, text, field
):
    lines = with_text(ERIKSSON_TD3, "TD3", line, start, text)
    assert malformed_fields(lines, "TD3") == [field]


def test_icao_codes_are_the_iso_countries_and_the_special_codes_of_9303():
    codes = icao_codes()
    for code in ("TJK", "RUS", "D<<", "GBN", "UNO", "XXA", "XXX", "EUE", "XOM", "UTO"):
        assert code in codes
    assert "DEU" not in codes and "RER" not in codes and "SI<" not in codes
    # Every country of the reference data (core/data/countries.csv) is one, Germany as D<<.
    countries = (ROOT / "src/safar/core/data/countries.csv").read_text().splitlines()[1:]
    assert {row.split(",")[0] for row in countries} - {"DEU"} <= codes


def test_a_visa_whose_date_field_is_garbage_is_not_valid_though_its_check_digits_agree():
    visa = ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", ERIKSSON_TD3[1][:28] + "<" * 16]
    lines = with_text(visa, "MRV-A", 1, 13, "<<<365")
    result = read_mrz(page(lines, pitch=12), today=TODAY)
    assert (result.format, result.lines) == ("MRV-A", lines)
    assert all(result.checks.values())
    assert not result.valid and result.malformed_fields == ["birth_date"]


@pytest.mark.parametrize(
    ("line", "start", "text", "field"),
    [(1, 10, "RER", "nationality"), (1, 20, "X", "sex"), (0, 0, "T", "document_type")],
)
def test_a_reading_with_an_unknown_state_a_sex_x_or_a_wrong_document_code_is_not_valid(
    line, start, text, field
):
    lines = with_text(ERIKSSON_TD3, "TD3", line, start, text)
    result = read_mrz(page(lines, pitch=12), today=TODAY)
    # Read as printed where it matters (a second opinion, asked for an invalid reading, may
    # misread a name letter elsewhere), every check digit agreeing: still not valid.
    assert result.lines[1] == lines[1] and result.lines[0][:5] == lines[0][:5]
    assert all(result.checks.values())
    assert not result.valid and field in result.malformed_fields


def test_a_worn_letter_in_the_surname_is_doubtful_while_the_checked_fields_stay_trusted():
    # The lower half of the R of ERIKSSON rubbed out: what is read there, no check digit checks.
    result = read_mrz(page(ERIKSSON_TD3, pitch=12, worn=((0, 6, 0.5),)), today=TODAY)
    assert result.valid
    assert "surname" in result.doubtful_fields
    assert result.field_confidence["surname"] < FIELD_CONFIDENCE
    assert (result.fields["number"], result.fields["birth_date"]) == ("L898902C3", "1974-08-12")


def test_an_i_worn_into_a_t_is_doubtful():
    # 30 % of the I of ERIKSSON rubbed off from below: both recognisers read a T with confidence
    # (its foot ends only two rows above the baseline); no check digit covers the surname.
    result = read_mrz(page(ERIKSSON_TD3, pitch=12, worn=((0, 7, 0.3),)), today=TODAY)
    assert result.valid
    assert "surname" in result.doubtful_fields
    assert (result.fields["number"], result.fields["birth_date"]) == ("L898902C3", "1974-08-12")


def test_a_clean_specimen_has_no_doubtful_field():
    result = read_mrz(page(ERIKSSON_TD3, pitch=12), today=TODAY)
    assert result.valid and result.lines == ERIKSSON_TD3
    assert result.doubtful_fields == []
    assert set(result.field_confidence) == {
        "document_type",
        "issuing_state",
        "nationality",
        "sex",
        "surname",
        "given_names",
    }


def test_a_letter_missing_the_lower_part_of_its_height_is_an_incomplete_glyph():
    cells = np.zeros((5, 20, 20), np.float32)
    cells[:, 3:12, 5:15] = 1.0  # five letters of the same height
    cells[2, 7:12] = 0.0  # the third keeps only its top: an I worn into a T
    cells = cells.reshape(5, -1)
    assert band.incomplete_glyphs(cells, "ERIKS").tolist() == [False, False, True, False, False]
    # A filler is lower than the letters by nature: not judged.
    assert not band.incomplete_glyphs(cells, "ER<KS").any()


def letter_cells(text, *, top=3, bottom=16):
    """Block glyphs of one line: letters fill rows top..bottom, fillers two rows less at both ends."""
    cells = np.zeros((len(text), 20, 20), np.float32)
    for i, ch in enumerate(text):
        if ch == "<":
            cells[i, top + 2 : bottom - 2, 6:14] = 1.0
        else:
            cells[i, top:bottom, 5:15] = 1.0
    return cells


def test_a_letter_whose_foot_ends_above_the_baseline_is_an_incomplete_glyph():
    cells = letter_cells("RAHIMOV")
    cells[3, 14:16] = 0.0  # the I's foot two rows short of the baseline: a T to both recognisers
    cells[5, 15:16] = 0.0  # the O's one row short: within a letter's usual variation
    flags = band.incomplete_glyphs(cells.reshape(7, -1), "RAHTMOV")
    assert flags.tolist() == [False, False, False, True, False, False, False]


def test_a_filler_shorter_than_the_line_s_fillers_is_an_incomplete_glyph():
    # What is left of a K worn from below reads as a filler, lower than the fillers around it.
    cells = letter_cells("ERIKSSON<<ANNA<<<")
    cells[3] = 0.0
    cells[3, 5:12, 6:14] = 1.0
    flags = band.incomplete_glyphs(cells.reshape(17, -1), "ERI<SSON<<ANNA<<<")
    assert flags.tolist() == [i == 3 for i in range(17)]


def test_in_a_line_of_a_short_name_a_letter_shorter_than_the_fillers_is_an_incomplete_glyph():
    # Two letters give no baseline; a letter is never shorter than a filler.
    cells = letter_cells("XU" + "<" * 28)
    cells[0, 10:16] = 0.0  # the X worn into a Y
    flags = band.incomplete_glyphs(cells.reshape(30, -1), "YU" + "<" * 28)
    assert flags.tolist() == [True] + [False] * 29


def test_the_benchmark_counts_the_right_fields_listed_as_doubtful():
    # What flagging costs: a doubtful field read as printed must still be read off the document.
    flagged = ["surname", "given_names"]
    result = MrzResult(format="TD3", lines=ERIKSSON_TD3, valid=True, doubtful_fields=flagged)
    misread = with_text(ERIKSSON_TD3, "TD3", 0, 5, "ERTKSSON")
    assert right_but_doubtful(result, ERIKSSON_TD3) == ["surname", "given_names"]
    assert right_but_doubtful(result, misread) == ["given_names"]
    assert right_but_doubtful(result, None) == []
