"""The characters the box reader knows, and how letters that look alike share a class.

Cyrillic capitals that are drawn like Latin ones (А В Е К М Н О Р С Т Х) share the Latin class;
a name's script is decided from its other letters (see _characters.decide_script). Digits and
letters are never confused by design: each field allows only its own charset.
"""

DIGITS = "0123456789"
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CYRILLIC_ONLY = "БГДЖЗИЙЛПУФЦЧШЩЪЫЬЭЮЯЁҒӢҚӮҲҶ"
CLASSES = DIGITS + LATIN + CYRILLIC_ONLY
SHARED = dict(zip("АВЕКМНОРСТХ", "ABEKMHOPCTX", strict=True))  # Cyrillic → Latin look-alike
TO_CYRILLIC = {v: k for k, v in SHARED.items()}
CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯҒӢҚӮҲҶ"
LATIN_ONLY = "".join(c for c in LATIN if c not in TO_CYRILLIC)
HERSHEY_OK = set(DIGITS + LATIN)  # OpenCV's stroke fonts draw ASCII only

CHARSET_CLASSES = {
    "digits": DIGITS,
    "latin": LATIN,
    "alnum": DIGITS + LATIN,
    "names": LATIN + CYRILLIC_ONLY,
}


def to_class(ch: str) -> str:
    """The class a character is learnt and recognised as."""
    ch = ch.upper()
    return SHARED.get(ch, ch)
