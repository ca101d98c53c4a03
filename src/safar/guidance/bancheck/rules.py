"""The law as data: stay limits and entry-ban rules, each with the date it took effect.

The engine never hard-codes a number from the law: it asks a `RuleBook` which rules were in force
on a given day. `DEFAULT_RULES` mirrors the rows the guidance app's data migration loads; in the
web app and the CLI the rule book is built from the database, where administrators correct it.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

# Kinds of stay limit.
ROLLING = "rolling"  # at most max_days in any window_days-long window
CALENDAR_YEAR = "calendar_year"  # at most max_days in one calendar year
CONSECUTIVE = "consecutive"  # at most max_days in a row

# Ban grounds (the names the JSON answer uses).
OVERSTAY = "overstay"
REMOVAL = "removal"
REPEAT_REMOVAL = "repeat_removal"
OFFENCES_3Y = "offences_3y"
OFFENCES_1Y = "offences_1y"
CONVICTION = "conviction"
GROUNDS = (OVERSTAY, REMOVAL, REPEAT_REMOVAL, OFFENCES_3Y, OFFENCES_1Y, CONVICTION)

OFFENCE_KINDS = ("migration", "public_order", "traffic", "other")
REMOVAL_KINDS = ("expulsion", "deportation", "readmission")
PERMIT_KINDS = (
    "patent",
    "work_permit",
    "temporary_residence",
    "residence_permit",
    "study",
    "other",
)


@dataclass(frozen=True)
class StayLimit:
    """One limit on the length of a visa-free stay, in force from `effective_from`."""

    effective_from: date
    kind: str
    max_days: int
    basis: str
    window_days: int | None = None  # only for ROLLING


@dataclass(frozen=True)
class BanRule:
    """One rule that closes entry, in force from `effective_from`.

    `threshold` means: overstay — more than this many days; offences — at least this many
    offences (of `offence_kinds`, all kinds when empty) within `window_years`. `years` is None for
    a ban that lasts until an event (a conviction is expunged).
    """

    ground: str
    effective_from: date
    years: int | None
    mandatory: bool
    basis: str
    threshold: int = 0
    window_years: int | None = None
    offence_kinds: frozenset[str] = field(default_factory=frozenset)


def _versions(rows, key):
    """Group rows by `key` and then by effective date: {key: (sorted dates, {date: rows})}."""
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(key(row), {}).setdefault(row.effective_from, []).append(row)
    return {
        k: (sorted(by_date), {d: tuple(r) for d, r in by_date.items()})
        for k, by_date in grouped.items()
    }


class RuleBook:
    """Answers "which rules were in force on this day?".

    The rules of one kind in force on a day are all rows sharing the latest effective date on or
    before that day: a change of the law is entered as a complete new set of rows with the new
    date, and the old rows stay for the days before it. Days before the first recorded date use the
    earliest rows (the tool does not model older law).
    """

    def __init__(self, stay_limits, ban_rules):
        self.stay_limits = tuple(stay_limits)
        self.ban_rules = tuple(ban_rules)
        if not self.stay_limits:
            raise ValueError("a rule book needs at least one stay limit")
        self._limits = _versions(self.stay_limits, key=lambda _row: "stay")["stay"]
        self._bans = _versions(self.ban_rules, key=lambda row: row.ground)

    @staticmethod
    def _in_force(versions, day: date):
        dates, rows = versions
        index = bisect_right(dates, day) - 1
        return rows[dates[max(index, 0)]]

    def limits_on(self, day: date) -> tuple[StayLimit, ...]:
        return self._in_force(self._limits, day)

    def bans_on(self, ground: str, day: date) -> tuple[BanRule, ...]:
        if ground not in self._bans:
            return ()
        return self._in_force(self._bans[ground], day)

    def limit_change_dates(self) -> list[date]:
        return list(self._limits[0])

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, RuleBook)
            and set(self.stay_limits) == set(other.stay_limits)
            and set(self.ban_rules) == set(other.ban_rules)
        )

    __hash__ = None


# The date the 2024 amendments to 115-FZ art. 5 (Federal Law 260-FZ of 08.08.2024) are applied
# from. Sources disagree between 1 January and 5 February 2025; administrators may change it.
STAY_RULE_CHANGE = date(2025, 1, 1)
_OLD = date(2014, 1, 1)  # 90/180 wording and the art. 27 overstay items, as applied since 2014
_MIGRATION_AND_ORDER = frozenset({"migration", "public_order"})

DEFAULT_RULES = RuleBook(
    stay_limits=[
        StayLimit(_OLD, ROLLING, 90, "115-FZ art. 5(1)", window_days=180),
        StayLimit(STAY_RULE_CHANGE, CALENDAR_YEAR, 90, "115-FZ art. 5(1) (as amended by 260-FZ)"),
        StayLimit(STAY_RULE_CHANGE, CONSECUTIVE, 90, "115-FZ art. 5(1) (as amended by 260-FZ)"),
    ],
    ban_rules=[
        BanRule(OVERSTAY, _OLD, 3, True, "114-FZ art. 27(1)(12)", threshold=30),
        BanRule(OVERSTAY, _OLD, 5, True, "114-FZ art. 27(1)(13)", threshold=180),
        BanRule(OVERSTAY, _OLD, 10, True, "114-FZ art. 27(1)(14)", threshold=270),
        BanRule(REMOVAL, _OLD, 5, True, "114-FZ art. 27(1)(2), (3)"),
        BanRule(REPEAT_REMOVAL, _OLD, 10, True, "114-FZ art. 27(1)(2.1)"),
        BanRule(OFFENCES_3Y, _OLD, 3, False, "114-FZ art. 26(4)", threshold=2, window_years=3),
        BanRule(
            OFFENCES_1Y,
            _OLD,
            5,
            True,
            "114-FZ art. 27(1)(11)",
            threshold=2,
            window_years=1,
            offence_kinds=_MIGRATION_AND_ORDER,
        ),
        BanRule(CONVICTION, _OLD, None, True, "114-FZ art. 27(1)(5)"),
    ],
)
