"""While a big import runs on SQLite, other writers (the web) get their turn between its chunks.

SQLite has one writer at a time; a writer waits at most its busy timeout (20 s in the settings)
and then fails with "database is locked". The import therefore commits every fraction of a
second of work, and here a second connection writes all along while a real import process works
on a database file.
"""

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest
from django.db import connection

from safar.crossings.synthetic import write_csv

ROWS = 50_000


@pytest.mark.slow
def test_another_writer_gets_its_turn_while_a_big_import_runs(tmp_path, reference_data):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single writer is the concern; PostgreSQL locks rows")
    # The test database (migrated, reference data) copied to a file both processes open.
    database = tmp_path / "safar.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(database)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("CREATE TABLE probe (n integer)")
    target.close()
    path = tmp_path / "big.csv"
    write_csv(path, ROWS, seed=2, start=date(2023, 1, 1), end=date(2025, 12, 31), districts={})

    writer = sqlite3.connect(database, timeout=20, isolation_level=None)  # the busy timeout
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SAFAR_DATA_DIR": str(tmp_path),
    }
    importing = subprocess.Popen(
        [sys.executable, "-m", "safar.cli", "import-crossings", str(path), "--no-progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    waits, stored_seen = [], []
    try:
        while importing.poll() is None:
            started = time.perf_counter()
            writer.execute("BEGIN IMMEDIATE")  # raises "database is locked" after 20 s
            writer.execute("INSERT INTO probe VALUES (1)")
            writer.execute("COMMIT")
            waits.append(time.perf_counter() - started)
            stored_seen.append(
                writer.execute("SELECT count(*) FROM crossings_crossing").fetchone()[0]
            )
            time.sleep(0.05)
        out, err = importing.communicate(timeout=60)
    finally:
        if importing.poll() is None:
            importing.kill()
        writer.close()
    assert importing.returncode == 0, err
    assert f"{ROWS:,} stored" in out
    # The writer got in between the import's chunks (part of the rows stored), several times,
    # and never waited long.
    between = [n for n in stored_seen if 0 < n < ROWS]
    assert len(set(between)) >= 3, stored_seen
    assert max(waits) < 10, max(waits)
    # The other writer's commits made the import plan its chunks again under the lock; the
    # cells still equal a recomputation.
    check = subprocess.run(
        [sys.executable, "-m", "safar.cli", "check-aggregates"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
