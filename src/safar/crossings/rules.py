"""The registry's rules for one crossing, in one place.

Every way a crossing enters the registry asks these functions: the service
(`safar.crossings.services`, which the hand-entry form, the review queue and the scan pipeline
write through), the form itself (to put each error beside its field), and both paths of the CSV
import (`importer._Checker`: the fast path's inline tests are these rules written out, and a
property test holds them to the same answers).

The functions are pure: they take clean values (codes as text, dates as `date`) and the day
that counts as today, and return refusals by field. Unknown codes, missing values and field
lengths are the callers' business (the form's fields, the model's `full_clean`, the importer's
code sets); what is here are the rules those do not know.

Decisions (see docs/registry.md):

* A card number is stored upper-case, Latin letters and digits only: spaces and dashes are
  separators and are dropped, so `im-000 0001`, `IM0000001` and `im0000001` are one card. At
  least one letter or digit, at most 16. The database checks the stored form too.
* A crossing is dated neither after today nor before `SAFAR_EARLIEST_CROSSING` (1991-01-01).
* The date of birth is strictly before the date of crossing (a person crosses the day after
  their birth at the earliest), and not before 1900-01-01.
* Region and district of residence are for citizens of Tajikistan only, and a district must lie
  in the region given.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

CITIZEN_COUNTRY = "TJK"
CARD_NUMBER_MAX = 16
PASSPORT_NUMBER_MAX = 20
# The stored forms; the import's fast path matches these (anything else takes the slow path).
CARD_NUMBER_RE = re.compile(r"[A-Z0-9]{1,16}")
PASSPORT_NUMBER_RE = re.compile(r"[A-Z0-9]{1,20}")
# Nobody alive crossed a border before this birth date; the database refuses earlier ones.
EARLIEST_BIRTH = date(1900, 1, 1)
# The database's own floor for a date of crossing; SAFAR_EARLIEST_CROSSING cannot go below it.
EARLIEST_CROSSING_FLOOR = date(1900, 1, 1)

_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Refusal:
    """Why a value is refused: `code` for programs, `message` for people (in their language),
    `reason` in English for the import's rejects file and logs. Neither text ever shows a
    passport number, a name or a date of birth."""

    code: str
    message: Any
    reason: str
    params: dict = field(default_factory=dict)


def earliest_crossing() -> date:
    """The configured first day a crossing may be dated (settings.SAFAR_EARLIEST_CROSSING)."""
    from django.conf import settings

    return settings.SAFAR_EARLIEST_CROSSING


def normalise_card_number(text: str) -> str:
    """One spelling per card: upper case, without spaces or dashes (`im-000 0001` → IM0000001)."""
    return _SEPARATORS.sub("", text or "").upper()


def normalise_passport_number(text: str) -> str:
    """One spelling per passport: upper case, no spaces (keys the traveller's identity)."""
    return "".join((text or "").split()).upper()


def normalise_name(text: str) -> str:
    """Names as the card writes them: capitals, single spaces."""
    return " ".join((text or "").split()).upper()


def card_number_refusal(number: str) -> Refusal | None:
    """What is wrong with a normalised card number, or None."""
    if CARD_NUMBER_RE.fullmatch(number):
        return None
    if not number:
        return Refusal(
            "card_number_blank",
            _("A card number needs at least one letter or digit."),
            "no letter or digit",
        )
    if len(number) > CARD_NUMBER_MAX:
        return Refusal(
            "card_number_length",
            _("A card number has at most %(max)d letters and digits."),
            f"more than {CARD_NUMBER_MAX} letters and digits",
            {"max": CARD_NUMBER_MAX},
        )
    return Refusal(
        "card_number_characters",
        _("A card number has Latin letters and digits only."),
        "Latin letters and digits only",
    )


def passport_number_refusal(number: str) -> Refusal | None:
    """What is wrong with a normalised passport number, or None."""
    if PASSPORT_NUMBER_RE.fullmatch(number):
        return None
    return Refusal(
        "passport_format",
        _("A passport number has 1 to %(max)d Latin letters and digits."),
        f"1 to {PASSPORT_NUMBER_MAX} letters or digits",
        {"max": PASSPORT_NUMBER_MAX},
    )


def crossing_date_refusal(day: date, *, today: date, earliest: date) -> Refusal | None:
    """A crossing is dated neither after `today` nor before `earliest`."""
    if day > today:
        return Refusal(
            "future", _("The date of crossing cannot be in the future."), f"{day} is in the future"
        )
    if day < earliest:
        return Refusal(
            "too_early",
            _("The date of crossing cannot be before %(date)s."),
            f"{day} is before {earliest}",
            {"date": earliest.isoformat()},
        )
    return None


def birth_date_refusal(birth: date, *, crossed_on: date | None) -> Refusal | None:
    """Born strictly before the day of crossing, and not before 1900."""
    if crossed_on is not None and birth >= crossed_on:
        return Refusal(
            "birth_order",
            _("The date of birth must be before the date of crossing."),
            "on or after the date of crossing",
        )
    if birth < EARLIEST_BIRTH:
        return Refusal(
            "birth_too_early",
            _("The date of birth cannot be before %(date)s."),
            f"before {EARLIEST_BIRTH}",
            {"date": EARLIEST_BIRTH.isoformat()},
        )
    return None


def residence_refusals(
    *,
    citizenship: str | None,
    region: str | None,
    district: str | None,
    district_region: str | None = None,
) -> dict[str, Refusal]:
    """Region and district are for citizens only; a district lies in the region given.

    `district_region` is the region the district belongs to (looked up by the caller).
    """
    refused: dict[str, Refusal] = {}
    if citizenship is not None and citizenship != CITIZEN_COUNTRY:
        not_citizen = Refusal(
            "not_citizen",
            _("Region and district of residence are only for citizens of Tajikistan."),
            f"only for citizens of {CITIZEN_COUNTRY}, not {citizenship}",
        )
        if region:
            refused["region"] = not_citizen
        if district:
            refused["district"] = not_citizen
    elif district and region and district_region is not None and district_region != region:
        refused["district"] = Refusal(
            "wrong_region",
            _("District %(district)s is not in region %(region)s."),
            f"{district} is not in region {region}",
            {"district": district, "region": region},
        )
    return refused


def refusals(
    values: Mapping[str, Any],
    *,
    today: date,
    earliest: date,
    district_region: str | None = None,
) -> dict[str, Refusal]:
    """Every rule over one crossing's clean values (card and passport numbers normalised):
    field → refusal, empty when all hold. Missing values (None) are left to the callers."""
    refused: dict[str, Refusal] = {}
    card = values.get("card_number")
    if card is not None and (problem := card_number_refusal(card)):
        refused["card_number"] = problem
    passport = values.get("passport_number")
    if passport is not None and (problem := passport_number_refusal(passport)):
        refused["passport_number"] = problem
    crossed_on = values.get("crossed_on")
    if crossed_on is not None and (
        problem := crossing_date_refusal(crossed_on, today=today, earliest=earliest)
    ):
        refused["crossed_on"] = problem
    birth = values.get("birth_date")
    if birth is not None and (problem := birth_date_refusal(birth, crossed_on=crossed_on)):
        refused["birth_date"] = problem
    refused.update(
        residence_refusals(
            citizenship=values.get("citizenship"),
            region=values.get("region"),
            district=values.get("district"),
            district_region=district_region,
        )
    )
    return refused
