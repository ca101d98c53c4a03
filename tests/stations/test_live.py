"""The agent and intake as separate processes on loopback, the way they run in production:
gunicorn against the test database (PostgreSQL) or a migrated SQLite file, and agents started
with `safar station watch`. Killing either side mid-way loses nothing and stores nothing twice."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from safar.stations.agent import JOURNAL_NAME
from safar.stations.loopback import Gunicorn

from .conftest import png_bytes, sha

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SAFAR = [sys.executable, "-m", "safar.cli"]
FAST_AGENT = [
    "--settle",
    "0.1",
    "--poll",
    "0.05",
    "--backoff",
    "0.1",
    "--max-backoff",
    "0.5",
    "--timeout",
    "10",
    "--quiet",
]


@dataclass
class Site:
    env: dict[str, str]
    token: str
    sqlite_file: Path | None

    def uploads(self) -> list[str]:
        """The SHA-256 of every stored upload (with repeats, if there ever were any)."""
        if self.sqlite_file is None:
            from safar.capture.models import Upload

            return list(Upload.objects.values_list("sha256", flat=True))
        with sqlite3.connect(self.sqlite_file) as db:
            return [row[0] for row in db.execute("SELECT sha256 FROM capture_upload")]

    def stats(self) -> dict:
        out = subprocess.run(
            [*SAFAR, "intake", "stats", "--json"],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return json.loads(out.stdout)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite database with station LIVE-1, made once per test session."""
    folder = tmp_path_factory.mktemp("intake-template")
    env = {
        **os.environ,
        "SAFAR_DATA_DIR": str(folder / "data"),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
    }
    subprocess.run([*SAFAR, "migrate", "--no-input", "-v0"], env=env, check=True, timeout=300)
    added = subprocess.run(
        [*SAFAR, "station", "add", "LIVE-1", "--centre", "ICC-DU"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return folder / "db.sqlite3", added.stdout.strip().splitlines()[-1]


@pytest.fixture
def site(request, tmp_path) -> Site:
    env = {"SAFAR_DATA_DIR": str(tmp_path / "data"), "SAFAR_SECRET_KEY": "live-test-key"}
    if connection.vendor == "postgresql":
        from safar.stations.services import register_station

        request.getfixturevalue("offices")

        _station, token = register_station(name="LIVE-1", centre_code="ICC-DU")
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        return Site(env, token, None)
    template, token = request.getfixturevalue("sqlite_template")
    shutil.copy(template, tmp_path / "db.sqlite3")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return Site(env, token, tmp_path / "db.sqlite3")


@pytest.fixture
def server(site, tmp_path):
    running = Gunicorn(env=site.env, workers=2, log=tmp_path / "gunicorn.log").start()
    yield running
    running.kill()


def write_scans(folder: Path, count: int, side: int = 120) -> set[str]:
    folder.mkdir(exist_ok=True)
    hashes = set()
    for seed in range(count):
        content = png_bytes(1000 + seed, side=side)
        (folder / f"scan-{seed:04d}.png").write_bytes(content)
        hashes.add(sha(content))
    return hashes


def start_agent(folder: Path, server_url: str, token: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *SAFAR,
            "station",
            "watch",
            str(folder),
            "--server",
            server_url,
            "--token",
            token,
            *FAST_AGENT,
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_sent(folder: Path, at_least: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = folder / "sent"
        count = len(list(sent.iterdir())) if sent.exists() else 0
        if count >= at_least:
            return count
        time.sleep(0.02)
    raise AssertionError(f"fewer than {at_least} files sent within {timeout} s")


def journal_states(folder: Path) -> dict[str, int]:
    with sqlite3.connect(folder / JOURNAL_NAME) as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM files GROUP BY state").fetchall())


def assert_stored_exactly_once(site: Site, folder: Path, hashes: set[str]) -> None:
    stored = site.uploads()
    assert len(stored) == len(hashes) and set(stored) == hashes
    assert len(list((folder / "sent").iterdir())) == len(hashes)
    assert not list(folder.glob("*.png"))
    assert journal_states(folder) == {"done": len(hashes)}


def test_uploads_through_gunicorn_are_stored_and_read_by_a_separate_worker(site, server, tmp_path):
    folder = tmp_path / "scans"
    hashes = write_scans(folder, 3)
    agent = start_agent(folder, server.url, site.token, "--once")
    output, _ = agent.communicate(timeout=180)
    assert agent.returncode == 0, output
    assert_stored_exactly_once(site, folder, hashes)
    stats = site.stats()
    assert (stats["scans"], stats["by_station"]) == (3, {"LIVE-1": 3})
    assert stats["pending"] == 3  # nobody has read them: no worker is running yet
    # The task worker is a process of its own (`safar db_worker`), here run until the queue
    # is empty. Whatever the readers make of noise images, no file stays unread.
    worker = subprocess.run(
        [*SAFAR, "db_worker", "--batch", "--no-startup-delay"],
        env={**os.environ, **site.env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert site.stats()["pending"] == 0


def test_killing_the_server_mid_upload_loses_nothing_and_stores_nothing_twice(
    site, server, tmp_path
):
    folder = tmp_path / "scans"
    hashes = write_scans(folder, 30)
    agent = start_agent(folder, server.url, site.token, "--once", "--retries", "200")
    try:
        wait_for_sent(folder, 5)
        server.kill()  # master and workers at once, requests in flight included
        time.sleep(1.0)  # the agent keeps trying meanwhile and fails
        server.start()
        output, _ = agent.communicate(timeout=240)
    finally:
        agent.kill()
    assert agent.returncode == 0, output
    failed = int(output.rsplit("failed attempts ", 1)[1].split()[0])
    assert failed >= 1, output
    assert_stored_exactly_once(site, folder, hashes)


def test_killing_the_agent_mid_run_and_restarting_sends_each_file_once(site, server, tmp_path):
    folder = tmp_path / "scans"
    hashes = write_scans(folder, 40)
    agent = start_agent(folder, server.url, site.token)  # watch mode, as a service runs it
    try:
        wait_for_sent(folder, 8)
        agent.send_signal(signal.SIGKILL)
        agent.wait(timeout=30)
    finally:
        agent.kill()
    assert len(list((folder / "sent").iterdir())) < 40
    again = start_agent(folder, server.url, site.token, "--once")
    output, _ = again.communicate(timeout=240)
    assert again.returncode == 0, output
    assert_stored_exactly_once(site, folder, hashes)


def test_sigterm_stops_a_watching_agent_cleanly(site, server, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    agent = start_agent(folder, server.url, site.token)
    time.sleep(3)
    agent.send_signal(signal.SIGTERM)
    output, _ = agent.communicate(timeout=60)
    assert agent.returncode == 0, output
    assert "Traceback" not in output
