"""The station agent against a real HTTP server (pytest-django's live server): files settle,
are sent once, set aside when refused, and survive lost answers and crashes between steps."""

import os
import shutil
import socket
import sqlite3
import threading
import time
from io import StringIO
from pathlib import Path

import pytest

from safar.capture.models import Upload
from safar.stations import agent as agent_module
from safar.stations.agent import JOURNAL_NAME, Agent, Settings
from safar.stations.models import RefusedUpload

from .conftest import png_bytes, sha

pytestmark = pytest.mark.django_db(transaction=True)


def make_agent(folder: Path, server: str, token: str, **options) -> Agent:
    values = dict(
        once=True,
        settle=0.05,
        poll=0.02,
        backoff_base=0.05,
        backoff_cap=0.2,
        timeout=5,
        retries=20,
        quiet=True,
    )
    values.update(options)
    return Agent(Settings(folder=folder, server=server, token=token, **values), out=StringIO())


def journal_states(folder: Path) -> dict[str, int]:
    with sqlite3.connect(folder / JOURNAL_NAME) as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM files GROUP BY state").fetchall())


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "scans"
    path.mkdir()
    return path


def write_scans(folder: Path, count: int, start: int = 0) -> list[bytes]:
    contents = []
    for seed in range(start, start + count):
        content = png_bytes(seed)
        (folder / f"scan-{seed:04d}.png").write_bytes(content)
        contents.append(content)
    return contents


def test_every_file_is_sent_once_and_moved_to_sent(live_server, du_station, folder):
    contents = write_scans(folder, 5)
    assert make_agent(folder, live_server.url, du_station[1]).run() == 0
    assert set(Upload.objects.values_list("sha256", flat=True)) == {sha(c) for c in contents}
    assert sorted(p.name for p in (folder / "sent").iterdir()) == [
        f"scan-{n:04d}.png" for n in range(5)
    ]
    assert not list(folder.glob("*.png"))
    assert journal_states(folder) == {"done": 5}


def test_the_same_file_twice_is_stored_once(live_server, du_station, folder):
    content = png_bytes(1)
    (folder / "a.png").write_bytes(content)
    (folder / "copy-of-a.png").write_bytes(content)
    assert make_agent(folder, live_server.url, du_station[1]).run() == 0
    # Sent again later, after the first was moved away: still one file on the server.
    (folder / "a.png").write_bytes(content)
    assert make_agent(folder, live_server.url, du_station[1]).run() == 0
    assert Upload.objects.count() == 1
    assert len(list((folder / "sent").iterdir())) == 3
    assert journal_states(folder) == {"done": 3}


def test_a_corrupt_file_is_refused_and_set_aside_with_its_reason(live_server, du_station, folder):
    write_scans(folder, 2)
    (folder / "broken.png").write_bytes(png_bytes(9)[:-40])  # cut short: no IEND
    (folder / "notes.txt").write_text("not a scan")
    agent = make_agent(folder, live_server.url, du_station[1])
    assert agent.run() == agent_module.EXIT_REFUSED
    assert (agent.counts.sent, agent.counts.refused) == (2, 2)
    assert Upload.objects.count() == 2
    refused = folder / "refused"
    assert sorted(p.name for p in refused.iterdir()) == [
        "broken.png",
        "broken.png.reason.txt",
        "notes.txt",
        "notes.txt.reason.txt",
    ]
    assert (refused / "broken.png.reason.txt").read_text().startswith("corrupt: ")
    assert (refused / "notes.txt.reason.txt").read_text().startswith("wrong_type: ")
    assert (refused / "broken.png").read_bytes() == png_bytes(9)[:-40]
    assert set(RefusedUpload.objects.values_list("code", flat=True)) == {"corrupt", "wrong_type"}


def test_a_file_still_being_written_is_not_sent_until_it_settles(live_server, du_station, folder):
    content = png_bytes(3, side=64)
    path = folder / "growing.png"
    agent = make_agent(folder, live_server.url, du_station[1], settle=0.3)
    agent.journal = agent_module.Journal(folder / JOURNAL_NAME)
    with path.open("wb") as handle:
        for start in range(0, len(content), 200):
            handle.write(content[start : start + 200])
            handle.flush()
            agent.scan_folder()
            agent.send_queued()
            assert agent.counts.queued == 0 and not Upload.objects.exists()
            time.sleep(0.05)
    agent.journal.close()
    assert make_agent(folder, live_server.url, du_station[1], settle=0.3).run() == 0
    assert Upload.objects.get().sha256 == sha(content)


def test_partial_and_system_files_are_left_alone(live_server, du_station, folder):
    (folder / "scan.png.part").write_bytes(png_bytes(4))
    (folder / "Thumbs.db").write_bytes(b"x")
    (folder / ".hidden.png").write_bytes(png_bytes(5))
    assert make_agent(folder, live_server.url, du_station[1]).run() == 0
    assert not Upload.objects.exists()
    assert (folder / "scan.png.part").exists() and (folder / "Thumbs.db").exists()


class LosingProxy:
    """A loopback TCP proxy that passes requests on to the server but, for the first `lose`
    uploads, throws the server's answer away and keeps the client waiting: the file is stored,
    the agent never hears so. The worst case for "exactly once"."""

    def __init__(self, target: tuple[str, int], lose: int):
        self.target, self.lose, self.lost = target, lose, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.closing = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.closing.is_set():
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(client,), daemon=True).start()

    def handle(self, client):
        upstream = socket.create_connection(self.target)
        losing = threading.Event()

        def forward_requests():
            try:
                while chunk := client.recv(65536):
                    if (
                        not losing.is_set()
                        and b"POST /api/stations/upload" in chunk
                        and self.lost < self.lose
                    ):
                        self.lost += 1
                        losing.set()
                    upstream.sendall(chunk)
            except OSError:
                pass

        threading.Thread(target=forward_requests, daemon=True).start()
        try:
            while chunk := upstream.recv(65536):
                if not losing.is_set():
                    client.sendall(chunk)
        except OSError:
            pass
        if losing.is_set():
            self.closing.wait(30)  # hold the client's connection open, unanswered
        client.close()
        upstream.close()

    def close(self):
        self.closing.set()
        self.listener.close()


def test_an_answer_lost_in_a_timeout_is_retried_and_the_file_stored_once(
    live_server, du_station, folder
):
    contents = write_scans(folder, 3)
    host, port = live_server.thread.host, live_server.thread.port
    proxy = LosingProxy((host, port), lose=2)
    try:
        agent = make_agent(folder, proxy.url, du_station[1], timeout=0.5)
        assert agent.run() == 0
    finally:
        proxy.close()
    assert proxy.lost == 2
    assert agent.counts.failed == 2 and agent.counts.sent == 3
    assert Upload.objects.count() == 3
    assert set(Upload.objects.values_list("sha256", flat=True)) == {sha(c) for c in contents}
    assert journal_states(folder) == {"done": 3}


def test_a_server_that_never_answers_leaves_every_file_queued(du_station, folder):
    contents = write_scans(folder, 2)
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        agent = make_agent(folder, url, du_station[1], timeout=0.2, retries=2)
        assert agent.run() == agent_module.EXIT_UNSENT
    finally:
        silent.close()
    assert agent.counts.failed == 3  # the first try and two retries
    assert sorted(p.read_bytes() for p in folder.glob("*.png")) == sorted(contents)
    assert journal_states(folder) == {"queued": 2}


def test_after_a_network_outage_the_next_run_sends_everything_once(live_server, du_station, folder):
    write_scans(folder, 3)
    closed_port = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{closed_port.getsockname()[1]}"
    closed_port.close()  # nothing listens: connection refused
    assert make_agent(folder, url, du_station[1], retries=1).run() == agent_module.EXIT_UNSENT
    assert make_agent(folder, live_server.url, du_station[1]).run() == 0
    assert Upload.objects.count() == 3
    assert journal_states(folder) == {"done": 3}


def test_a_run_killed_between_acknowledgement_and_move_is_completed(
    live_server, du_station, folder
):
    """The three places a crash can interrupt a file: acknowledged but not journaled, journaled
    sent but not moved, moved but not journaled. A restart finishes each, sending nothing twice."""
    write_scans(folder, 3)
    first = make_agent(folder, live_server.url, du_station[1])
    first.journal = agent_module.Journal(folder / JOURNAL_NAME)
    first.scan_folder()
    time.sleep(0.1)
    first.scan_folder()
    rows = first.journal.in_state("queued")
    assert len(rows) == 3
    # scan-0000: the server stored it, the answer was lost (journal still says queued).
    assert (
        first.client.upload(folder / rows[0].name, name=rows[0].name, sha256=rows[0].sha256).kind
        == "stored"
    )
    # scan-0001: journaled as sent, killed before the move.
    first.client.upload(folder / rows[1].name, name=rows[1].name, sha256=rows[1].sha256)
    first.journal.set_state(rows[1], "sent", sent_at=time.time())
    # scan-0002: journaled as sent and moved, killed before the journal said so.
    first.client.upload(folder / rows[2].name, name=rows[2].name, sha256=rows[2].sha256)
    first.journal.set_state(rows[2], "sent", sent_at=time.time())
    (folder / "sent").mkdir()
    os.replace(folder / rows[2].name, folder / "sent" / rows[2].name)
    first.journal.close()

    again = make_agent(folder, live_server.url, du_station[1])
    assert again.run() == 0
    assert Upload.objects.count() == 3
    assert again.counts.sent == 1  # only scan-0000 needed asking again; the server held it
    assert sorted(p.name for p in (folder / "sent").iterdir()) == sorted(r.name for r in rows)
    assert journal_states(folder) == {"done": 3}


def test_sent_files_are_deleted_after_keep_days_and_unsent_never(live_server, du_station, folder):
    write_scans(folder, 2)
    assert make_agent(folder, live_server.url, du_station[1]).run() == 0
    with sqlite3.connect(folder / JOURNAL_NAME) as db:
        db.execute("UPDATE files SET sent_at = sent_at - 31 * 86400 WHERE name = 'scan-0000.png'")
    (folder / "sent" / "stranger.png").write_bytes(png_bytes(99))  # not the agent's: kept
    write_scans(folder, 1, start=50)
    silent_port = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{silent_port.getsockname()[1]}"
    silent_port.close()
    make_agent(folder, url, du_station[1], retries=0, keep_days=30).run()
    assert sorted(p.name for p in (folder / "sent").iterdir()) == ["scan-0001.png", "stranger.png"]
    assert (folder / "scan-0050.png").exists()  # unsent: never deleted
    assert journal_states(folder) == {"purged": 1, "done": 1, "queued": 1}


def test_a_revoked_token_stops_the_agent_with_a_clear_error(live_server, du_station, folder):
    station, token = du_station
    station.tokens.update(revoked_at="2026-11-01T00:00:00Z")
    write_scans(folder, 1)
    out = StringIO()
    args = agent_module.build_parser().parse_args(
        [str(folder), "--server", live_server.url, "--token", token, "--once", "--quiet"]
    )
    assert agent_module.run_agent(args, out=out) == agent_module.EXIT_CONFIG
    assert "token" in out.getvalue()
    assert (folder / "scan-0000.png").exists()


def test_two_agents_may_not_watch_one_folder(live_server, du_station, folder):
    with agent_module._folder_lock(folder / agent_module.LOCK_NAME):
        with pytest.raises(agent_module.ConfigError, match="another agent"):
            make_agent(folder, live_server.url, du_station[1]).run()


def test_a_file_name_taken_in_sent_gets_a_distinct_name(live_server, du_station, folder):
    (folder / "scan.png").write_bytes(png_bytes(1))
    make_agent(folder, live_server.url, du_station[1]).run()
    (folder / "scan.png").write_bytes(png_bytes(2))  # the scanner's counter started again
    make_agent(folder, live_server.url, du_station[1]).run()
    names = {p.name for p in (folder / "sent").iterdir()}
    assert names == {"scan.png", f"scan-{sha(png_bytes(2))[:8]}.png"}
    assert Upload.objects.count() == 2
    shutil.rmtree(folder)
