"""The facts of one person's case, and their validation from JSON.

Validation happens here, once, for the API, the CLI and the web form: every problem is reported
with the path of the field (`stays[1].exit`), a stable code the web form translates, and an
English message for the JSON answer.
"""

from dataclasses import dataclass
from datetime import date

from safar.core.dates import parse_iso_date

from .rules import OFFENCE_KINDS, PERMIT_KINDS, REMOVAL_KINDS

EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)
MAX_ROWS = 200  # per list; a lifetime of travel fits easily, and it bounds the work per request


@dataclass(frozen=True)
class Stay:
    entry: date
    exit: date | None  # None: still in Russia on as_of


@dataclass(frozen=True)
class Permit:
    kind: str
    start: date
    end: date


@dataclass(frozen=True)
class Offence:
    decided_on: date
    kind: str


@dataclass(frozen=True)
class Removal:
    on: date
    kind: str


@dataclass(frozen=True)
class Conviction:
    on: date
    expunged_on: date | None  # None: not expunged and no date known


@dataclass(frozen=True)
class Case:
    as_of: date
    stays: tuple[Stay, ...] = ()
    permits: tuple[Permit, ...] = ()
    offences: tuple[Offence, ...] = ()
    removals: tuple[Removal, ...] = ()
    convictions: tuple[Conviction, ...] = ()

    def without_stay(self, index: int) -> "Case":
        stays = self.stays[:index] + self.stays[index + 1 :]
        return Case(self.as_of, stays, self.permits, self.offences, self.removals, self.convictions)


@dataclass(frozen=True)
class Problem:
    path: str
    code: str
    message: str

    def as_json(self) -> dict:
        return {"field": self.path, "code": self.code, "message": self.message}


class InvalidCase(ValueError):
    """The input cannot be checked; `problems` names every field that is wrong."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))


class _Reader:
    """Collects problems while reading, so one answer lists all of them."""

    def __init__(self):
        self.problems: list[Problem] = []

    def fail(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))

    def date(self, obj: dict, key: str, path: str, *, required: bool = True):
        raw = obj.get(key)
        where = f"{path}.{key}" if path else key
        if raw is None:
            if required:
                self.fail(where, "required", "This field is required (a date as YYYY-MM-DD).")
            return None
        if not isinstance(raw, str) or len(raw) != 10:
            self.fail(where, "invalid_date", f"Expected a date as YYYY-MM-DD, got {raw!r}.")
            return None
        try:
            value = parse_iso_date(raw)
        except ValueError:
            self.fail(where, "invalid_date", f"{raw!r} is not a real date (YYYY-MM-DD).")
            return None
        if not EARLIEST <= value <= LATEST:
            self.fail(where, "out_of_range", f"{raw} is outside {EARLIEST}…{LATEST}.")
            return None
        return value

    def choice(self, obj: dict, key: str, path: str, choices) -> str | None:
        raw = obj.get(key)
        if raw not in choices:
            self.fail(
                f"{path}.{key}",
                "invalid_choice",
                f"Expected one of {', '.join(choices)}, got {raw!r}.",
            )
            return None
        return raw

    def rows(self, data: dict, key: str, fields: set[str]) -> list[tuple[str, dict]]:
        raw = data.get(key, [])
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail(key, "not_a_list", "Expected a list.")
            return []
        if len(raw) > MAX_ROWS:
            self.fail(key, "too_many", f"At most {MAX_ROWS} rows.")
            return []
        out = []
        for index, row in enumerate(raw):
            path = f"{key}[{index}]"
            if not isinstance(row, dict):
                self.fail(path, "not_an_object", "Expected an object.")
                continue
            for unknown in sorted(set(row) - fields):
                self.fail(f"{path}.{unknown}", "unknown_field", "Unknown field.")
            out.append((path, row))
        return out

    def not_after(self, value, limit, where: str, what: str) -> None:
        if value is not None and limit is not None and value > limit:
            self.fail(where, "after_as_of", f"{what} cannot be after as_of ({limit}).")


TOP_FIELDS = {"as_of", "stays", "permits", "offences", "removals", "convictions"}


def parse_case(data, *, today: date) -> Case:
    """Read a case from decoded JSON; `as_of` defaults to `today`. Raises InvalidCase."""
    r = _Reader()
    if not isinstance(data, dict):
        raise InvalidCase([Problem("", "not_an_object", "Expected a JSON object.")])
    for unknown in sorted(set(data) - TOP_FIELDS):
        r.fail(unknown, "unknown_field", "Unknown field.")
    as_of = r.date(data, "as_of", "", required=False) if "as_of" in data else today
    if "as_of" in data and data["as_of"] is None:
        as_of = today

    stays = _read_stays(r, data, as_of)
    permits = []
    for path, row in r.rows(data, "permits", {"kind", "from", "to"}):
        kind = r.choice(row, "kind", path, PERMIT_KINDS)
        start, end = r.date(row, "from", path), r.date(row, "to", path)
        if start and end and end < start:
            r.fail(f"{path}.to", "before_start", "'to' is before 'from'.")
        elif kind and start and end:
            permits.append(Permit(kind, start, end))
    offences = []
    for path, row in r.rows(data, "offences", {"decided_on", "kind"}):
        on, kind = r.date(row, "decided_on", path), r.choice(row, "kind", path, OFFENCE_KINDS)
        r.not_after(on, as_of, f"{path}.decided_on", "A decision")
        if on and kind:
            offences.append(Offence(on, kind))
    removals = []
    for path, row in r.rows(data, "removals", {"on", "kind"}):
        on, kind = r.date(row, "on", path), r.choice(row, "kind", path, REMOVAL_KINDS)
        r.not_after(on, as_of, f"{path}.on", "A removal")
        if on and kind:
            removals.append(Removal(on, kind))
    convictions = []
    for path, row in r.rows(data, "convictions", {"on", "expunged_on"}):
        on, expunged = r.date(row, "on", path), r.date(row, "expunged_on", path, required=False)
        r.not_after(on, as_of, f"{path}.on", "A conviction")
        if on and expunged and expunged < on:
            r.fail(f"{path}.expunged_on", "before_start", "'expunged_on' is before 'on'.")
        elif on:
            convictions.append(Conviction(on, expunged))
    if r.problems:
        raise InvalidCase(r.problems)
    return Case(
        as_of, tuple(stays), tuple(permits), tuple(offences), tuple(removals), tuple(convictions)
    )


def _read_stays(r: _Reader, data: dict, as_of) -> list[Stay]:
    """Stays, each checked alone and then against the others (order, overlap, one open stay)."""
    read = []
    for path, row in r.rows(data, "stays", {"entry", "exit"}):
        entry, exit_ = r.date(row, "entry", path), r.date(row, "exit", path, required=False)
        r.not_after(entry, as_of, f"{path}.entry", "An entry")
        r.not_after(exit_, as_of, f"{path}.exit", "An exit")
        if entry and exit_ and exit_ < entry:
            r.fail(f"{path}.exit", "before_start", "'exit' is before 'entry'.")
        elif entry:
            read.append((path, Stay(entry, exit_)))
    read.sort(key=lambda item: item[1].entry)
    for (path, stay), (next_path, following) in zip(read, read[1:], strict=False):
        if stay.exit is None:
            r.fail(
                f"{path}.exit",
                "open_not_last",
                f"Only the latest stay may have no exit; {next_path} starts later.",
            )
        elif following.entry < stay.exit:
            r.fail(
                f"{next_path}.entry",
                "overlap",
                f"This stay starts before the exit of {path} ({stay.exit}).",
            )
    return [stay for _path, stay in read]


def case_to_json(case: Case) -> dict:
    """The case as the input JSON (the inverse of parse_case)."""

    def iso(value):
        return value.isoformat() if value else None

    return {
        "as_of": iso(case.as_of),
        "stays": [{"entry": iso(s.entry), "exit": iso(s.exit)} for s in case.stays],
        "permits": [{"kind": p.kind, "from": iso(p.start), "to": iso(p.end)} for p in case.permits],
        "offences": [{"decided_on": iso(o.decided_on), "kind": o.kind} for o in case.offences],
        "removals": [{"on": iso(m.on), "kind": m.kind} for m in case.removals],
        "convictions": [
            {"on": iso(c.on), "expunged_on": iso(c.expunged_on)} for c in case.convictions
        ],
    }
