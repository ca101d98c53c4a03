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

from safar.core.benchmarks import benchmark, rerun_against, running_against

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
    if not running_against(url):
        return rerun_against(url, name="import", argv=argv, fresh=True)
    return _run(args, folder)


def _run(args, folder: Path) -> int:
    from django.core.management import call_command
    from django.db import connection

    from .aggregates import compare_with_rebuild
    from .importer import CHUNK_SIZE, import_crossings
    from .synthetic import write_csv

    say(
        f"# safar bench import --rows {args.rows:,} on {connection.vendor} "
        f"({connection.settings_dict['NAME']})"
    )
    say(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; python "
        f"{platform.python_version()}; date {date.today()}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    call_command("migrate", verbosity=0, interactive=False)
    path = folder / f"import-{args.rows}-{args.seed}.csv"
    started = time.perf_counter()
    write_csv(path, args.rows, seed=args.seed, start=PERIOD[0], end=PERIOD[1])
    say(
        f"generate: {args.rows:,} rows written to {path.name} "
        f"({path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - started:.1f} s"
    )
    chunk = args.chunk_size or CHUNK_SIZE
    progress = sys.stderr.isatty()
    for label in ("import", "re-import"):
        started, cpu = time.perf_counter(), time.process_time()
        result = import_crossings(path, chunk_size=chunk, progress=progress)
        seconds = time.perf_counter() - started
        say(
            f"{label}: {result.summary()}; {seconds:.1f} s wall "
            f"({time.process_time() - cpu:.1f} s CPU), {result.rows / seconds:,.0f} rows/s"
        )
    started = time.perf_counter()
    differences = compare_with_rebuild(limit=10)
    say(
        f"check: {'cells equal a recomputation' if not differences else 'CELLS DIFFER'} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    path.unlink()
    return 1 if differences else 0


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
