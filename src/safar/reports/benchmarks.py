"""`safar bench reports --crossings N [--database-url URL]`: the twelve reports at scale.

Generates N synthetic crossings (safar.crossings.synthetic, spread over ten years), loads them
with the fast bulk path and one rebuild of the cells, then times every report warm (median of
--runs runs after one warm-up) for a one-year period and a long unaligned period. As the anchor,
the same reports are computed straight from the raw crossings by DuckDB (in memory, on a copy
of the same rows) and, for three of them, by plain SQL on the benchmark database itself. The
DuckDB answers are compared with the cube answers, so the benchmark also checks correctness.

The benchmark never touches the configured database: without --database-url it uses a SQLite
file of its own in $SAFAR_DATA_DIR/bench/; a PostgreSQL URL must name a database whose name
contains "bench" (it is created when missing).
"""

import argparse
import csv
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from safar.core.benchmarks import benchmark, rerun_against, running_against

ONE_YEAR = (date(2025, 1, 1), date(2025, 12, 31))
LONG_UNALIGNED = (date(2018, 3, 17), date(2025, 8, 9))
DATA_START, DATA_END = date(2017, 1, 1), date(2026, 11, 20)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="safar bench reports", description=__doc__.split("\n")[0])
    parser.add_argument("--crossings", type=int, required=True, metavar="N")
    parser.add_argument("--database-url", help="sqlite:///file or postgres://…/name_with_bench")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per report (≥ 5)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the database if it already holds exactly N crossings",
    )
    parser.add_argument("--no-anchor", action="store_true", help="skip DuckDB and plain SQL")
    args = parser.parse_args(argv)
    if args.crossings <= 0:
        parser.error("--crossings: give a positive number")
    if args.runs < 5:
        parser.error("--runs: at least 5")
    return args


@benchmark("reports")
def run_benchmark(argv: list[str]) -> int:
    args = parse(argv)
    url = args.database_url or _default_url(args.crossings)
    if not running_against(url):
        # A fresh default SQLite file unless --keep; a named database is never emptied here.
        fresh = args.database_url is None and not args.keep
        return rerun_against(url, name="reports", argv=argv, fresh=fresh)
    return _run(args)


def _default_url(n: int) -> str:
    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'reports-{n}.sqlite3'}"


def _run(args) -> int:
    from django.core.management import call_command
    from django.db import connection

    from safar.crossings.models import Crossing

    say(
        f"# safar bench reports --crossings {args.crossings:,} on {connection.vendor} "
        f"({connection.settings_dict['NAME']})"
    )
    say(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {_memory()}; "
        f"python {platform.python_version()}; date {date.today()}"
    )
    call_command("migrate", verbosity=0, interactive=False)
    stored = Crossing.objects.count()
    if stored and not (args.keep and stored == args.crossings):
        raise SystemExit(
            f"the benchmark database holds {stored:,} crossings; give an empty "
            "database, or --keep to reuse one with exactly --crossings rows"
        )
    if not stored:
        _load(args)
    if connection.vendor == "sqlite":
        # Fold the write-ahead log (large after a load or a new index) into the database file
        # so the timed reads see the file as production would.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _describe_cells()
    results = _time_reports(args.runs)
    _time_pivots(args.runs)
    if not args.no_anchor:
        _anchors(results, args.runs)
    return 0


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _memory() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return f"{pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        return "RAM unknown"


def _load(args) -> None:
    from django.db import connection

    from safar.crossings.synthetic import load_synthetic

    started = time.perf_counter()
    load_synthetic(
        args.crossings, seed=args.seed, start=DATA_START, end=DATA_END, progress=sys.stderr.isatty()
    )
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        # Fresh statistics (and, on PostgreSQL, a visibility map for index-only scans).
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    say(
        f"load: {args.crossings:,} crossings generated, stored and cells rebuilt in "
        f"{loaded:.0f} s ({args.crossings / loaded:,.0f} rows/s); analyze "
        f"{time.perf_counter() - started - loaded:.0f} s"
    )


def _describe_cells() -> None:
    from django.db.models import Count

    from safar.crossings.models import Cell

    by_cube = dict(Cell.objects.values_list("cube").annotate(n=Count("id")).order_by())
    say(
        "cells: "
        + ", ".join(f"{cube} {n:,}" for cube, n in sorted(by_cube.items()))
        + f"; total {sum(by_cube.values()):,}"
    )


def _median_ms(func, runs: int) -> tuple[float, object]:
    result = func()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def _time_reports(runs: int) -> dict:
    from safar.reports.standard import REPORTS

    results = {}
    say()
    say(
        f"| report | one year {ONE_YEAR[0]} … {ONE_YEAR[1]} | rows | long {LONG_UNALIGNED[0]} … "
        f"{LONG_UNALIGNED[1]} | rows |"
    )
    say("|---|---:|---:|---:|---:|")
    for code, report in REPORTS.items():
        line = [code]
        for period in (ONE_YEAR, LONG_UNALIGNED):
            ms, result = _median_ms(lambda r=report, p=period: r.run(*p), runs)
            results[code, period] = (ms, result)
            line += [f"{ms:.1f} ms", f"{len(result.rows)}"]
        say("| " + " | ".join(line) + " |")
    worst = max(ms for ms, _result in results.values())
    say(
        f"\nslowest report: {worst:.1f} ms (target: under 100 ms) — "
        f"{'MET' if worst < 100 else 'MISSED'}"
    )
    return results


# The pivots timed beside the reports: the choices analysts make most (border points × months,
# citizenship × direction, regions × sex, age groups × sex, purposes × sex), each cube the pivot
# reads, month rows (month and day cells only), and the widest crossings the cells allow
# (countries × months). Age group × purpose is not among them: the two live in different cubes,
# so the pivot refuses it (pivot.cube_for).
PIVOTS = (
    ("crossings", "border_point", "direction"),
    ("crossings", "border_point", "month"),
    ("crossings", "citizenship", "direction"),
    ("crossings", "month", "direction"),
    ("crossings", "citizenship", "sex"),
    ("exits", "country", "purpose"),
    ("exits", "region", "sex"),
    ("exits", "age_group", "sex"),
    ("exits", "purpose", "sex"),
    ("exits", "region", "month"),
    ("exits", "country", "month"),
)


def _time_pivots(runs: int) -> None:
    """Each pivot over both periods; over the one-year period also compared with the year
    before (two reads of the cells) where the comparison is offered, and the whole page (the
    view: form, cells, table, chart, template), compared where offered."""
    from safar.reports.pivot import comparison_refused, run_pivot, run_pivot_compared

    say()
    say(
        f"| pivot | one year {ONE_YEAR[0]} … {ONE_YEAR[1]} | rows | one year, compared with a "
        f"year earlier | page, one year | long {LONG_UNALIGNED[0]} … {LONG_UNALIGNED[1]} | rows |"
    )
    say("|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for measure, rows, columns in PIVOTS:
        line = [f"{measure}: {rows} × {columns}"]
        offered = comparison_refused(rows, columns, *ONE_YEAR) is None
        for period in (ONE_YEAR, LONG_UNALIGNED):
            ms, result = _median_ms(
                lambda p=period, m=measure, r=rows, c=columns: run_pivot(m, r, c, *p), runs
            )
            worst = max(worst, ms)
            line += [f"{ms:.1f} ms", f"{len(result.rows)}"]
            if period != ONE_YEAR:
                continue
            if offered:
                ms, _result = _median_ms(
                    lambda p=period, m=measure, r=rows, c=columns: run_pivot_compared(m, r, c, *p),
                    runs,
                )
                worst = max(worst, ms)
                line.append(f"{ms:.1f} ms")
            else:
                line.append("not offered")
            page_ms = _median_ms(lambda q=(measure, rows, columns, offered): _page(*q), runs)[0]
            line.append(f"{page_ms:.1f} ms{' (compared)' if offered else ''}")
        say("| " + " | ".join(line) + " |")
    say(
        f"\nslowest pivot: {worst:.1f} ms (target: under 100 ms) — {'MET' if worst < 100 else 'MISSED'}"
    )


def _page(measure: str, rows: str, columns: str, compared: bool) -> None:
    """The pivot page for one year, rendered by its view for a benchmark user who may read
    reports (no middleware: the sign-in and language steps cost the same on every page)."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from safar.reports.views import pivot

    user, _created = get_user_model().objects.get_or_create(
        username="bench-reports", defaults={"is_superuser": True, "is_active": True}
    )
    query = {
        "measure": measure,
        "rows": rows,
        "columns": columns,
        "from": ONE_YEAR[0].isoformat(),
        "to": ONE_YEAR[1].isoformat(),
        **({"compare": "on"} if compared else {}),
    }
    request = RequestFactory().get("/reports/pivot/", query)
    request.user = user
    response = pivot(request)
    if response.status_code != 200:
        raise SystemExit(f"the pivot page answered {response.status_code} for {query}")


# --- the anchor: the same reports straight from the raw rows ------------------------------------

BAND_SQL = (
    "CASE WHEN {d} <= 30 THEN '0-30' WHEN {d} <= 90 THEN '31-90' WHEN {d} <= 180 "
    "THEN '91-180' WHEN {d} <= 365 THEN '181-365' ELSE '366+' END"
)
AGE_SQL = (
    "CASE WHEN y >= 65 THEN '65+' ELSE CAST((GREATEST(y, 0) // 5) * 5 AS VARCHAR) || '-' "
    "|| CAST((GREATEST(y, 0) // 5) * 5 + 4 AS VARCHAR) END"
)
YEARS_SQL = (
    "(year(crossed_on) - year(birth_date) - CASE WHEN strftime(crossed_on, '%m-%d') < "
    "strftime(birth_date, '%m-%d') THEN 1 ELSE 0 END)"
)
IN_PERIOD = "crossed_on BETWEEN $from AND $to"
EXITS = f"citizenship = 'TJK' AND direction = 'exit' AND {IN_PERIOD}"
DUCKDB_SQL = {
    "R01": f"SELECT border_point, direction, count(*) FROM c WHERE {IN_PERIOD} GROUP BY ALL",
    "R02": f"""SELECT strftime(crossed_on, '%Y-%m') AS month,
                      count(*) FILTER (direction = 'exit'), count(*) FILTER (direction = 'entry'),
                      count(*) FILTER (direction = 'entry') - count(*) FILTER (direction = 'exit')
               FROM c WHERE citizenship = 'TJK' AND {IN_PERIOD} GROUP BY ALL""",
    "R03": f"SELECT country, count(*) FROM c WHERE {EXITS} GROUP BY ALL",
    "R04": f"SELECT purpose, sex, count(*) FROM c WHERE {EXITS} GROUP BY ALL",
    "R05": f"""SELECT {AGE_SQL} AS age_group, sex, count(*)
               FROM (SELECT {YEARS_SQL} AS y, sex FROM c WHERE {EXITS}) GROUP BY ALL""",
    "R06": f"SELECT coalesce(region, ''), count(*) FROM c WHERE {EXITS} GROUP BY ALL",
    "R07": f"""SELECT country, coalesce(region, ''), sex, count(*) FROM c
               WHERE {EXITS} AND purpose = 'work' GROUP BY ALL""",
    "R08": f"""SELECT citizenship, direction, count(*) FROM c
               WHERE citizenship <> 'TJK' AND {IN_PERIOD} GROUP BY ALL""",
    "R09": f"""SELECT country, CASE WHEN nd IS NULL THEN 'not_returned' WHEN nd = 'exit'
                      THEN 'unmatched' ELSE {BAND_SQL.format(d="nday - crossed_on")} END, count(*)
               FROM (SELECT *, lead(direction) OVER w AS nd, lead(crossed_on) OVER w AS nday
                     FROM c WHERE citizenship = 'TJK'
                     WINDOW w AS (PARTITION BY traveller_id ORDER BY crossed_on, id))
               WHERE direction = 'exit' AND {IN_PERIOD} GROUP BY ALL""",
    "R10": f"""SELECT country, CASE WHEN pd = 'exit'
                      THEN {BAND_SQL.format(d="crossed_on - pday")} ELSE 'unmatched' END, count(*)
               FROM (SELECT *, lag(direction) OVER w AS pd, lag(crossed_on) OVER w AS pday
                     FROM c WHERE citizenship = 'TJK'
                     WINDOW w AS (PARTITION BY traveller_id ORDER BY crossed_on, id))
               WHERE direction = 'entry' AND {IN_PERIOD} GROUP BY ALL""",
    "R11": f"""SELECT country, {BAND_SQL.format(d="$to - crossed_on")}, count(*)
               FROM (SELECT * FROM c WHERE citizenship = 'TJK' AND crossed_on <= $to
                     QUALIFY row_number() OVER (PARTITION BY traveller_id
                                                ORDER BY crossed_on DESC, id DESC) = 1)
               WHERE direction = 'exit' GROUP BY ALL""",
}


def _export_rows(path: Path) -> int:
    """The raw crossings, joined with their travellers, as CSV (COPY on PostgreSQL)."""
    from django.db import connection

    select = (
        "SELECT c.id, c.traveller_id, c.crossed_on, c.direction, c.border_point_id, c.sex, "
        "c.purpose_id, c.country_id, c.region_id, t.citizenship_id, t.birth_date "
        "FROM crossings_crossing c JOIN crossings_traveller t ON t.id = c.traveller_id"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                open(path, "wb") as out,
                cursor.cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)") as copy,
            ):
                for block in copy:
                    out.write(block)
            cursor.execute("SELECT count(*) FROM crossings_crossing")
            return cursor.fetchone()[0]
        count = 0
        cursor.execute(select)
        with open(path, "w", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            while batch := cursor.fetchmany(100_000):
                writer.writerows(batch)
                count += len(batch)
        return count


def _anchors(results: dict, runs: int) -> None:
    import duckdb

    with tempfile.TemporaryDirectory(prefix="safar-bench-") as tmp:
        path = Path(tmp) / "crossings.csv"
        started = time.perf_counter()
        count = _export_rows(path)
        db = duckdb.connect()
        db.execute(
            "CREATE TABLE c AS SELECT * FROM read_csv($path, header = false, columns = {"
            "'id': 'BIGINT', 'traveller_id': 'BIGINT', 'crossed_on': 'DATE', "
            "'direction': 'VARCHAR', 'border_point': 'VARCHAR', 'sex': 'VARCHAR', "
            "'purpose': 'VARCHAR', 'country': 'VARCHAR', 'region': 'VARCHAR', "
            "'citizenship': 'VARCHAR', 'birth_date': 'DATE'})",
            {"path": str(path)},
        )
    say(
        f"\nanchor: {count:,} raw rows copied into DuckDB {duckdb.__version__} (in memory, "
        f"{os.cpu_count()} threads) in {time.perf_counter() - started:.0f} s"
    )
    say(
        "\n| report | cells, one year | DuckDB raw, one year | cells, long | DuckDB raw, long | "
        "same answer |"
    )
    say("|---|---:|---:|---:|---:|---|")
    for code in DUCKDB_SQL:
        line, agree = [code], True
        for period in (ONE_YEAR, LONG_UNALIGNED):
            params = {
                name: day
                for name, day in zip(("from", "to"), period, strict=True)
                if f"${name}" in DUCKDB_SQL[code]
            }
            ms, rows = _median_ms(
                lambda s=DUCKDB_SQL[code], p=params: db.execute(s, p).fetchall(), runs
            )
            cube_ms, result = results[code, period]
            agree &= _same(code, rows, result.rows)
            line += [f"{cube_ms:.1f} ms", f"{ms:.0f} ms"]
        say("| " + " | ".join(line) + f" | {'yes' if agree else 'NO'} |")
    _plain_sql(runs)


def _same(code: str, raw: list[tuple], rows: list[list]) -> bool:
    """Cube rows equal raw rows (R02 lists zero months, which a GROUP BY cannot produce)."""
    mine = {tuple(r) for r in rows if code != "R02" or any(r[1:3])}
    return mine == {tuple(r) for r in raw}


def _plain_sql(runs: int) -> None:
    """Three reports as plain SQL over the raw table of the benchmark database itself."""
    from django.db import connection

    days = (
        "CAST(julianday(nday) - julianday(crossed_on) AS INTEGER)"
        if connection.vendor == "sqlite"
        else "(nday - crossed_on)"
    )
    join = "FROM crossings_crossing c JOIN crossings_traveller t ON t.id = c.traveller_id"
    queries = {
        "R01": "SELECT border_point_id, direction, count(*) FROM crossings_crossing "
        "WHERE crossed_on BETWEEN %s AND %s GROUP BY 1, 2",
        "R03": f"SELECT c.country_id, count(*) {join} WHERE t.citizenship_id = 'TJK' AND "
        f"c.direction = 'exit' AND c.crossed_on BETWEEN %s AND %s GROUP BY 1",
        "R09": f"""SELECT country_id, CASE WHEN nd IS NULL THEN 'not_returned' WHEN nd = 'exit'
                          THEN 'unmatched' ELSE {BAND_SQL.format(d=days)} END, count(*)
                   FROM (SELECT c.*, lead(c.direction) OVER w AS nd,
                                lead(c.crossed_on) OVER w AS nday
                         {join} WHERE t.citizenship_id = 'TJK'
                         WINDOW w AS (PARTITION BY c.traveller_id ORDER BY c.crossed_on, c.id)) s
                   WHERE direction = 'exit' AND crossed_on BETWEEN %s AND %s GROUP BY 1, 2""",
    }
    say(
        f"\nplain SQL on the raw table in {connection.vendor} (one-year period; median of 3 "
        "after a warm-up):"
    )
    for code, sql in queries.items():

        def query(s=sql):
            with connection.cursor() as cursor:
                cursor.execute(s, [day.isoformat() for day in ONE_YEAR])
                return cursor.fetchall()

        ms, _rows = _median_ms(query, 3)
        say(f"- {code}: {ms:,.0f} ms")
