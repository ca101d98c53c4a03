"""The stay calculator and ban self-check: plain Python, no Django, every number from a RuleBook.

How days are judged (see docs/guidance.md for the worked examples):
- A day in Russia is *counted* unless a permit (patent, …) covers it; the entry and exit days are
  days in Russia. A day on which one stay ends and the next begins is one day.
- Each counted day is judged by the stay limits in force on *that* day. It is *over* when any limit
  is exceeded counting that day: the counted days in the rolling window ending on it (90/180), in
  its calendar year up to it, or in the unbroken run of counted days ending on it.
- So a stay across the rule change is judged day by day: days before the change by the 90/180
  window, days from the change by the calendar-year and consecutive limits. The consecutive run
  does not restart at the change date (the person did not leave), while the calendar-year count
  is the year's own.
- A stay's overstay days are its over days. Bans follow from the rules in force on the day of the
  event (exit, removal, decision).
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from .case import Case
from .rules import (
    CALENDAR_YEAR,
    CONSECUTIVE,
    CONVICTION,
    OFFENCES_1Y,
    OFFENCES_3Y,
    OVERSTAY,
    REMOVAL,
    REPEAT_REMOVAL,
    ROLLING,
    RuleBook,
    StayLimit,
)

ONE_DAY = timedelta(days=1)
# How far ahead the last lawful day of a stay still going on is looked for.
PROJECTION_DAYS = 3 * 366


def add_years(start: date, years: int) -> date:
    """The same day and month `years` later (or earlier); 29 February becomes 1 March."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


@dataclass(frozen=True)
class Ban:
    ground: str
    basis: str
    mandatory: bool
    starts_on: date
    ends_on: date | None  # the day entry is possible again; None: no end date known
    years: int | None

    def active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)

    def as_json(self) -> dict:
        return {
            "ground": self.ground,
            "basis": self.basis,
            "mandatory": self.mandatory,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "years": self.years,
        }


@dataclass(frozen=True)
class Day:
    """One day of a stay as the calculator shows it."""

    day: date
    counted: bool  # False: a permit covers it
    used: int  # days used under the tightest limit in force that day
    left: int  # days still allowed under that limit (never below 0)
    over: bool


@dataclass(frozen=True)
class StayResult:
    entry: date
    exit: date | None
    days: int
    overstay_days: int
    last_lawful_day: date | None  # None: no limit reached within the projection horizon
    days_list: tuple[Day, ...] = field(default=(), compare=False, repr=False)

    @property
    def ongoing(self) -> bool:
        return self.exit is None

    def as_json(self) -> dict:
        return {
            "entry": self.entry.isoformat(),
            "exit": self.exit.isoformat() if self.exit else None,
            "days": self.days,
            "overstay_days": self.overstay_days,
        }


@dataclass(frozen=True)
class Result:
    as_of: date
    entry_possible_from: date | None
    bans: tuple[Ban, ...]
    stays: tuple[StayResult, ...]

    def active_bans(self) -> tuple[Ban, ...]:
        return tuple(b for b in self.bans if b.active_on(self.as_of) or b.starts_on > self.as_of)


class Timeline:
    """Counted days of presence and the counters every stay limit needs, by ordinal day."""

    def __init__(self, case: Case, rules: RuleBook, *, open_until: date):
        self.rules = rules
        present: set[int] = set()
        for stay in case.stays:
            end = stay.exit or open_until
            present.update(range(stay.entry.toordinal(), end.toordinal() + 1))
        covers = _merge((p.start.toordinal(), p.end.toordinal()) for p in case.permits)
        starts = [start for start, _end in covers]
        self.counted = [d for d in sorted(present) if not _covered(d, covers, starts)]
        self._counted_set = set(self.counted)
        self._run: dict[int, int] = {}
        previous, run = None, 0
        for d in self.counted:
            run = run + 1 if previous == d - 1 else 1
            self._run[d] = run
            previous = d

    def _count_between(self, first: int, last: int) -> int:
        return bisect_right(self.counted, last) - bisect_left(self.counted, first)

    def used(self, limit: StayLimit, day: date) -> int:
        d = day.toordinal()
        if limit.kind == ROLLING:
            return self._count_between(d - (limit.window_days or 0) + 1, d)
        if limit.kind == CALENDAR_YEAR:
            return self._count_between(date(day.year, 1, 1).toordinal(), d)
        if limit.kind == CONSECUTIVE:
            return self._run.get(d, 0)
        raise ValueError(f"unknown stay limit kind {limit.kind!r}")

    def day(self, day: date) -> Day:
        counted = day.toordinal() in self._counted_set
        margins = [
            (limit.max_days - self.used(limit, day), limit) for limit in self.rules.limits_on(day)
        ]
        margin, limit = min(margins, key=lambda pair: pair[0])
        return Day(
            day, counted, limit.max_days - margin, max(margin, 0), over=counted and margin < 0
        )


def _merge(intervals) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _covered(day: int, covers: list[tuple[int, int]], starts: list[int]) -> bool:
    index = bisect_right(starts, day) - 1
    return index >= 0 and covers[index][1] >= day


def _dates(first: date, last: date):
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


def evaluate_stays(case: Case, rules: RuleBook) -> tuple[StayResult, ...]:
    """Each stay in date order with its length, overstay days, day list and last lawful day."""
    timeline = Timeline(case, rules, open_until=case.as_of)
    results, judged = [], set()
    for stay in sorted(case.stays, key=lambda s: s.entry):
        end = stay.exit or case.as_of
        days = tuple(timeline.day(d) for d in _dates(stay.entry, end))
        # A day shared with the previous stay (exit and re-entry the same day) belongs to it.
        over = [d.day for d in days if d.over and d.day not in judged]
        judged.update(d.day for d in days)
        overstay, first_over = len(over), (over[0] if over else None)
        if first_over is not None:
            last_lawful = first_over - ONE_DAY
        elif stay.exit is not None:
            last_lawful = stay.exit
        else:
            last_lawful = _project_last_lawful_day(case, rules)
        results.append(StayResult(stay.entry, stay.exit, len(days), overstay, last_lawful, days))
    return tuple(results)


def _project_last_lawful_day(case: Case, rules: RuleBook) -> date | None:
    """For a stay still going on: the last day before the first day over a limit, assuming the
    person stays on and gets no new permit; None when no limit is reached within the horizon."""
    horizon = case.as_of + timedelta(days=PROJECTION_DAYS)
    timeline = Timeline(case, rules, open_until=horizon)
    for day in _dates(case.as_of + ONE_DAY, horizon):
        if timeline.day(day).over:
            return day - ONE_DAY
    return None


def overstay_bans(stays, rules: RuleBook) -> list[Ban]:
    bans = []
    for stay in stays:
        if stay.exit is None or stay.overstay_days == 0:
            continue  # the ban starts from departure: a stay still going on has none yet
        tiers = [r for r in rules.bans_on(OVERSTAY, stay.exit) if stay.overstay_days > r.threshold]
        if tiers:
            rule = max(tiers, key=lambda r: r.threshold)
            bans.append(_ban(rule, stay.exit))
    return bans


def removal_bans(case: Case, rules: RuleBook) -> list[Ban]:
    bans = []
    for index, removal in enumerate(sorted(case.removals, key=lambda m: m.on)):
        ground = REMOVAL if index == 0 else REPEAT_REMOVAL
        bans.extend(_ban(rule, removal.on) for rule in rules.bans_on(ground, removal.on))
    return bans


def offence_bans(case: Case, rules: RuleBook) -> list[Ban]:
    """A ban from each decision that completes a series: with it, at least `threshold` offences
    of the rule's kinds were decided within `window_years` (later < earlier + window_years)."""
    bans = []
    for offence in case.offences:
        for ground in (OFFENCES_3Y, OFFENCES_1Y):
            for rule in rules.bans_on(ground, offence.decided_on):
                kinds = rule.offence_kinds
                if kinds and offence.kind not in kinds:
                    continue
                since = add_years(offence.decided_on, -(rule.window_years or 0))
                series = [
                    o
                    for o in case.offences
                    if (not kinds or o.kind in kinds) and since < o.decided_on <= offence.decided_on
                ]
                if len(series) >= rule.threshold:
                    bans.append(_ban(rule, offence.decided_on))
    return bans


def conviction_bans(case: Case, rules: RuleBook) -> list[Ban]:
    bans = []
    for conviction in case.convictions:
        if conviction.expunged_on is not None and conviction.expunged_on <= conviction.on:
            continue
        for rule in rules.bans_on(CONVICTION, conviction.on):
            bans.append(
                Ban(
                    CONVICTION,
                    rule.basis,
                    rule.mandatory,
                    conviction.on,
                    conviction.expunged_on,
                    None,
                )
            )
    return bans


def _ban(rule, start: date) -> Ban:
    end = add_years(start, rule.years) if rule.years is not None else None
    return Ban(rule.ground, rule.basis, rule.mandatory, start, end, rule.years)


def check(case: Case, rules: RuleBook) -> Result:
    """Judge the stays, list every ban that follows, and the first day entry is possible."""
    stays = evaluate_stays(case, rules)
    found = (
        overstay_bans(stays, rules)
        + removal_bans(case, rules)
        + offence_bans(case, rules)
        + conviction_bans(case, rules)
    )
    bans = sorted(set(found), key=lambda b: (b.starts_on, b.ground, b.ends_on or date.max))
    mandatory = [b for b in bans if b.mandatory]
    if any(b.ends_on is None for b in mandatory):
        entry = None
    else:
        entry = max([case.as_of, *(b.ends_on for b in mandatory)])
    return Result(case.as_of, entry, tuple(bans), stays)
