"""Registry of benchmark commands, filled by each app's `benchmarks.py`.

A benchmark is a callable taking the remaining command-line arguments (a list of strings) and
returning an exit code; it parses its own options with argparse and prints what it measured.
"""

from collections.abc import Callable

BENCHMARKS: dict[str, Callable[[list[str]], int]] = {}


def benchmark(name: str):
    """Decorator: register `func` as `safar bench <name>`."""

    def register(func):
        BENCHMARKS[name] = func
        return func

    return register


def rerun_against(url: str, *, name: str, argv: list[str], fresh: bool) -> int:
    """Run `safar bench <name> argv` again in a process whose settings point at `url`.

    Django reads its settings once per process, so switching to a benchmark database means a new
    process. `fresh` empties the database first (SQLite files removed; PostgreSQL dropped), else
    it is only created when missing. The benchmark calls this unless `running_against(url)`.
    """
    import os
    import sys
    from pathlib import Path

    if url.startswith("sqlite:///") and fresh:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if url.startswith(("postgres://", "postgresql://")):
        _prepare_postgres(url, fresh=fresh)
    env = {**os.environ, "DATABASE_URL": url, _RERUN_MARK: url}
    os.execve(sys.executable, [sys.executable, "-m", "safar.cli", "bench", name, *argv], env)
    return 1  # pragma: no cover - execve does not return


def running_against(url: str) -> bool:
    """True in the process that `rerun_against(url, …)` started."""
    import os

    return os.environ.get(_RERUN_MARK) == url


_RERUN_MARK = "SAFAR_BENCH_DATABASE"


def _prepare_postgres(url: str, *, fresh: bool) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    # A benchmark drops and fills its database: never let it touch a real one.
    if "bench" not in name:
        raise SystemExit(f"--database-url: the database name must contain 'bench' (got {name!r})")
    admin = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        if fresh:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
