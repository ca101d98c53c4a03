"""The stay calculator and ban self-check: plain Python, no Django, every number from a RuleBook.

How days are judged (see docs/guidance.md for the worked examples):
- A day in Russia is *counted* unless a permit (patent, …) covers it; the entry and exit days are
  days in Russia. A day on which one stay ends and the next begins is one day.
- Each counted day is judged by the stay limits in force on *that* day. It is *over* when any limit
  is exceeded counting that day: the counted days in the rolling window ending on it (90/180), in
  its calendar year up to it, or in the unbroken run of counted days of its stay ending on it.
- A departure ends a continuous stay (115-FZ art. 5(1) limits "the continuous period of stay"):
  the run of a stay starts on its entry day, even when the person left the day before or the same
  day. The rolling window and the calendar-year total still count the days of every stay.
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
    limit: StayLimit | None = field(default=None, compare=False, repr=False)  # the tightest one


@dataclass(frozen=True)
class StayResult:
    entry: date
    exit: date | None
    days: int
    overstay_days: int
    last_lawful_day: date | None  # None: no limit reached within the projection horizon
    days_list: tuple[Day, ...] = field(default=(), compare=False, repr=False)
    # The limit the stay went over (or, for a stay going on, will go over first); None: none.
    binding_limit: StayLimit | None = field(default=None, compare=False, repr=False)

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
class CurrentStay:
    """For a stay still going on on as_of: the days left, or what leaving now and later brings.

    An overstay ban runs from the day of departure, so it does not exist yet while the person is
    still in Russia; but leaving on as_of would bring `ban_if_leaving_now`, and every further day
    moves its end a day later, until on `next_ban.starts_on` leaving brings the longer `next_ban`.
    """

    last_lawful_day: date | None  # None: no limit reached within the projection horizon
    days_left: int | None  # lawful days after as_of; None when over the limit or none reached
    overstay_days: int
    ban_if_leaving_now: Ban | None
    next_ban: Ban | None  # the ban leaving on its starts_on brings: the next tier up

    def as_json(self) -> dict:
        return {
            "last_lawful_day": _iso(self.last_lawful_day),
            "days_left": self.days_left,
            "overstay_days": self.overstay_days,
            "ban_if_leaving_now": (
                self.ban_if_leaving_now.as_json() if self.ban_if_leaving_now else None
            ),
            "next_ban": self.next_ban.as_json() if self.next_ban else None,
        }


class Verdict:
    """What the answer comes to, in one word (the page's headline and its colour follow it)."""

    BAN_ON_LEAVING = "ban_on_leaving"  # in Russia beyond the limit: leaving now brings a ban
    OVERSTAY = "overstay"  # in Russia beyond the limit: a ban follows if the person stays on
    CLOSED = "closed"  # a mandatory ban with no known end
    BANNED = "banned"  # a mandatory ban in force: entry possible from a later date
    MAY_BE_REFUSED = "may_be_refused"  # only a discretionary ban in force
    WITHIN_LIMIT = "within_limit"  # in Russia, lawfully, with days left
    NO_BAN = "no_ban"


@dataclass(frozen=True)
class Result:
    as_of: date
    entry_possible_from: date | None
    bans: tuple[Ban, ...]
    stays: tuple[StayResult, ...]
    current: CurrentStay | None = None

    def active_bans(self) -> tuple[Ban, ...]:
        return tuple(b for b in self.bans if b.active_on(self.as_of) or b.starts_on > self.as_of)

    @property
    def verdict(self) -> str:
        current = self.current
        if current is not None and current.ban_if_leaving_now is not None:
            return Verdict.BAN_ON_LEAVING
        if current is not None and current.overstay_days:
            return Verdict.OVERSTAY
        if self.entry_possible_from is None:
            return Verdict.CLOSED
        if self.entry_possible_from > self.as_of:
            return Verdict.BANNED
        if any(b.active_on(self.as_of) for b in self.bans):
            return Verdict.MAY_BE_REFUSED
        if current is not None:
            return Verdict.WITHIN_LIMIT
        return Verdict.NO_BAN


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


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

    def used(self, limit: StayLimit, day: date, *, stay_entry: date) -> int:
        """Days used under `limit` counting `day`, a day of the stay that began on `stay_entry`."""
        d = day.toordinal()
        if limit.kind == ROLLING:
            return self._count_between(d - (limit.window_days or 0) + 1, d)
        if limit.kind == CALENDAR_YEAR:
            return self._count_between(date(day.year, 1, 1).toordinal(), d)
        if limit.kind == CONSECUTIVE:
            # The run of counted days, but not from before the stay's entry: a departure ends it.
            return min(self._run.get(d, 0), d - stay_entry.toordinal() + 1)
        raise ValueError(f"unknown stay limit kind {limit.kind!r}")

    def day(self, day: date, *, stay_entry: date) -> Day:
        counted = day.toordinal() in self._counted_set
        margins = [
            (limit.max_days - self.used(limit, day, stay_entry=stay_entry), limit)
            for limit in self.rules.limits_on(day)
        ]
        margin, limit = min(margins, key=lambda pair: pair[0])
        return Day(
            day,
            counted,
            limit.max_days - margin,
            max(margin, 0),
            over=counted and margin < 0,
            limit=limit,
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
        days = tuple(timeline.day(d, stay_entry=stay.entry) for d in _dates(stay.entry, end))
        # A day shared with the previous stay (exit and re-entry the same day) belongs to it.
        over = [d for d in days if d.over and d.day not in judged]
        judged.update(d.day for d in days)
        overstay, first_over = len(over), (over[0] if over else None)
        binding = first_over.limit if first_over else None
        if first_over is not None:
            last_lawful = first_over.day - ONE_DAY
        elif stay.exit is not None:
            last_lawful = stay.exit
        else:
            projected = _project_first_over_day(case, rules, stay.entry)
            last_lawful = projected.day - ONE_DAY if projected else None
            binding = projected.limit if projected else None
        results.append(
            StayResult(stay.entry, stay.exit, len(days), overstay, last_lawful, days, binding)
        )
    return tuple(results)


def _future_days(case: Case, rules: RuleBook, stay_entry: date):
    """The days after as_of of a stay still going on, judged as if the person stays on for the
    projection horizon and gets no new permit."""
    horizon = case.as_of + timedelta(days=PROJECTION_DAYS)
    timeline = Timeline(case, rules, open_until=horizon)
    for day in _dates(case.as_of + ONE_DAY, horizon):
        yield timeline.day(day, stay_entry=stay_entry)


def _project_first_over_day(case: Case, rules: RuleBook, stay_entry: date) -> Day | None:
    """For a stay still going on: its first day over a limit after as_of; None when no limit is
    reached within the horizon."""
    return next((day for day in _future_days(case, rules, stay_entry) if day.over), None)


def _overstay_rule(rules: RuleBook, overstay_days: int, exit_: date):
    """The overstay ban rule a departure on `exit_` after `overstay_days` days over brings."""
    tiers = [r for r in rules.bans_on(OVERSTAY, exit_) if overstay_days > r.threshold]
    return max(tiers, key=lambda r: r.threshold) if tiers else None


def current_stay(case: Case, rules: RuleBook, stays) -> CurrentStay | None:
    """What the stay still going on comes to: days left, or the ban leaving now brings and the
    first day leaving brings a longer one (each day over counts towards the next tier)."""
    ongoing = next((s for s in stays if s.exit is None), None)
    if ongoing is None:
        return None
    over = ongoing.overstay_days
    now_rule = _overstay_rule(rules, over, case.as_of)
    ban_now = _ban(now_rule, case.as_of) if now_rule else None
    next_ban = None
    highest = max((r.threshold for r in rules.bans_on(OVERSTAY, case.as_of)), default=0)
    if over and (now_rule is None or now_rule.threshold < highest):
        count = over
        for day in _future_days(case, rules, ongoing.entry):
            count += int(day.over)
            rule = _overstay_rule(rules, count, day.day)
            if rule is not None and (now_rule is None or rule.threshold > now_rule.threshold):
                next_ban = _ban(rule, day.day)
                break
    days_left = None
    if not over and ongoing.last_lawful_day is not None:
        days_left = (ongoing.last_lawful_day - case.as_of).days
    return CurrentStay(ongoing.last_lawful_day, days_left, over, ban_now, next_ban)


def overstay_bans(stays, rules: RuleBook) -> list[Ban]:
    bans = []
    for stay in stays:
        if stay.exit is None or stay.overstay_days == 0:
            continue  # the ban starts from departure: a stay still going on has none yet
        rule = _overstay_rule(rules, stay.overstay_days, stay.exit)
        if rule is not None:
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
    return Result(case.as_of, entry, tuple(bans), stays, current_stay(case, rules, stays))
