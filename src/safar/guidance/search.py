"""Search text normalised the same way on every database: lower case, one letter per sound.

Tajik and Russian Cyrillic differ in a few letters (ғ/г, ӣ/и, қ/к, ӯ/у, ҳ/х, ҷ/ч) and people type
the Russian letter on a Russian keyboard; ё is usually typed as е. Folding them lets "қонун" find
"конун" and "ҳуҷҷат" find "хуччат", with a plain LIKE that SQLite and PostgreSQL both run.
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


def query_words(query: str, *, limit: int = 8) -> list[str]:
    """The normalised words of a search query (short words dropped, at most `limit`)."""
    return [w for w in normalise(query).split() if len(w) >= 2][:limit]
