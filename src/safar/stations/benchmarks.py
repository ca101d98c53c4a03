"""`safar bench intake`: several station agents sending to one central server at once.

Everything runs on this machine, on loopback only: a fresh database (SQLite file, or a
PostgreSQL database created for the run and dropped after), gunicorn with a few workers, and one
`safar station watch --once` process per station, each with its own folder of small unique PNG
scans. It measures the wall time from the agents' start to the last one's exit and checks, from
`safar intake stats --json`, that exactly stations × scans files were stored. Every loop is
bounded: agents give up after --retries failures in a row and the run after --deadline seconds.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from safar.core.benchmarks import benchmark

SAFAR = [sys.executable, "-m", "safar.cli"]
CENTRES = ["ICC-DU", "ICC-SU", "ICC-KT", "ICC-GB"]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _png(seed: int, side: int) -> bytes:
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("L", (side, side), rng.randbytes(side * side))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _database(kind: str, folder: Path) -> tuple[str, callable]:
    """A fresh database URL for the run and a function that removes it afterwards."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'intake.sqlite3'}", lambda: None
    url = urlsplit(kind)
    if url.scheme not in {"postgres", "postgresql"} or url.hostname not in LOOPBACK_HOSTS:
        raise SystemExit("--database is 'sqlite' or a postgres:// URL on a loopback address")
    import psycopg

    name = "safar_bench_intake"
    admin = url._replace(path="/postgres").geturl()

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    run(f"DROP DATABASE IF EXISTS {name}")
    run(f"CREATE DATABASE {name}")
    return url._replace(path=f"/{name}").geturl(), lambda: run(f"DROP DATABASE IF EXISTS {name}")


def _safar(env: dict, *args: str) -> str:
    done = subprocess.run([*SAFAR, *args], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"safar {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


@benchmark("intake")
def intake(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="safar bench intake", description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--scans", type=int, default=2000, help="files per station")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--database",
        default="sqlite",
        help="'sqlite' (a new file) or postgres://user@127.0.0.1:5432/any "
        "(a database safar_bench_intake is created there and dropped)",
    )
    parser.add_argument("--side", type=int, default=24, help="scan width and height in pixels")
    parser.add_argument("--deadline", type=float, default=1800, help="seconds before giving up")
    args = parser.parse_args(argv)
    if not 1 <= args.stations <= len(CENTRES) * 8:
        parser.error("--stations between 1 and 32")

    from safar.stations.loopback import Gunicorn

    work = Path(tempfile.mkdtemp(prefix="safar-bench-intake-"))
    server = None
    agents: list[subprocess.Popen] = []
    database_url, drop_database = _database(args.database, work)
    try:
        env = {
            **os.environ,
            "SAFAR_DATA_DIR": str(work / "data"),
            "DATABASE_URL": database_url,
            "SAFAR_SECRET_KEY": "bench-only",
            "SAFAR_LOG_LEVEL": "ERROR",
        }
        started = time.perf_counter()
        _safar(env, "migrate", "--no-input", "-v0")
        tokens = []
        for n in range(args.stations):
            out = _safar(
                env, "station", "add", f"BENCH-{n + 1}", "--centre", CENTRES[n % len(CENTRES)]
            )
            tokens.append(out.strip().splitlines()[-1])
        total_bytes = 0
        for n in range(args.stations):
            folder = work / f"station-{n + 1}"
            folder.mkdir()
            for i in range(args.scans):
                content = _png(n * 10_000_000 + i, args.side)
                total_bytes += len(content)
                (folder / f"scan-{i:05d}.png").write_bytes(content)
        print(
            f"prepared {args.stations} × {args.scans} scans ({total_bytes / 2**20:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )

        server = Gunicorn(env=env, workers=args.workers, log=work / "gunicorn.log").start()
        begin = time.perf_counter()
        for n, token in enumerate(tokens):
            agents.append(
                subprocess.Popen(
                    [
                        *SAFAR,
                        "station",
                        "watch",
                        str(work / f"station-{n + 1}"),
                        "--server",
                        server.url,
                        "--token",
                        token,
                        "--once",
                        "--settle",
                        "0.2",
                        "--poll",
                        "0.2",
                        "--backoff",
                        "0.5",
                        "--max-backoff",
                        "5",
                        "--retries",
                        "20",
                        "--quiet",
                    ],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        codes = []
        for agent in agents:
            remaining = max(1.0, args.deadline - (time.perf_counter() - begin))
            output, _ = agent.communicate(timeout=remaining)
            codes.append(agent.returncode)
            print(f"  agent: {output.strip().splitlines()[-1] if output.strip() else '(silent)'}")
        elapsed = time.perf_counter() - begin
    finally:
        for agent in agents:
            if agent.poll() is None:
                agent.kill()
        if server is not None:
            server.stop()

    try:
        stats = json.loads(_safar(env, "intake", "stats", "--json"))
    finally:
        drop_database()
        shutil.rmtree(work, ignore_errors=True)
    expected = args.stations * args.scans
    database = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    print(f"database {database}, gunicorn {args.workers} workers, {args.stations} agents")
    print(
        f"sent {expected} scans in {elapsed:.1f} s: {expected / elapsed:.0f} scans/s, "
        f"{total_bytes / 2**20 / elapsed:.2f} MB/s"
    )
    print(
        f"stored {stats['scans']} scans (expected {expected}); per station: "
        + ", ".join(f"{k} {v}" for k, v in stats["by_station"].items())
    )
    ok = (
        stats["scans"] == expected
        and all(c == 0 for c in codes)
        and all(v == args.scans for v in stats["by_station"].values())
    )
    print("OK: every scan stored exactly once" if ok else "FAILED: counts do not match")
    return 0 if ok else 1
