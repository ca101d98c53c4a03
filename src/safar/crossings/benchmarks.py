"""`safar bench import --rows N [--seed S] [--chunk-size C] [--database-url URL]`.

Writes N synthetic crossings to a CSV file (safar.crossings.synthetic), imports it into a fresh
database of its own with `import_crossings`, and prints rows/s and seconds; then imports the same
file again (every row already present) and times that; then checks that the maintained report
cells equal a recomputation. Never touches the configured database: without --database-url it
uses a new SQLite file in $SAFAR_DATA_DIR/bench/; a PostgreSQL database name must contain "bench".
"""

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

from safar.core.benchmarks import benchmark

CHILD_MARK = "SAFAR_BENCH_IMPORT_CHILD"
PERIOD = (date(2019, 1, 1), date(2026, 11, 20))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="safar bench import", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--database-url", help="sqlite:///file or postgres://…/name_with_bench")
    args = parser.parse_args(argv)
    if args.rows <= 0:
        parser.error("--rows: give a positive number")
    return args


@benchmark("import")
def run_benchmark(argv: list[str]) -> int:
    args = parse(argv)
    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{folder / 'import.sqlite3'}"
    if os.environ.get(CHILD_MARK) != url:
        return _reexec(url, argv)
    return _run(args, folder)


def _reexec(url: str, argv: list[str]) -> int:
    """Run again in a process whose settings point at the benchmark database."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _fresh_postgres(url)
    env = {**os.environ, "DATABASE_URL": url, CHILD_MARK: url}
    os.execve(sys.executable, [sys.executable, "-m", "safar.cli", "bench", "import", *argv], env)
    return 1  # pragma: no cover - execve does not return


def _fresh_postgres(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if "bench" not in name:
        raise SystemExit(f"--database-url: the database name must contain 'bench' (got {name!r})")
    admin = psycopg.connect(host=config["HOST"] or None, port=config["PORT"] or None,
                            user=config["USER"] or None, password=config["PASSWORD"] or None,
                            dbname="postgres", autocommit=True)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def _run(args, folder: Path) -> int:
    from django.core.management import call_command
    from django.db import connection

    from .aggregates import compare_with_rebuild
    from .importer import CHUNK_SIZE, import_crossings
    from .synthetic import write_csv

    say(f"# safar bench import --rows {args.rows:,} on {connection.vendor} "
        f"({connection.settings_dict['NAME']})")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores; python "
        f"{platform.python_version()}; date {date.today()}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    call_command("migrate", verbosity=0, interactive=False)
    path = folder / f"import-{args.rows}-{args.seed}.csv"
    started = time.perf_counter()
    write_csv(path, args.rows, seed=args.seed, start=PERIOD[0], end=PERIOD[1])
    say(f"generate: {args.rows:,} rows written to {path.name} "
        f"({path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - started:.1f} s")
    chunk = args.chunk_size or CHUNK_SIZE
    progress = sys.stderr.isatty()
    for label in ("import", "re-import"):
        started, cpu = time.perf_counter(), time.process_time()
        result = import_crossings(path, chunk_size=chunk, progress=progress)
        seconds = time.perf_counter() - started
        say(f"{label}: {result.summary()}; {seconds:.1f} s wall "
            f"({time.process_time() - cpu:.1f} s CPU), {result.rows / seconds:,.0f} rows/s")
    started = time.perf_counter()
    differences = compare_with_rebuild(limit=10)
    say(f"check: {'cells equal a recomputation' if not differences else 'CELLS DIFFER'} "
        f"({time.perf_counter() - started:.1f} s)")
    path.unlink()
    return 1 if differences else 0


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
