"""Keeping the report cubes (safar.crossings.cubes) exact on every write, and proving it.

Two independent implementations of the same definition live here:

* **Maintenance** (used by every write): a traveller's *contributions* — a multiset of
  (cube, day, border_point, sex, country, key, key2) → count — are computed in Python from all
  their crossings in order (date, then id). A write computes the affected travellers'
  contributions before and after the change and applies the difference to the cells at day,
  month and year grain with portable upserts, deleting cells that reach zero.
* **Recomputation** (`rebuild_all`, `compare_with_rebuild`): set-based SQL with the window
  functions LAG/LEAD over each traveller's crossings, with per-vendor date arithmetic, fast on
  tens of millions of rows.

The tests drive random sequences of writes and check that both always agree.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction

from safar.crossings.cubes import (
    AGE_GROUPS,
    BANDS,
    NOT_RETURNED,
    UNMATCHED,
    age_group_of,
    band_of,
)

from .models import CITIZEN_COUNTRY, Cell, Crossing, Traveller

CELL_TABLE = Cell._meta.db_table  # for the raw SQL below
# The cubes this module maintains; `capture` belongs to the capture app (see add_to_cube).
MAINTAINED_CUBES = ("flow", "exit_geo", "exit_purpose", "exit_age", "return", "arrival", "abroad")
IDENTITY = ("cube", "grain", "period", "border_point", "sex", "country", "key", "key2")
_Q_IDENTITY = ", ".join(f'"{c}"' for c in IDENTITY)
# Above this many cells a delta goes through a temporary table and three set-based statements.
BULK_THRESHOLD = 2000

# A crossing as the contributions need it, ordered by (crossed_on, id):
# (id, crossed_on, direction, border_point, sex, purpose, country, region or '')
Facts = tuple[int, date, str, str, str, str, str, str]
FACT_FIELDS = (
    "id",
    "crossed_on",
    "direction",
    "border_point_id",
    "sex",
    "purpose_id",
    "country_id",
    "region_id",
)


def new_delta() -> defaultdict:
    """An empty multiset of day-grain contributions: (cube, day, bp, sex, country, key, key2) → n.

    A defaultdict(int) rather than a Counter: Counter's missing-key hook runs in Python, and the
    import adds millions of keys.
    """
    return defaultdict(int)


def traveller_contributions(
    citizenship: str,
    birth_date: date,
    crossings: Iterable[Facts],
    into: defaultdict | None = None,
    sign: int = 1,
    only: set[int] | None = None,
) -> defaultdict:
    """Add (sign × 1) per cube event of one traveller's crossings to `into` (day grain).

    `crossings` must be sorted by (crossed_on, id): R09/R10/R11 look at the neighbours.
    With `only` (crossing ids), just those crossings' events are added (their neighbours are
    still read from the whole list).

    An import runs this for every traveller of every chunk, so the helpers (`band_of`,
    `age_group_of`, the `abroad` events) are written inline here, with tables instead of
    loops; `test_aggregates.py` holds them to the recomputation in SQL.
    """
    out = new_delta() if into is None else into
    rows = crossings if isinstance(crossings, list) else list(crossings)
    citizen = citizenship == CITIZEN_COUNTRY
    last = len(rows) - 1
    # age_group_of(birth_date, day), as completed years: the year difference, less one before
    # the birthday (month * 100 + day compares like (month, day)).
    birth_year = birth_date.year
    birthday = birth_date.month * 100 + birth_date.day
    for i, (_id, day, direction, bp, sex, purpose, country, region) in enumerate(rows):
        if only is not None and _id not in only:
            continue
        out["flow", day, bp, sex, citizenship, direction, ""] += sign
        if not citizen:
            continue
        if direction == "exit":
            out[
                "exit_geo", day, bp, sex, country, region or "", "1" if purpose == "work" else "0"
            ] += sign
            out["exit_purpose", day, bp, sex, country, purpose, ""] += sign
            years = day.year - birth_year - (day.month * 100 + day.day < birthday)
            age = (
                _AGE_GROUP[years // 5]
                if 0 <= years < _AGE_TABLE_YEARS
                else age_group_of(birth_date, day)
            )
            out["exit_age", day, bp, sex, country, age, ""] += sign
            if i < last:
                nxt = rows[i + 1]
                next_day = nxt[1]
                if nxt[2] == "exit":
                    key = UNMATCHED
                else:
                    key = _band((next_day - day).days)
                out["return", day, bp, sex, country, key, ""] += sign
            else:
                next_day = None
                out["return", day, bp, sex, country, NOT_RETURNED, ""] += sign
            # `abroad`: in band b from day+lo(b) until day+hi(b)+1 or the next crossing.
            for label, enters, leaves in _bands_from(day):
                if next_day is not None:
                    if next_day <= enters:
                        break  # back before this band begins, so before every later one too
                    if leaves is None or next_day < leaves:
                        leaves = next_day
                out["abroad", enters, bp, sex, country, label, ""] += sign
                if leaves is not None:
                    out["abroad", leaves, bp, sex, country, label, ""] -= sign
        else:
            prev = rows[i - 1] if i > 0 else None
            if prev is not None and prev[2] == "exit":
                key = _band((day - prev[1]).days)
            else:
                key = UNMATCHED
            out["arrival", day, bp, sex, country, key, ""] += sign
    return out


# band_of(days) for the days before the last band, which has no end.
_BAND_OF_DAYS = tuple(band_of(days) for days in range(BANDS[-1][1]))


def _band(days: int) -> str:
    return _BAND_OF_DAYS[days] if 0 <= days < len(_BAND_OF_DAYS) else band_of(days)


# age_group_of by completed years // 5, up to the last group (65+, open-ended).
_AGE_TABLE_YEARS = 5 * (len(AGE_GROUPS) - 1)
_AGE_GROUP = AGE_GROUPS[:-1]


_BAND_STEPS = tuple(
    (label, timedelta(days=lo), None if hi is None else timedelta(days=hi + 1))
    for label, lo, hi in BANDS
)
# Exit day → ((band, day it is entered, day it is left or None), …), bands in order. Thousands
# of exits share a day, so the dates are computed once (and their hashes kept with them).
_band_days: dict[date, tuple] = {}


def _bands_from(start: date) -> tuple:
    found = _band_days.get(start)
    if found is None:
        if len(_band_days) > 100_000:
            _band_days.clear()
        found = _band_days[start] = tuple(
            (label, start + lo, None if after is None else start + after)
            for label, lo, after in _BAND_STEPS
        )
    return found


def stored_facts(traveller_ids: Iterable[int]) -> dict[int, tuple[str, date, list[Facts]]]:
    """Each traveller's (citizenship, birth date, crossings in order), read from the database."""
    out: dict[int, tuple[str, date, list[Facts]]] = {}
    ids = sorted(set(traveller_ids))
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for pk, citizenship, birth in Traveller.objects.filter(pk__in=part).values_list(
            "pk", "citizenship_id", "birth_date"
        ):
            out[pk] = (citizenship, birth, [])
        rows = (
            Crossing.objects.filter(traveller_id__in=part)
            .order_by("traveller_id", "crossed_on", "id")
            .values_list("traveller_id", *FACT_FIELDS)
        )
        for traveller_id, *facts in rows:
            out[traveller_id][2].append(tuple(facts))
    return out


def contributions_of(
    traveller_ids: Iterable[int], sign: int = 1, into: defaultdict | None = None
) -> defaultdict:
    """The stored contributions of these travellers, read from the database."""
    out = new_delta() if into is None else into
    for citizenship, birth, facts in stored_facts(traveller_ids).values():
        traveller_contributions(citizenship, birth, facts, out, sign)
    return out


# --- applying a difference to the cells -------------------------------------------------------


def expand_to_cells(delta: dict, iso: bool = False) -> dict:
    """Day-grain contributions → cell identity (cube, grain, period, …) → non-zero count.

    With `iso`, periods are ISO text (what SQLite stores) rather than dates.
    """
    cells: dict = {}
    get = cells.get
    periods: dict = {}
    # Keys unpacked and rebuilt whole: the import expands millions of them per run.
    for (cube, day, bp, sex, country, key, key2), n in delta.items():
        if not n:
            continue
        found = periods.get(day)
        if found is None:
            month, year = day.replace(day=1), day.replace(month=1, day=1)
            found = periods[day] = (
                (day.isoformat(), month.isoformat(), year.isoformat())
                if iso
                else (day, month, year)
            )
        d, m, y = found
        # Day keys are distinct in `delta`; months and years collect many days.
        cells[cube, "D", d, bp, sex, country, key, key2] = n
        ident = cube, "M", m, bp, sex, country, key, key2
        cells[ident] = get(ident, 0) + n
        ident = cube, "Y", y, bp, sex, country, key, key2
        cells[ident] = get(ident, 0) + n
    return {ident: n for ident, n in cells.items() if n}


def _cell_rows(delta: dict, iso: bool) -> list[tuple]:
    """`expand_to_cells(delta, iso)` as (*identity, count) rows for the temporary table: the
    same cells, made faster for an import chunk's millions of keys (a day key is one day cell,
    so it goes straight to the list; months are summed from the days, years from the months).
    """
    rows: list[tuple] = []
    add = rows.append
    months: dict = {}
    get = months.get
    periods: dict = {}
    for (cube, day, bp, sex, country, key, key2), n in delta.items():
        if not n:
            continue
        found = periods.get(day)
        if found is None:
            month = day.replace(day=1)
            found = periods[day] = (day.isoformat(), month) if iso else (day, month)
        d, m = found
        add((cube, "D", d, bp, sex, country, key, key2, n))
        ident = cube, m, bp, sex, country, key, key2
        months[ident] = get(ident, 0) + n
    years: dict = {}
    get = years.get
    for (cube, month, bp, sex, country, key, key2), n in months.items():
        if n:
            add((cube, "M", month.isoformat() if iso else month, bp, sex, country, key, key2, n))
        ident = cube, month.year, bp, sex, country, key, key2
        years[ident] = get(ident, 0) + n
    for (cube, year, bp, sex, country, key, key2), n in years.items():
        if n:
            period = date(year, 1, 1)
            add((cube, "Y", period.isoformat() if iso else period, bp, sex, country, key, key2, n))
    return rows


def apply_delta(delta: dict, *, bulk_threshold: int | None = None, staged: bool = False) -> int:
    """Add a day-grain difference to the cells at every grain; returns how many day keys changed.

    Small differences (one card) are expanded to month and year grain here and upserted row by
    row; big ones (an import chunk) go through a temporary table. `staged`: `stage_delta(delta)`
    filled that table already (before the write transaction), only the upsert is left.
    """
    changed = sum(1 for n in delta.values() if n)
    if not changed:
        return 0
    if bulk_threshold is None:
        bulk_threshold = BULK_THRESHOLD
    with transaction.atomic(), connection.cursor() as cursor:
        if staged:
            _apply_staged(cursor)
        elif changed > bulk_threshold:
            _apply_bulk(cursor, delta)
        else:
            # Sorted, so concurrent writers on PostgreSQL lock rows in one order (no deadlock).
            _apply_small(cursor, sorted(expand_to_cells(delta).items()))
    return changed


def _params(rows):
    if connection.vendor == "sqlite":
        # Dates as ISO text: the same representation Django stores.
        return [(*ident[:2], ident[2].isoformat(), *ident[3:], n) for ident, n in rows]
    return [(*ident, n) for ident, n in rows]


_UPSERT = (
    f'INSERT INTO {CELL_TABLE} ({_Q_IDENTITY}, "count") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) '
    f'ON CONFLICT ({_Q_IDENTITY}) DO UPDATE SET "count" = {CELL_TABLE}."count" + excluded."count"'
)
_DELETE_ZERO = f'DELETE FROM {CELL_TABLE} WHERE "count" = 0 AND ' + " AND ".join(
    f'"{c}" = %s' for c in IDENTITY
)


def _apply_small(cursor, rows) -> None:
    params = _params(rows)
    cursor.executemany(_UPSERT, params)
    # Only a cell that went down, or an `abroad` cell (its events are ±1), can have reached 0.
    maybe_zero = [
        p[:8] for p, (ident, n) in zip(params, rows, strict=True) if n < 0 or ident[0] == "abroad"
    ]
    if maybe_zero:
        cursor.executemany(_DELETE_ZERO, maybe_zero)


_TEMP_COLUMNS = (
    "cube varchar(12), grain varchar(1), period date, border_point varchar(3), "
    'sex varchar(1), country varchar(3), "key" varchar(16), key2 varchar(16), '
    '"count" bigint'
)


def stage_delta(delta: dict) -> bool:
    """Expand a big difference (more than BULK_THRESHOLD day keys) to the cells and put them in
    the connection's temporary table, for `apply_delta(delta, staged=True)`; False (nothing
    staged) for a small one. This part needs no write lock: on SQLite the temporary tables are
    the connection's own, so the importer does it before its write transaction."""
    if sum(1 for n in delta.values() if n) <= BULK_THRESHOLD:
        return False
    with connection.cursor() as cursor:
        _stage(cursor, delta)
    return True


def _apply_bulk(cursor, delta: dict) -> None:
    _stage(cursor, delta)
    _apply_staged(cursor)


def _stage(cursor, delta: dict) -> None:
    sqlite = connection.vendor == "sqlite"
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS safar_cell_delta ({_TEMP_COLUMNS})")
    cursor.execute("DELETE FROM safar_cell_delta")
    cursor.executemany(
        f'INSERT INTO safar_cell_delta ({_Q_IDENTITY}, "count") '
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        _cell_rows(delta, iso=sqlite),
    )


def _apply_staged(cursor) -> None:
    """Upsert the staged cells (in index order), delete those that reached 0, clear the table."""
    # In index order: PostgreSQL locks rows in one order, so concurrent writers cannot
    # deadlock; SQLite walks its unique index forwards instead of jumping around it.
    order = f" ORDER BY {_Q_IDENTITY}"
    # `WHERE true` lets SQLite parse ON CONFLICT after INSERT … SELECT.
    cursor.execute(
        f'INSERT INTO {CELL_TABLE} ({_Q_IDENTITY}, "count") SELECT {_Q_IDENTITY}, "count" '
        f"FROM safar_cell_delta WHERE true{order} ON CONFLICT ({_Q_IDENTITY}) "
        f'DO UPDATE SET "count" = {CELL_TABLE}."count" + excluded."count"'
    )
    # Every write deletes the cells it brought to 0 before it commits, so the cells at 0 now
    # are this write's: found through the partial index `cell_zero` (one lookup per staged
    # cell in the delta cost more than the upsert's tenth).
    cursor.execute(f'DELETE FROM {CELL_TABLE} WHERE "count" = 0')
    cursor.execute("DELETE FROM safar_cell_delta")


def add_to_cube(
    *,
    cube: str,
    day: date,
    border_point: str = "",
    sex: str = "",
    country: str = "",
    key: str = "",
    key2: str = "",
    delta: int,
) -> None:
    """Add `delta` to one cube cell at day, month and year grain (used by the capture app)."""
    apply_delta({(cube, day, border_point, sex, country, key, key2): delta})


# --- full recomputation in SQL ------------------------------------------------------------------


class _Dialect:
    """The few expressions where SQLite and PostgreSQL differ (dates are text in SQLite)."""

    def __init__(self, vendor: str):
        self.sqlite = vendor == "sqlite"

    def days_between(self, a: str, b: str) -> str:
        if self.sqlite:
            return f"CAST(julianday({b}) - julianday({a}) AS INTEGER)"
        return f"({b} - {a})"

    def add_days(self, d: str, n: str) -> str:
        if self.sqlite:
            return f"date({d}, '+' || ({n}) || ' days')"
        return f"({d} + ({n}))"

    def month_start(self, d: str) -> str:
        if self.sqlite:
            return f"substr({d}, 1, 7) || '-01'"
        return f"CAST(date_trunc('month', {d}) AS date)"

    def year_start(self, d: str) -> str:
        if self.sqlite:
            return f"substr({d}, 1, 4) || '-01-01'"
        return f"CAST(date_trunc('year', {d}) AS date)"

    def completed_years(self, birth: str, on: str) -> str:
        if self.sqlite:
            return (
                f"(CAST(strftime('%Y', {on}) AS INTEGER) - CAST(strftime('%Y', {birth}) AS INTEGER)"
                f" - (strftime('%m-%d', {on}) < strftime('%m-%d', {birth})))"
            )
        return (
            f"(CAST(EXTRACT(YEAR FROM {on}) AS INTEGER) - CAST(EXTRACT(YEAR FROM {birth}) AS INTEGER)"
            f" - CASE WHEN to_char({on}, 'MM-DD') < to_char({birth}, 'MM-DD') THEN 1 ELSE 0 END)"
        )


def _band_case(days: str) -> str:
    whens = " ".join(
        f"WHEN {days} <= {hi} THEN '{label}'" for label, _lo, hi in BANDS if hi is not None
    )
    return f"CASE {whens} ELSE '{BANDS[-1][0]}' END"


def _age_case(years: str) -> str:
    # Completed years → '0-4' … '60-64', '65+' (negative ages count as 0, as in age_group_of).
    group = f"(CASE WHEN {years} < 0 THEN 0 ELSE {years} END) / 5"
    return (
        f"CASE WHEN {group} >= 13 THEN '65+' ELSE "
        f"CAST({group} * 5 AS TEXT) || '-' || CAST({group} * 5 + 4 AS TEXT) END"
    )


def _day_cells_sql(d: _Dialect, target: str) -> list[str]:
    """Statements that fill `target` with every maintained cube at day grain."""
    seq = f"""
        CREATE TEMP TABLE safar_rebuild_seq AS
        SELECT crossed_on AS day, direction AS dir, bp, sex, country, purpose, region, age_group,
               prev_dir, {d.days_between("prev_day", "crossed_on")} AS since_prev,
               next_dir, next_day, {d.days_between("crossed_on", "next_day")} AS until_next
        FROM (
            SELECT c.crossed_on, c.direction, c.border_point_id AS bp, c.sex,
                   c.country_id AS country, c.purpose_id AS purpose,
                   COALESCE(c.region_id, '') AS region,
                   {_age_case(d.completed_years("t.birth_date", "c.crossed_on"))} AS age_group,
                   LAG(c.direction) OVER w AS prev_dir, LAG(c.crossed_on) OVER w AS prev_day,
                   LEAD(c.direction) OVER w AS next_dir, LEAD(c.crossed_on) OVER w AS next_day
            FROM crossings_crossing c JOIN crossings_traveller t ON t.id = c.traveller_id
            WHERE t.citizenship_id = '{CITIZEN_COUNTRY}'
            WINDOW w AS (PARTITION BY c.traveller_id ORDER BY c.crossed_on, c.id)
        ) s
    """
    insert = f'INSERT INTO {target} ({_Q_IDENTITY}, "count") '
    return_key = (
        f"CASE WHEN next_dir IS NULL THEN '{NOT_RETURNED}' WHEN next_dir = 'exit' "
        f"THEN '{UNMATCHED}' ELSE {_band_case('until_next')} END"
    )
    arrival_key = (
        f"CASE WHEN prev_dir = 'exit' THEN {_band_case('since_prev')} ELSE '{UNMATCHED}' END"
    )
    bands = " UNION ALL ".join(
        f"SELECT '{label}' AS label, {lo} AS lo, {'NULL' if hi is None else hi} AS hi"
        for label, lo, hi in BANDS
    )
    # An exit is in band b from day+lo until day+hi+1 or the next crossing, whichever is first;
    # a band it never reaches (next crossing before day+lo) has no events.
    reached = "(s.next_day IS NULL OR s.until_next > b.lo)"
    leaves = (
        f"CASE WHEN b.hi IS NOT NULL AND (s.next_day IS NULL OR s.until_next > b.hi + 1) "
        f"THEN {d.add_days('s.day', 'b.hi + 1')} ELSE s.next_day END"
    )

    def per_crossing(cube: str, dims: str, where: str) -> str:
        return (
            f"{insert} SELECT '{cube}', 'D', day, bp, sex, country, k, k2, COUNT(*) FROM ("
            f"SELECT day, bp, sex, country, {dims} FROM safar_rebuild_seq WHERE {where}) x "
            f"GROUP BY day, bp, sex, country, k, k2"
        )

    return [
        "DROP TABLE IF EXISTS safar_rebuild_seq",
        seq,
        f"""{insert} SELECT 'flow', 'D', c.crossed_on, c.border_point_id, c.sex, t.citizenship_id,
                   c.direction, '', COUNT(*)
            FROM crossings_crossing c JOIN crossings_traveller t ON t.id = c.traveller_id
            GROUP BY c.crossed_on, c.border_point_id, c.sex, t.citizenship_id, c.direction""",
        per_crossing(
            "exit_geo",
            "region AS k, CASE WHEN purpose = 'work' THEN '1' ELSE '0' END AS k2",
            "dir = 'exit'",
        ),
        per_crossing("exit_purpose", "purpose AS k, '' AS k2", "dir = 'exit'"),
        per_crossing("exit_age", "age_group AS k, '' AS k2", "dir = 'exit'"),
        per_crossing("return", f"{return_key} AS k, '' AS k2", "dir = 'exit'"),
        per_crossing("arrival", f"{arrival_key} AS k, '' AS k2", "dir = 'entry'"),
        f"""{insert} SELECT 'abroad', 'D', period, bp, sex, country, label, '', SUM(n) FROM (
                SELECT {d.add_days("s.day", "b.lo")} AS period, s.bp, s.sex, s.country, b.label,
                       1 AS n
                FROM safar_rebuild_seq s CROSS JOIN ({bands}) b
                WHERE s.dir = 'exit' AND {reached}
                UNION ALL
                SELECT {leaves}, s.bp, s.sex, s.country, b.label, -1
                FROM safar_rebuild_seq s CROSS JOIN ({bands}) b
                WHERE s.dir = 'exit' AND {reached} AND (s.next_day IS NOT NULL OR b.hi IS NOT NULL)
            ) e GROUP BY period, bp, sex, country, label HAVING SUM(n) <> 0""",
        "DROP TABLE safar_rebuild_seq",
    ]


def _coarse_grains_sql(d: _Dialect, target: str) -> list[str]:
    """Month and year cells as sums of the day cells (never the capture cube's)."""
    out = []
    for grain, start in (("M", d.month_start("period")), ("Y", d.year_start("period"))):
        out.append(
            f'INSERT INTO {target} ({_Q_IDENTITY}, "count") '
            f"SELECT cube, '{grain}', {start}, border_point, sex, country, \"key\", key2, "
            f"SUM(\"count\") FROM {target} WHERE grain = 'D' AND cube <> 'capture' "
            f'GROUP BY cube, {start}, border_point, sex, country, "key", key2 '
            f'HAVING SUM("count") <> 0'
        )
    return out


def _recompute_into(target: str) -> None:
    d = _Dialect(connection.vendor)
    with connection.cursor() as cursor:
        for statement in _day_cells_sql(d, target) + _coarse_grains_sql(d, target):
            cursor.execute(statement)


def rebuild_all() -> int:
    """Recompute every maintained cube from the crossings (capture cells are left alone).

    Returns the number of cells written. Runs in one transaction: readers see old or new cells.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(MAINTAINED_CUBES))
            cursor.execute(
                f"DELETE FROM {CELL_TABLE} WHERE cube IN ({placeholders})", list(MAINTAINED_CUBES)
            )
        _recompute_into(CELL_TABLE)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {CELL_TABLE} WHERE cube <> 'capture'")
            return cursor.fetchone()[0]


def compare_with_rebuild(limit: int | None = None) -> list[tuple]:
    """Cells whose maintained count differs from a fresh recomputation.

    Each difference is (cube, grain, period, border_point, sex, country, key, key2,
    maintained, recomputed), a missing cell counting as 0. An empty list means all is exact.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS safar_cell_check")
            cursor.execute(
                "CREATE TEMP TABLE safar_cell_check (cube varchar(12), grain varchar(1), "
                "period date, border_point varchar(3), sex varchar(1), country varchar(3), "
                '"key" varchar(16), key2 varchar(16), "count" bigint)'
            )
        _recompute_into("safar_cell_check")
        placeholders = ", ".join(["%s"] * len(MAINTAINED_CUBES))
        sql = (
            f"SELECT {_Q_IDENTITY}, SUM(m), SUM(r) FROM ("
            f'SELECT {_Q_IDENTITY}, "count" AS m, 0 AS r FROM {CELL_TABLE} '
            f"WHERE cube IN ({placeholders}) "
            f'UNION ALL SELECT {_Q_IDENTITY}, 0, "count" FROM safar_cell_check) u '
            f"GROUP BY {_Q_IDENTITY} HAVING SUM(m) <> SUM(r) ORDER BY {_Q_IDENTITY}"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, list(MAINTAINED_CUBES))
            rows = cursor.fetchall()
            cursor.execute("DROP TABLE safar_cell_check")
    return [(*r[:2], _as_date(r[2]), *r[3:8], int(r[8]), int(r[9])) for r in rows]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
