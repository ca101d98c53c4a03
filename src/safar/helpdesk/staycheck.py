"""The guide's stay calculator and ban self-check, used by the helpdesk: for the trips a caller
gives on an entry-ban contact, and for a client's own crossings in the registry (with consent).

Nothing is computed here: the trips go through the calculator's own parser
(`bancheck.parse_case`, the checks of the public API and form) and engine (`bancheck.check`)
under the rule book administrators keep (`current_rulebook`). This module only translates
between the helpdesk's shape ({"entered", "left"} trips, field names under `ban_check`) and the
calculator's ({"entry", "exit"} stays), and picks out the numbers a consultant reads out.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from safar.guidance import bancheck
from safar.guidance.bancheck.explain import explain
from safar.guidance.forms import PROBLEM_MESSAGES
from safar.guidance.models import current_rulebook

# The calculator's own bound on rows (bancheck.case.MAX_ROWS): a lifetime of trips fits.
MAX_TRIPS = bancheck.case.MAX_ROWS
# The rolling window the caller is asked about ("how many days in the last 180?").
WINDOW_DAYS = 180
# A check is made on the day of the call; a date this far ahead is a typing mistake.
AS_OF_AHEAD = datetime.timedelta(days=366)
# The registry's country code for Russia (an exit "to Russia" names it as its destination).
RUSSIA = "RUS"

_STAY_PATH = re.compile(r"stays\[(\d+)\]\.(entry|exit)")
_TRIP_FIELD = {"entry": "entered", "exit": "left"}


@dataclass(frozen=True)
class BanCheckInput:
    """Checked input: the trips in the helpdesk's shape and the calculator's case for them."""

    as_of: datetime.date
    trips: list[dict[str, str | None]]
    case: bancheck.Case


@dataclass(frozen=True)
class BanCheckOutcome:
    """What the calculator said, and the numbers the contact keeps (BanCheckResult's fields)."""

    result: bancheck.Result
    days_in_window: int
    overstay_days: int
    verdict: str
    ban_possible: bool
    ban_until: datetime.date | None

    def answer_json(self) -> dict:
        """The calculator's JSON answer without its texts (they are regenerated for display)."""
        answer = bancheck.result_to_json(self.result)
        answer.pop("explanation", None)
        return answer

    def explanation(self, language: str) -> str:
        return explain(self.result, language)


def clean_ban_check(
    raw: Any, *, default_as_of: datetime.date, today: datetime.date, errors: dict, prefix: str
) -> BanCheckInput | None:
    """Check `{"trips": [{"entered", "left"}], "as_of"}`; errors go into `errors` by field
    (`<prefix>.trips[0].entered`, …) and None is returned when there are any."""
    if not isinstance(raw, dict):
        errors.setdefault(prefix, []).append(_("Give the stay calculation as an object."))
        return None
    trips = raw.get("trips")
    if not isinstance(trips, list) or not trips:
        errors.setdefault(f"{prefix}.trips", []).append(
            _("Give at least one trip: the day the caller entered Russia.")
        )
        return None
    if len(trips) > MAX_TRIPS:
        errors.setdefault(f"{prefix}.trips", []).append(
            _("At most %(n)s trips.") % {"n": MAX_TRIPS}
        )
        return None
    as_of = raw.get("as_of") or default_as_of.isoformat()
    stays = []
    for index, trip in enumerate(trips):
        if not isinstance(trip, dict):
            errors.setdefault(f"{prefix}.trips[{index}]", []).append(_("Give a trip as an object."))
            trip = {}
        stays.append({"entry": trip.get("entered"), "exit": trip.get("left") or None})
    problems: list[bancheck.Problem] = []
    try:
        case = bancheck.parse_case({"as_of": as_of, "stays": stays}, today=today)
    except bancheck.InvalidCase as invalid:
        problems = invalid.problems
    for problem in problems:
        errors.setdefault(_field_name(problem.path, prefix), []).append(
            str(PROBLEM_MESSAGES.get(problem.code, problem.message))
        )
    if problems or any(name.startswith(prefix) for name in errors):
        return None
    if case.as_of > today + AS_OF_AHEAD:
        errors.setdefault(f"{prefix}.as_of", []).append(
            _("The date of the check is more than a year ahead.")
        )
        return None
    ordered = sorted(case.stays, key=lambda stay: stay.entry)
    return BanCheckInput(
        as_of=case.as_of,
        trips=[
            {"entered": s.entry.isoformat(), "left": s.exit.isoformat() if s.exit else None}
            for s in ordered
        ],
        case=case,
    )


def _field_name(path: str, prefix: str) -> str:
    """The calculator's field path as the helpdesk names it: stays[1].exit → trips[1].left."""
    match = _STAY_PATH.fullmatch(path)
    if match:
        return f"{prefix}.trips[{match[1]}].{_TRIP_FIELD[match[2]]}"
    if path.startswith("stays"):
        return f"{prefix}.trips"
    return f"{prefix}.{path}" if path else prefix


def run_ban_check(case: bancheck.Case) -> BanCheckOutcome:
    """Run the calculator on the case under the current rule book and pick out the numbers."""
    result = bancheck.check(case, current_rulebook())
    first_in_window = result.as_of - datetime.timedelta(days=WINDOW_DAYS - 1)
    # A day shared by an exit and the next entry is one day in Russia.
    days = {
        day.day
        for stay in result.stays
        for day in stay.days_list
        if day.counted and first_in_window <= day.day <= result.as_of
    }
    bans = list(result.active_bans())
    if result.current is not None and result.current.ban_if_leaving_now is not None:
        bans.append(result.current.ban_if_leaving_now)
    ends = [ban.ends_on for ban in bans if ban.ends_on is not None]
    return BanCheckOutcome(
        result=result,
        days_in_window=len(days),
        overstay_days=sum(stay.overstay_days for stay in result.stays),
        verdict=result.verdict,
        ban_possible=bool(bans),
        ban_until=max(ends) if ends else None,
    )


def trips_from_crossings(crossings: Iterable[Any]) -> tuple[list[dict[str, str | None]], int]:
    """A client's trips to Russia from their crossings in the registry, in date order: each exit
    towards Russia and the first entry after it (the trip still going on when none came yet).

    The registry knows when the client left and came back to Tajikistan, not the Russian border
    dates, so the travel days count as days in Russia (the calculator's answer is on the safe
    side). An exit to Russia followed by another exit (a card missing) cannot be paired: it is
    left out and counted in the second value, for the consultant to ask the client."""
    trips: list[dict[str, str | None]] = []
    unpaired = 0
    open_since: datetime.date | None = None
    for crossing in crossings:
        if crossing.direction == "exit":
            if open_since is not None:
                unpaired += 1
            to_russia = crossing.country_id == RUSSIA
            open_since = crossing.crossed_on if to_russia else None
        elif open_since is not None:
            trips.append(
                {"entered": open_since.isoformat(), "left": crossing.crossed_on.isoformat()}
            )
            open_since = None
    if open_since is not None:
        trips.append({"entered": open_since.isoformat(), "left": None})
    return trips, unpaired
