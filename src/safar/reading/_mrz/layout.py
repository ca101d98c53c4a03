"""ICAO 9303 MRZ layouts: where each field sits, its character class, and its check digits.

Positions are (line, start, end) with `end` exclusive. Character classes restrict what the
recogniser may answer at a position: "9" digits only, "A" letters and filler, "X" anything.
"""

from dataclasses import dataclass

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
