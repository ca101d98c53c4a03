"""Tajik (and Russian) Cyrillic ↔ Latin as written in passports' machine-readable zones.

`to_latin` follows ICAO Doc 9303 Part 3, section 6, table B (Cyrillic) for the letters the
Russian alphabet shares with Tajik, so that a name typed in Cyrillic gives the same MRZ spelling
as the document: Х→KH, Ц→TS, Ю→IU, Я→IA, Ё→E, Й→I, Ъ→IE, Ь dropped.

The six Tajik letters are not all in the ICAO table (see docs/reading-mrz.md for the sources and
the uncertainty). We follow the spelling that Tajik passports issued since the 2010s show, which
is also the BGN/PCGN 1994 system without diacritics: Ғ→GH, Ӣ→I, Қ→Q, Ӯ→U, Ҳ→H, Ҷ→J.
Older documents (and Russian-issued ones) spell the same people as Г, К, Х, Дж (Gafurov,
Kurbonov, Khakimov, Dzhuraev); `to_cyrillic` returns one best guess, which an operator confirms.
"""

import re
import unicodedata

_TO_LATIN = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Ғ": "GH",
    "Д": "D",
    "Е": "E",
    "Ё": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Ӣ": "I",
    "Й": "I",
    "К": "K",
    "Қ": "Q",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ӯ": "U",
    "Ф": "F",
    "Х": "KH",
    "Ҳ": "H",
    "Ц": "TS",
    "Ч": "CH",
    "Ҷ": "J",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "IE",
    "Ы": "Y",
    "Ь": "",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
    # Other Cyrillic letters of ICAO table B, for names from neighbouring countries.
    "Ґ": "G",
    "Є": "IE",
    "І": "I",
    "Ї": "I",
    "Ў": "U",
    "Ә": "A",
    "Ө": "O",
    "Ү": "U",
    "Ұ": "U",
    "Ң": "N",
    "Һ": "H",
}

# Latin → Cyrillic: longest spelling first. Y before a vowel and I before A/U are the iotated
# vowels (Я, Ю) that ICAO writes as IA and IU; Tajik passports also use YA, YU, YO.
_TO_CYRILLIC = [
    ("SHCH", "Щ"),
    ("YO", "Ё"),
    ("YU", "Ю"),
    ("YA", "Я"),
    ("YE", "Е"),
    ("IU", "Ю"),
    ("IA", "Я"),
    ("KH", "Х"),
    ("ZH", "Ж"),
    ("CH", "Ч"),
    ("SH", "Ш"),
    ("TS", "Ц"),
    ("GH", "Ғ"),
    ("A", "А"),
    ("B", "Б"),
    ("C", "К"),
    ("D", "Д"),
    ("E", "Е"),
    ("F", "Ф"),
    ("G", "Г"),
    ("H", "Ҳ"),
    ("I", "И"),
    ("J", "Ҷ"),
    ("K", "К"),
    ("L", "Л"),
    ("M", "М"),
    ("N", "Н"),
    ("O", "О"),
    ("P", "П"),
    ("Q", "Қ"),
    ("R", "Р"),
    ("S", "С"),
    ("T", "Т"),
    ("U", "У"),
    ("V", "В"),
    ("W", "В"),
    ("X", "КС"),
    ("Y", "Й"),
    ("Z", "З"),
]
_CYRILLIC_OF = dict(_TO_CYRILLIC)
_LATIN_TOKEN = re.compile("|".join(latin for latin, _ in _TO_CYRILLIC))


def to_latin(text: str) -> str:
    """The MRZ spelling of a Cyrillic (Tajik or Russian) name: upper-case Latin letters.

    Characters outside the table keep their Latin base letter when they have one (É → E) and
    are otherwise dropped; spaces and hyphens are kept for the caller to turn into fillers.
    """
    out = []
    for ch in text.upper():
        if ch in _TO_LATIN:
            out.append(_TO_LATIN[ch])
        elif "A" <= ch <= "Z" or ch in " -":
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch)[:1]
            out.append(base if "A" <= base <= "Z" else "")
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """A best Cyrillic guess for a Latin (MRZ) name, in the Tajik alphabet.

    Title case per word (МАДИНА → Мадина). Ambiguities resolve to the Tajik reading: H → Ҳ,
    Q → Қ, J → Ҷ, GH → Ғ; E at the start of a word → Э; Y not before a vowel → Й; ICAO's IA and
    IU are Я and Ю only at the start of a word or after a vowel or I (IULIIA → Юлия), since after
    a consonant they are more often two letters (MARIA → Мариа).
    """
    words = []
    for word in re.split(r"([\s\-]+)", text.upper()):
        if not word or not word[0].isalpha():
            words.append(word)
            continue
        cyr = _word_to_cyrillic(word)
        if cyr.startswith("Е") and not word.startswith(("YE", "IE")):
            cyr = "Э" + cyr[1:]
        words.append(cyr[:1] + cyr[1:].lower())
    return "".join(words)


def _word_to_cyrillic(word: str) -> str:
    out, i = [], 0
    while i < len(word):
        match = _LATIN_TOKEN.match(word, i)
        if match is None:  # not a Latin letter: keep it
            out.append(word[i])
            i += 1
            continue
        token = match.group(0)
        if token in ("IA", "IU") and i > 0 and word[i - 1] not in "AEIOUY":
            token = "I"
        out.append(_CYRILLIC_OF[token])
        i += len(token)
    return "".join(out)
