"""Building crossings for the report tests through the real write path (create_crossing)."""

import itertools
from datetime import date

from safar.crossings.services import create_crossing

_cards = itertools.count(1)


def cross(
    direction: str,
    day: date | str,
    *,
    who: str = "P1",
    citizenship: str = "TJK",
    birth: date | str = date(1990, 6, 15),
    sex: str = "M",
    border_point: str = "DYU",
    purpose: str = "work",
    country: str = "RUS",
    region: str | None = "TJ-DU",
    user=None,
):
    """Store one card of traveller `who` (their passport number); returns the crossing."""
    as_date = lambda d: date.fromisoformat(d) if isinstance(d, str) else d  # noqa: E731
    return create_crossing(
        user=user,
        data={
            "card_number": f"T{next(_cards):09d}",
            "direction": direction,
            "crossed_on": as_date(day),
            "border_point": border_point,
            "citizenship": citizenship,
            "passport_number": who,
            "birth_date": as_date(birth),
            "sex": sex,
            "purpose": purpose,
            "country": country,
            "region": region if citizenship == "TJK" else None,
        },
    )


def d(text: str) -> date:
    return date.fromisoformat(text)
