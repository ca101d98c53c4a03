"""`safar bench import --rows N [--seed S] [--chunk-size C] [--order sorted|unsorted|both]
[--database-url URL]`.

Writes N synthetic crossings to a CSV file (safar.crossings.synthetic, in date order) and, for
`unsorted`, a second file made from it as an export from another system may come: the rows
shuffled, a few frequent travellers holding many of the crossings (skewed), and dirty rows
(codes in other cases and with spaces, impossible dates, unknown codes, rows with a value
missing, repeated and conflicting card numbers). Each file is imported with `import_crossings`
into an empty registry, then imported again (every row already present), then the maintained
report cells are checked against a recomputation; times come with the load average, as the
machine may be shared. Never touches the configured database: without --database-url it uses a
new SQLite file in $SAFAR_DATA_DIR/bench/; a PostgreSQL database name must contain "bench".
"""

import argparse
import csv
import io
import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path

from safar.core.benchmarks import benchmark, rerun_against, running_against

PERIOD = (date(2019, 1, 1), date(2026, 11, 20))
# Unsorted input: the share of rows given to the frequent travellers, how many of them there are,
# and the share of dirty rows.
FREQUENT_SHARE = 0.01
FREQUENT_TRAVELLERS = 100
DIRTY_SHARE = 0.02


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="safar bench import", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument(
        "--transaction-seconds",
        type=float,
        default=None,
        help="work per write transaction (default: the importer's)",
    )
    parser.add_argument(
        "--order",
        choices=("sorted", "unsorted", "both"),
        default="both",
        help="the generated file in date order, shuffled with skew and dirty rows, or both "
        "(default)",
    )
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

    from .importer import TRANSACTION_SECONDS
    from .synthetic import write_csv

    say(
        f"# safar bench import --rows {args.rows:,} --order {args.order} on {connection.vendor} "
        f"({connection.settings_dict['NAME']}); transaction seconds "
        f"{args.transaction_seconds or TRANSACTION_SECONDS}"
    )
    say(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; python "
        f"{platform.python_version()}; date {date.today()}; load average {load_average()}"
    )
    call_command("migrate", verbosity=0, interactive=False)
    path = folder / f"import-{args.rows}-{args.seed}.csv"
    started = time.perf_counter()
    write_csv(path, args.rows, seed=args.seed, start=PERIOD[0], end=PERIOD[1])
    say(
        f"generate: {args.rows:,} rows written to {path.name} "
        f"({path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - started:.1f} s"
    )
    files = []
    if args.order in ("sorted", "both"):
        files.append(("sorted", path))
    if args.order in ("unsorted", "both"):
        started = time.perf_counter()
        unsorted = folder / f"import-{args.rows}-{args.seed}-unsorted.csv"
        write_unsorted(path, unsorted, seed=args.seed)
        say(
            f"generate: {unsorted.name} (shuffled, {FREQUENT_SHARE:.0%} of rows to "
            f"{FREQUENT_TRAVELLERS} frequent travellers, {DIRTY_SHARE:.0%} dirty) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        files.append(("unsorted", unsorted))
    failed = False
    for order, file in files:
        empty_registry()
        failed |= _import_twice_and_check(order, file, args.chunk_size, args.transaction_seconds)
    for _order, file in files:
        file.unlink()
        file.with_name(file.name.replace(".csv", ".rejects.csv")).unlink(missing_ok=True)
    return 1 if failed else 0


def _import_twice_and_check(
    order: str, path: Path, chunk_size: int | None, seconds: float | None
) -> bool:
    """Import into the empty registry, again, then compare the cells; True when they differ."""
    from .aggregates import compare_with_rebuild
    from .importer import CHUNK_SIZE, TRANSACTION_SECONDS, import_crossings

    progress = sys.stderr.isatty()
    for label in ("import", "re-import"):
        load = load_average()
        started, cpu = time.perf_counter(), time.process_time()
        result = import_crossings(
            path,
            chunk_size=chunk_size or CHUNK_SIZE,
            transaction_seconds=seconds or TRANSACTION_SECONDS,
            progress=progress,
        )
        seconds = time.perf_counter() - started
        say(
            f"{order} {label}: {result.summary()}; {seconds:.1f} s wall "
            f"({time.process_time() - cpu:.1f} s CPU), {result.rows / seconds:,.0f} rows/s; "
            f"load average {load} → {load_average()}"
        )
    started = time.perf_counter()
    differences = compare_with_rebuild(limit=10)
    say(
        f"{order} check: "
        f"{'cells equal a recomputation' if not differences else 'CELLS DIFFER'} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return bool(differences)


def empty_registry() -> None:
    """No crossings, travellers or maintained cells (the next import is a first load)."""
    from django.db import connection, transaction

    from safar.crossings.models import Cell

    from .models import Crossing, Traveller

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Cell, Crossing, Traveller):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def write_unsorted(source: Path, target: Path, *, seed: int) -> int:
    """The rows of `source` shuffled, some given to a few frequent travellers, some made dirty.

    The frequent travellers' shares fall steeply (the first holds about a tenth of their rows),
    as with the few people who cross every week. Works on the lines as text (a million rows
    fit in memory as strings, not as parsed lists). Returns the number of rows written.
    """
    rng = random.Random(seed)
    with open(source, encoding="utf-8", newline="") as fh:
        header = fh.readline()
        lines = fh.readlines()
    frequent = [
        ("TJK", f"FQ{seed:03d}{i:05d}", f"{1960 + i % 30}-0{1 + i % 9}-1{i % 10}")
        for i in range(FREQUENT_TRAVELLERS)
    ]
    repeated = []
    for i, line in enumerate(lines):
        draw = rng.random()
        if draw < FREQUENT_SHARE:
            fields = _fields(line)
            fields[4:7] = frequent[int(FREQUENT_TRAVELLERS * rng.random() ** 2)]
            lines[i] = _line(fields)
        elif draw < FREQUENT_SHARE + DIRTY_SHARE:
            lines[i], extra = _dirty(rng, line)
            if extra is not None:
                repeated.append(extra)
    lines.extend(repeated)
    rng.shuffle(lines)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        fh.writelines(lines)
    return len(lines)


def _dirty(rng: random.Random, line: str) -> tuple[str, str | None]:
    """A spoilt or untidy version of `line`, and maybe a second row repeating its card number."""
    fields = _fields(line)
    kind = rng.randrange(6)
    if kind == 0:  # untidy but valid: other cases, spaces around codes
        fields[1] = fields[1].upper()
        fields[3] = f" {fields[3].lower()} "
        fields[9] = fields[9].lower()
    elif kind == 1:
        fields[2] = fields[2][:8] + "31" if fields[2][5:7] in ("02", "04", "06") else "2025-13-01"
    elif kind == 2:
        fields[3] = "XXX"
    elif kind == 3:
        del fields[7]
    elif kind == 4:  # the same row twice: once stored, once already present
        return line, line
    else:  # the card number again with other data: a conflict
        other = list(fields)
        other[7] = "F" if fields[7] == "M" else "M"
        return line, _line(other)
    return _line(fields), None


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]))


def _line(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
