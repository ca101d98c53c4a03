"""Search text normalised the same way on every database: lower case, one letter per sound.

Tajik and Russian Cyrillic differ in a few letters (ғ/г, ӣ/и, қ/к, ӯ/у, ҳ/х, ҷ/ч) and people type
the Russian letter on a Russian keyboard; ё is usually typed as е. Folding them lets "қонун" find
"конун" and "ҳуҷҷат" find "хуччат", with a plain LIKE that SQLite and PostgreSQL both run.

Russian and Tajik change a word's ending (регистрация, регистрации; ҳуҷҷат, ҳуҷҷатҳо, ҳуҷҷатҳоро).
A query word loses its common ending (`stem`), so what is searched is the stem, which every form of
the word in the stored text contains. Stemming the query alone is enough for a LIKE '%stem%', and
keeps the stored column (and its migration) as it is.
"""

import re

FOLD = str.maketrans(
    {
        "ғ": "г",
        "ӣ": "и",
        "қ": "к",
        "ӯ": "у",
        "ҳ": "х",
        "ҷ": "ч",
        "ё": "е",
        "й": "и",
        "ъ": "",
        "ь": "",
    }
)
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower-case, fold the letters above, keep words separated by single spaces."""
    return " ".join(WORD.findall(text.casefold().translate(FOLD)))


# Common endings of Russian and Tajik words, already folded (й→и, ё→е, ь/ъ dropped, ҳ→х…):
# Russian case, number and adjective endings; Tajik plurals (-ҳо, -он, -ён), the object marker
# -ро, the izofat -и / -ӣ, the plural possessives (-амон, -атон, -ашон; not -ат and -аш, which
# end too many stems) and -е.
ENDINGS = tuple(
    sorted(
        {
            # Russian
            *"а я о е ы и у ю".split(),
            *"ам ям ах ях ом ем ов ев еи ои ыи ии ая яя ое ее ые ие ых их ую юю ия ию ие".split(),
            *"ами ями ого его ому ему ыми ими иеи иям иях ием иям ова ева".split(),
            # Tajik
            *"хо хои хоро хоям хоят хояш он они онро ен ро амон атон ашон ои".split(),
        },
        key=len,
        reverse=True,
    )
)
CYRILLIC = re.compile(r"^[а-я]+$")
MIN_STEM = 3


def stem(word: str) -> str:
    """`word` (normalised) without its longest common Russian or Tajik ending, if at least
    three letters remain; Latin words and numbers are kept as they are."""
    if not CYRILLIC.match(word):
        return word
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def query_words(query: str, *, limit: int = 8) -> list[str]:
    """The stems of a search query's normalised words (short words dropped, at most `limit`)."""
    return [stem(w) for w in normalise(query).split() if len(w) >= 2][:limit]
