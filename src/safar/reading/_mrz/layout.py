"""ICAO 9303 MRZ layouts: where each field sits, its character class, and its check digits.

Positions are (line, start, end) with `end` exclusive. Character classes restrict what the
recogniser may answer at a position: "9" digits only, "A" letters and filler, "X" anything.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ<"

# Lines × characters per line for each format; the first letter of the first line separates
# visas (V) from travel documents sharing the same size.
SHAPES = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRV-A": (2, 44), "MRV-B": (2, 36)}


@dataclass(frozen=True)
class Field:
    name: str
    line: int
    start: int
    end: int
    kind: str  # "9" digits, "A" letters/filler, "X" alphanumeric, "S" sex (M/F/<), "N" name


@dataclass(frozen=True)
class Check:
    name: str
    line: int
    pos: int
    spans: tuple[tuple[int, int, int], ...]  # (line, start, end) of the data it protects
    optional: bool = False  # a filler check digit is allowed when the data is all filler


def _f(name, line, start, end, kind):
    return Field(name, line, start, end, kind)


def _two_line(width: int, composite: bool) -> tuple[tuple[Field, ...], tuple[Check, ...]]:
    """Layout shared by TD2, TD3, MRV-A and MRV-B (two lines of 36 or 44)."""
    fields = [
        _f("document_type", 0, 0, 2, "A"),
        _f("issuing_state", 0, 2, 5, "A"),
        _f("name", 0, 5, width, "N"),
        _f("number", 1, 0, 9, "X"),
        _f("nationality", 1, 10, 13, "A"),
        _f("birth_date", 1, 13, 19, "9"),
        _f("sex", 1, 20, 21, "S"),
        _f("expiry_date", 1, 21, 27, "9"),
    ]
    checks = [
        Check("number", 1, 9, ((1, 0, 9),)),
        Check("birth_date", 1, 19, ((1, 13, 19),)),
        Check("expiry_date", 1, 27, ((1, 21, 27),)),
    ]
    if composite and width == 44:  # TD3 passport: optional data has its own check digit
        fields.append(_f("optional_data", 1, 28, 42, "X"))
        checks.append(Check("optional_data", 1, 42, ((1, 28, 42),), optional=True))
        checks.append(Check("composite", 1, 43, ((1, 0, 10), (1, 13, 20), (1, 21, 43))))
    elif composite:  # TD2
        fields.append(_f("optional_data", 1, 28, 35, "X"))
        checks.append(Check("composite", 1, 35, ((1, 0, 10), (1, 13, 20), (1, 21, 35))))
    else:  # visas: no composite check digit
        fields.append(_f("optional_data", 1, 28, width, "X"))
    return tuple(fields), tuple(checks)


def _td1() -> tuple[tuple[Field, ...], tuple[Check, ...]]:
    fields = (
        _f("document_type", 0, 0, 2, "A"),
        _f("issuing_state", 0, 2, 5, "A"),
        _f("number", 0, 5, 14, "X"),
        _f("optional_data", 0, 15, 30, "X"),
        _f("birth_date", 1, 0, 6, "9"),
        _f("sex", 1, 7, 8, "S"),
        _f("expiry_date", 1, 8, 14, "9"),
        _f("nationality", 1, 15, 18, "A"),
        _f("optional_data_2", 1, 18, 29, "X"),
        _f("name", 2, 0, 30, "N"),
    )
    checks = (
        Check("number", 0, 14, ((0, 5, 14),)),
        Check("birth_date", 1, 6, ((1, 0, 6),)),
        Check("expiry_date", 1, 14, ((1, 8, 14),)),
        Check("composite", 1, 29, ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29))),
    )
    return fields, checks


LAYOUTS = {
    "TD1": _td1(),
    "TD2": _two_line(36, composite=True),
    "TD3": _two_line(44, composite=True),
    "MRV-A": _two_line(44, composite=False),
    "MRV-B": _two_line(36, composite=False),
}


def format_for(n_lines: int, width: int, first_char: str) -> str | None:
    """The format of an MRZ with this shape; visas start with V."""
    if (n_lines, width) == (3, 30):
        return "TD1"
    if n_lines != 2 or width not in (36, 44):
        return None
    if first_char == "V":
        return "MRV-A" if width == 44 else "MRV-B"
    return "TD3" if width == 44 else "TD2"


def check_digit(text: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1 over digit values (A=10 … Z=35, filler 0)."""
    total = 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - 55
        else:
            value = 0
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def allowed_chars(fmt: str) -> list[list[str]]:
    """For each line and position, the characters the layout allows there."""
    n_lines, width = SHAPES[fmt]
    fields, checks = LAYOUTS[fmt]
    allowed = [[ALPHABET] * width for _ in range(n_lines)]
    for field in fields:
        pool = {"9": DIGITS + "<", "A": LETTERS, "N": LETTERS, "S": "MFX<", "X": ALPHABET}[
            field.kind
        ]
        for pos in range(field.start, field.end):
            allowed[field.line][pos] = pool
    for check in checks:
        allowed[check.line][check.pos] = DIGITS + ("<" if check.optional else "")
    allowed[0][1] = ALPHABET  # the document code's second character is the issuer's choice (C1)
    return allowed


# What a well-formed MRZ holds beyond its check digits (ICAO 9303 Parts 3-7). Check digits catch
# most misreads of what they protect, but a garbage line can pass them by chance, and they protect
# neither the document code, the states nor the sex: these rules catch what they let through.
ICAO_CODES_PATH = Path(__file__).resolve().parent.parent / "data" / "icao_codes.txt"
DOCUMENT_CODES = "PIAC"  # passports, identity cards; visas (V) are told apart by `format_for`
SEXES = "MF<"  # X is written in the visual zone only; the MRZ writes "unspecified" as <
_NAME = re.compile(r"[A-Z]+(<{1,2}[A-Z]+)*<*")  # components, "<" within, "<<" between surname …


@cache
def icao_codes() -> frozenset[str]:
    """The issuing state and nationality codes an MRZ may carry, as written (`D<<` for Germany)."""
    lines = ICAO_CODES_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split()[0] for line in lines if line and not line.startswith("#"))


def malformed_fields(lines: list[str], fmt: str) -> list[str]:
    """The fields of `lines` (an MRZ of format `fmt`) that no real document could hold: a document
    code of the wrong kind, an unknown state, a date that does not exist, a sex other than M, F or
    <, a name with letters after its filler tail."""
    raw = {f.name: lines[f.line][f.start : f.end] for f in LAYOUTS[fmt][0]}
    bad = []
    code = raw["document_type"]
    first = "V" if fmt.startswith("MRV") else DOCUMENT_CODES
    if code[0] not in first or code[1] not in LETTERS:
        bad.append("document_type")
    for name in ("issuing_state", "nationality"):
        if raw[name] not in icao_codes():
            bad.append(name)
    for name in ("birth_date", "expiry_date"):
        if not is_real_date(raw[name]):
            bad.append(name)
    if raw["sex"] not in SEXES:
        bad.append("sex")
    if not _NAME.fullmatch(raw["name"]):
        bad.append("name")
    return bad


def unprotected_spans(lines: list[str], fmt: str) -> dict[str, tuple[int, int, int]]:
    """(line, start, end) of each field of the parsed result that no check digit protects: the
    document code, issuing state, nationality, sex, surname and given names (and a visa's optional
    data). A misread letter there passes every check digit, so each needs its own confidence.
    The name splits at its first "<<" (the separator goes with the surname, the filler tail with
    the given names)."""
    fields = {f.name: f for f in LAYOUTS[fmt][0]}
    spans = {
        name: (fields[name].line, fields[name].start, fields[name].end)
        for name in ("document_type", "issuing_state", "nationality", "sex")
    }
    name = fields["name"]
    text = lines[name.line][name.start : name.end]
    split = text.find("<<")
    split = len(text) if split < 0 else split + 2
    spans["surname"] = (name.line, name.start, name.start + split)
    spans["given_names"] = (name.line, name.start + split, name.end)
    if fmt.startswith("MRV"):
        optional = fields["optional_data"]
        spans["optional_data"] = (optional.line, optional.start, optional.end)
    return spans


def is_real_date(yymmdd: str) -> bool:
    """Whether YYMMDD is a day of the calendar in one of the two centuries it may mean."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return False
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    for year in (1900 + yy, 2000 + yy):
        try:
            date(year, mm, dd)
        except ValueError:
            continue
        return True
    return False
