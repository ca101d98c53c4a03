"""The cubes behind the twelve reports: what each counts, and under which dimensions.

Every cube has the columns of `Cell`: period (at day, month and year grain), border_point, sex,
country, key, key2. Only citizens (citizenship TJK) count in the cubes marked "citizens".

| cube          | counts                                   | border_point | sex | country            | key        | key2        |
|---------------|------------------------------------------|--------------|-----|--------------------|------------|-------------|
| flow          | every crossing, on its date              | crossing's   | yes | traveller's citizenship | direction | ''      |
| exit_geo      | citizens' exits, on the exit date        | crossing's   | yes | destination        | region code or '' | '1' if purpose work else '0' |
| exit_purpose  | citizens' exits                          | crossing's   | yes | destination        | purpose    | ''          |
| exit_age      | citizens' exits                          | crossing's   | yes | destination        | age group  | ''          |
| return        | citizens' exits, on the exit date        | exit's       | yes | exit's destination | band, `not_returned` or `unmatched` (from the next crossing) | '' |
| arrival       | citizens' entries, on the entry date     | entry's      | yes | entry's country    | band or `unmatched` (from the previous crossing) | '' |
| abroad        | +1/-1 events: a citizen's exit enters and leaves each day band of "abroad since", until the next crossing | exit's | yes | exit's destination | band | '' |
| capture       | scans captured, on the capture date      | ''           | ''  | ''                 | border centre code | outcome: scanned, auto_accepted, corrected, rejected |

R11 ("abroad on date T") is the sum of `abroad` events on or before T: an exit on day s followed by
a crossing on day n adds +1 to band b on day s+lo(b) and -1 on day min(s+hi(b)+1, n), when the first
is before the second.

Reports: R01, R02, R08 ← flow; R03, R06, R07 ← exit_geo; R04 ← exit_purpose; R05 ← exit_age;
R09 ← return; R10 ← arrival; R11 ← abroad; R12 ← capture.
"""

from datetime import date

CUBES = ("flow", "exit_geo", "exit_purpose", "exit_age", "return", "arrival", "abroad", "capture")

# Day bands: (label, first day, last day); None = no upper bound.
BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("366+", 366, None),
)
NOT_RETURNED = "not_returned"
UNMATCHED = "unmatched"

AGE_GROUPS: tuple[str, ...] = tuple(f"{lo}-{lo + 4}" for lo in range(0, 65, 5)) + ("65+",)


def band_of(days: int) -> str:
    for label, lo, hi in BANDS:
        if days >= lo and (hi is None or days <= hi):
            return label
    raise ValueError(f"negative day count: {days}")


def completed_years(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_group_of(birth: date, on: date) -> str:
    years = max(completed_years(birth, on), 0)
    return AGE_GROUPS[min(years // 5, len(AGE_GROUPS) - 1)]
