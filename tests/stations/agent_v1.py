"""FROZEN COPY of the station agent as shipped before the API layer (safar-station-agent/1,
commit eca783d), kept unchanged so tests prove that agents already in the field still upload,
retry and set refusals aside against today's server. Do not edit; do not import from src.

The station agent: watch the scanner's folder and send every new scan to intake exactly once.

    safar station watch DIR --server URL --token TOKEN [--once]
    python -m safar.stations.agent watch DIR ...        (the same, without Django)

It runs on the station PC with the standard library and requests only: no Django, no database
server. Its memory is a journal, an SQLite file in the folder (DIR/.safar-journal.sqlite3) that
records every file's state, so a restart (after a crash, a power cut, a reboot) resumes where the
last run stopped:

    (in memory) waiting --stable, hashed--> queued --server acknowledged--> sent --moved--> done
                                              \\--server refused--> refused --moved--> set_aside
    done --after --keep-days--> purged (deleted from DIR/sent/)

A file is marked sent only once the server acknowledged it; a file whose answer was lost is sent
again, and the server, which keys files by SHA-256, answers "already held" without a second copy.
So the file is stored once whatever fails between the two machines. Unsent files are never deleted.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import sqlite3
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

JOURNAL_NAME = ".safar-journal.sqlite3"
LOCK_NAME = ".safar-agent.lock"
SENT_DIR = "sent"
REFUSED_DIR = "refused"
# Names scanner software and operating systems leave behind that are never scans, and the
# suffixes of files still being written by a program that renames them when done.
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
PARTIAL_SUFFIXES = {".tmp", ".part", ".partial", ".crdownload", ".temp", ".download"}

EXIT_OK, EXIT_UNSENT, EXIT_CONFIG, EXIT_REFUSED = 0, 1, 2, 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('queued', 'sent', 'done', 'refused', 'set_aside', 'vanished', 'purged')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    moved_to TEXT NOT NULL DEFAULT '',
    queued_at REAL NOT NULL,
    sent_at REAL
);
-- One live row per file name: a name is free again once its file has left the folder.
CREATE UNIQUE INDEX IF NOT EXISTS files_live_name ON files (name)
    WHERE state IN ('queued', 'sent', 'refused');
CREATE INDEX IF NOT EXISTS files_state ON files (state, id);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
"""
LIVE_STATES = ("queued", "sent", "refused")


class ConfigError(Exception):
    """The agent cannot work as configured (bad token, folder, another agent running)."""


@dataclass
class Row:
    id: int
    name: str
    size: int
    mtime_ns: int
    sha256: str
    state: str
    attempts: int
    moved_to: str
    sent_at: float | None


class Journal:
    """The agent's durable memory of every file, in one SQLite file. Every change commits."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: after a power cut the journal is intact but may have lost its last few
        # changes. That is safe here: a file whose "sent" was lost is still in the folder and is
        # asked about again (the server answers "already held"), or already in sent/. It saves an
        # fsync per change, which on a station PC's disk is most of the time a file takes.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    @contextmanager
    def batch(self):
        """Group many changes into one transaction (a look at a folder of 2,000 new files)."""
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def _rows(self, where: str, *params) -> list[Row]:
        cursor = self.db.execute(
            "SELECT id, name, size, mtime_ns, sha256, state, attempts, moved_to, sent_at "
            f"FROM files WHERE {where} ORDER BY id",
            params,
        )
        return [Row(*values) for values in cursor.fetchall()]

    def live(self) -> dict[str, Row]:
        """Rows of files that are still in the folder (queued, or decided but not yet moved)."""
        return {row.name: row for row in self._rows("state IN ('queued', 'sent', 'refused')")}

    def in_state(self, state: str) -> list[Row]:
        return self._rows("state = ?", state)

    def queue(self, *, name: str, size: int, mtime_ns: int, sha256: str) -> None:
        self.db.execute(
            "INSERT INTO files (name, size, mtime_ns, sha256, state, queued_at) "
            "VALUES (?, ?, ?, ?, 'queued', ?)",
            (name, size, mtime_ns, sha256, time.time()),
        )

    def forget(self, row: Row) -> None:
        """Drop a queued row whose file changed since it was hashed; it is hashed again."""
        self.db.execute("DELETE FROM files WHERE id = ? AND state = 'queued'", (row.id,))

    def set_state(self, row: Row, state: str, **values) -> None:
        columns = ", ".join(f"{column} = ?" for column in values)
        self.db.execute(
            f"UPDATE files SET state = ?{', ' if values else ''}{columns} WHERE id = ?",
            (state, *values.values(), row.id),
        )
        row.state = state

    def failed_attempt(self, row: Row, error: str) -> None:
        row.attempts += 1
        self.db.execute(
            "UPDATE files SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error[:500], row.id),
        )

    def expired(self, before: float) -> list[Row]:
        return self._rows("state = 'done' AND sent_at < ?", before)

    def has_sent(self, sha256: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM files WHERE sha256 = ? AND state IN "
                "('sent', 'done', 'purged') LIMIT 1",
                (sha256,),
            ).fetchone()
            is not None
        )


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt to deliver a file."""

    kind: str  # "stored", "held", "refused", "retry"
    code: str = ""
    message: str = ""


class Client:
    """The intake API as the agent sees it. Network trouble and 5xx answers become "retry"."""

    def __init__(self, server: str, token: str, *, timeout: float, language: str | None):
        self.base = server.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Station {token}"
        self.session.headers["User-Agent"] = "safar-station-agent/1"
        if language:
            self.session.headers["Accept-Language"] = language
        self.timeout = (min(10.0, timeout), timeout)

    def _request(self, method: str, path: str, **kwargs) -> requests.Response | Outcome:
        try:
            response = self.session.request(
                method, self.base + path, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            return Outcome("retry", message=type(exc).__name__)
        if response.status_code == 401:
            raise ConfigError("the server does not accept this station token (revoked?)")
        if response.status_code >= 500 or response.status_code in (408, 429):
            return Outcome("retry", message=f"HTTP {response.status_code}")
        return response

    def hello(self, *, queued: int) -> dict | Outcome:
        answer = self._request("POST", "/api/stations/hello", json={"queued": queued})
        if isinstance(answer, Outcome):
            return answer
        if answer.status_code != 200:
            return Outcome("retry", message=f"HTTP {answer.status_code}")
        return answer.json()

    def held(self, sha256: str) -> Outcome | None:
        """ "held" when the server has the file; None when it has not; "retry" on trouble."""
        answer = self._request("GET", f"/api/stations/held/{sha256}")
        if isinstance(answer, Outcome):
            return answer
        if answer.status_code != 200:
            return Outcome("retry", message=f"HTTP {answer.status_code}")
        return Outcome("held") if answer.json().get("held") else None

    def upload(self, path: Path, *, name: str, sha256: str) -> Outcome:
        with path.open("rb") as body:
            # requests sends an empty file object chunked, without Content-Length: send b"".
            answer = self._request(
                "POST",
                "/api/stations/upload",
                data=body if path.stat().st_size else b"",
                headers={
                    "Content-Type": "application/octet-stream",
                    "X-Safar-Filename": quote(name, safe=""),
                    "X-Safar-SHA256": sha256,
                },
            )
        if isinstance(answer, Outcome):
            return answer
        try:
            payload = answer.json()
        except ValueError:
            payload = {}
        if answer.status_code == 201:
            return Outcome("stored")
        if answer.status_code == 200 and payload.get("status") == "already_held":
            return Outcome("held")
        if 400 <= answer.status_code < 500 and payload.get("refused"):
            return Outcome(
                "refused", code=str(payload.get("code", "")), message=str(payload.get("error", ""))
            )
        # A malformed request or an unexpected answer: keep the file and try again later.
        return Outcome("retry", message=f"HTTP {answer.status_code}")


class Backoff:
    """Exponential backoff with jitter: base, 2×base, 4×base … up to `cap`, each delay drawn
    between half and all of it, so stations cut off together do not all return together."""

    def __init__(self, base: float, cap: float):
        self.base, self.cap = base, cap
        self.failures = 0
        self.until = 0.0

    def failed(self) -> float:
        ceiling = min(self.cap, self.base * 2**self.failures)
        self.failures += 1
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        self.until = time.monotonic() + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self.until = 0.0

    def remaining(self) -> float:
        return max(0.0, self.until - time.monotonic())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def looks_complete(path: Path, size: int) -> bool:
    """Whether a PNG, JPEG or PDF ends the way a finished one does (other types: assume so).

    A scanner that pauses mid-write leaves a file whose size holds still for a moment; its end
    marker is what is missing. Such a file is given longer to settle, then sent anyway (intake
    refuses it if it really is damaged)."""
    suffix = path.suffix.lower()
    markers = {
        ".png": b"IEND\xaeB`\x82",
        ".jpg": b"\xff\xd9",
        ".jpeg": b"\xff\xd9",
        ".pdf": b"%%EOF",
    }
    if suffix not in markers:
        return True
    with path.open("rb") as handle:
        handle.seek(max(0, size - 1024))
        return markers[suffix] in handle.read()


@dataclass
class Counts:
    waiting: int = 0
    queued: int = 0
    sent: int = 0
    refused: int = 0
    failed: int = 0
    bytes_sent: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self, note: str = "") -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        text = (
            f"waiting {self.waiting} · queued {self.queued} · sent {self.sent} · "
            f"refused {self.refused} · failed attempts {self.failed} · "
            f"{self.bytes_sent / 2**20:.1f} MB, {self.sent / elapsed:.1f} files/s"
        )
        return f"{text} · {note}" if note else text


class Status:
    """One status line: redrawn in place on a terminal, printed now and then in a service log.
    It shows counts only, never file names (an operator may have named a file after a person)."""

    def __init__(self, stream, *, interval: float = 30.0, quiet: bool = False):
        self.stream, self.quiet = stream, quiet
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.interval = 0.2 if self.tty else interval
        self.last = 0.0
        self.last_text = ""

    def show(self, counts: Counts, note: str = "", *, force: bool = False) -> None:
        if self.quiet and not force:
            return
        text = counts.line(note)
        now = time.monotonic()
        if not force and (now - self.last < self.interval or text == self.last_text):
            return
        self.last, self.last_text = now, text
        if self.tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def say(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(message + "\n")
        self.stream.flush()


@dataclass
class Settings:
    folder: Path
    server: str
    token: str
    once: bool = False
    settle: float = 2.0
    poll: float = 1.0
    keep_days: float = 30.0
    timeout: float = 60.0
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    retries: int | None = None
    heartbeat: float = 60.0
    language: str | None = None
    quiet: bool = False


class Agent:
    def __init__(self, settings: Settings, *, out=None):
        self.s = settings
        self.folder = settings.folder
        self.sent_dir = self.folder / SENT_DIR
        self.refused_dir = self.folder / REFUSED_DIR
        self.client = Client(
            settings.server, settings.token, timeout=settings.timeout, language=settings.language
        )
        self.backoff = Backoff(settings.backoff_base, settings.backoff_cap)
        self.counts = Counts()
        self.status = Status(out or sys.stderr, quiet=settings.quiet)
        self.stop = threading.Event()
        # name -> (size, mtime_ns, monotonic time this size and mtime were first seen)
        self.observed: dict[str, tuple[int, int, float]] = {}
        self.journal: Journal | None = None
        self.last_hello = float("-inf")
        self.last_purge = float("-inf")

    # --- the folder -------------------------------------------------------------------------

    def candidates(self) -> dict[str, os.stat_result]:
        """Files in the folder that may be scans (top level only; our own folders excluded)."""
        found = {}
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name = entry.name
                if (
                    name.startswith((".", "~"))
                    or name.lower() in IGNORED_NAMES
                    or Path(name).suffix.lower() in PARTIAL_SUFFIXES
                ):
                    continue
                try:
                    if entry.is_file(follow_symlinks=False):
                        found[name] = entry.stat(follow_symlinks=False)
                except OSError:  # vanished between listing and stat
                    continue
        return found

    def is_stable(self, name: str, stat: os.stat_result) -> bool:
        """Size and modification time unchanged for `settle` seconds, and the file can be opened
        (on Windows a file the scanner still writes cannot be)."""
        now = time.monotonic()
        key = (stat.st_size, stat.st_mtime_ns)
        seen = self.observed.get(name)
        if seen is None or seen[:2] != key:
            self.observed[name] = (*key, now)
            return False
        path = self.folder / name
        settle = self.s.settle
        try:
            with path.open("rb"):
                pass
            # An empty file, or one without its format's end marker, is most likely still being
            # written: give it longer; if it stays so, intake refuses it with a reason.
            if stat.st_size == 0 or not looks_complete(path, stat.st_size):
                settle *= 10
        except OSError:
            return False
        return now - seen[2] >= settle

    def scan_folder(self) -> None:
        """Queue every new file that has settled; forget queued files that changed since."""
        with self.journal.batch():
            self._scan_folder()
        self.counts.waiting = len(self.observed)
        self.counts.queued = len(self.journal.in_state("queued"))

    def _scan_folder(self) -> None:
        live = self.journal.live()
        found = self.candidates()
        for name in list(self.observed):
            if name not in found:
                del self.observed[name]
        # Oldest first, so scans reach the centre in the order they were made.
        for name, stat in sorted(found.items(), key=lambda item: (item[1].st_mtime_ns, item[0])):
            row = live.get(name)
            if row is not None:
                if row.state == "queued" and (row.size, row.mtime_ns) != (
                    stat.st_size,
                    stat.st_mtime_ns,
                ):
                    self.journal.forget(row)  # rewritten after hashing: hash it again
                    self.observed.pop(name, None)
                continue
            if self.is_stable(name, stat):
                sha = sha256_of(self.folder / name)
                after = (self.folder / name).stat()
                if (after.st_size, after.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                    self.journal.queue(
                        name=name, size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha256=sha
                    )
                    self.observed.pop(name, None)
        for name, row in live.items():
            if row.state == "queued" and name not in found:
                self.journal.set_state(row, "vanished")  # removed by someone; nothing to send

    # --- moving files out of the way ----------------------------------------------------------

    def _free_path(self, folder: Path, name: str, sha256: str) -> Path:
        target = folder / name
        if not target.exists():
            return target
        stem, suffix = Path(name).stem, Path(name).suffix
        for n in range(1000):
            extra = f"-{sha256[:8]}" + (f"-{n}" if n else "")
            target = folder / f"{stem}{extra}{suffix}"
            if not target.exists():
                return target
        raise OSError(f"no free name in {folder}")

    def finish(self, row: Row) -> None:
        """Move a decided file out of the folder and record where it went.

        Also completes a move a previous run was killed in the middle of: the journal says sent
        or refused, and the file is either still here or already moved."""
        source = self.folder / row.name
        if row.state == "sent":
            if source.exists():
                self.sent_dir.mkdir(exist_ok=True)
                target = self._free_path(self.sent_dir, row.name, row.sha256)
                os.replace(source, target)
                self.journal.set_state(row, "done", moved_to=str(target.relative_to(self.folder)))
            else:
                self.journal.set_state(row, "done")
        elif row.state == "refused":
            if source.exists():
                self.refused_dir.mkdir(exist_ok=True)
                target = self._free_path(self.refused_dir, row.name, row.sha256)
                reason = self.journal.db.execute(
                    "SELECT reason FROM files WHERE id = ?", (row.id,)
                ).fetchone()[0]
                Path(f"{target}.reason.txt").write_text(reason + "\n", encoding="utf-8")
                os.replace(source, target)
                self.journal.set_state(
                    row, "set_aside", moved_to=str(target.relative_to(self.folder))
                )
            else:
                self.journal.set_state(row, "set_aside")

    def purge_sent(self) -> None:
        """Delete files from DIR/sent/ that were sent more than --keep-days ago. Only files the
        journal moved there as sent are touched."""
        before = time.time() - self.s.keep_days * 86400
        for row in self.journal.expired(before):
            if row.moved_to:
                try:
                    (self.folder / row.moved_to).unlink()
                except FileNotFoundError:
                    pass
            self.journal.set_state(row, "purged")

    # --- talking to the server ----------------------------------------------------------------

    def deliver(self, row: Row) -> Outcome:
        path = self.folder / row.name
        # After an attempt whose answer never came, or for a file sent before under another
        # name, ask first: on a slow link the question is far cheaper than the file.
        if row.attempts or self.journal.has_sent(row.sha256):
            asked = self.client.held(row.sha256)
            if asked is not None:
                return asked
        return self.client.upload(path, name=row.name, sha256=row.sha256)

    def send_queued(self) -> None:
        for row in self.journal.in_state("queued"):
            if self.stop.is_set() or self.backoff.remaining() > 0:
                return
            self.status.show(self.counts, "sending")
            outcome = self.deliver(row)
            if outcome.kind == "retry":
                self.journal.failed_attempt(row, outcome.message)
                self.counts.failed += 1
                delay = self.backoff.failed()
                self.status.show(
                    self.counts,
                    f"{outcome.message}, retry in {delay:.1f} s",
                    force=not self.s.quiet,
                )
                return
            self.backoff.succeeded()
            if (
                outcome.kind == "refused"
                and outcome.code == "hash_mismatch"
                and sha256_of(self.folder / row.name) != row.sha256
            ):
                self.journal.forget(row)  # the file changed after hashing; hash it again
                continue
            if outcome.kind == "refused":
                self.journal.set_state(row, "refused", reason=f"{outcome.code}: {outcome.message}")
                self.counts.refused += 1
            else:
                self.journal.set_state(row, "sent", sent_at=time.time())
                self.counts.sent += 1
                self.counts.bytes_sent += row.size if outcome.kind == "stored" else 0
            self.counts.queued -= 1
            try:
                self.finish(row)
            except OSError as exc:  # retried by finish_decided; the decision is journaled
                self.status.say(f"cannot move a {row.state} file yet: {exc.strerror}")

    def say_hello(self) -> None:
        """Tell the server this station is alive and how much waits here (it shows both on the
        directorate's dashboard). A failure is no matter: the next upload or hello will do."""
        queued = len(self.journal.in_state("queued")) + len(self.observed)
        self.client.hello(queued=queued)
        self.last_hello = time.monotonic()

    def finish_decided(self) -> None:
        """Move files that were acknowledged or refused but are still in the folder (a killed
        run, or a move the system refused a moment ago, e.g. a virus scanner holding the file)."""
        for state in ("sent", "refused"):
            for row in self.journal.in_state(state):
                try:
                    self.finish(row)
                except OSError as exc:
                    self.status.say(f"cannot move a {state} file yet: {exc.strerror}")

    # --- the loop -----------------------------------------------------------------------------

    def run(self) -> int:
        if not self.folder.is_dir():
            raise ConfigError(f"{self.folder} is not a folder")
        with _folder_lock(self.folder / LOCK_NAME):
            self.journal = Journal(self.folder / JOURNAL_NAME)
            try:
                return self._loop()
            finally:
                self.status.show(self.counts, "stopped" if self.stop.is_set() else "", force=True)
                if self.status.tty:
                    self.status.say("")
                self.journal.close()

    def _loop(self) -> int:
        self.say_hello()
        while not self.stop.is_set():
            now = time.monotonic()
            self.finish_decided()
            if now - self.last_purge > 3600:
                self.purge_sent()
                self.last_purge = now
            self.scan_folder()
            self.send_queued()
            if now - self.last_hello > self.s.heartbeat:
                self.say_hello()
            self.status.show(self.counts)
            if self.s.once:
                if not self.counts.waiting and not self.counts.queued:
                    return EXIT_REFUSED if self.counts.refused else EXIT_OK
                if self.s.retries is not None and self.backoff.failures > self.s.retries:
                    self.status.say(
                        f"giving up after {self.backoff.failures} failed attempts; "
                        f"{self.counts.queued} files stay queued for the next run"
                    )
                    return EXIT_UNSENT
            wait = self.backoff.remaining() or (
                min(self.s.poll, self.s.settle / 2) if self.counts.waiting else self.s.poll
            )
            self.stop.wait(wait)
        return EXIT_UNSENT if self.s.once and self.counts.queued else EXIT_OK


class _folder_lock:
    """An exclusive lock on a file in the folder: one agent per folder. The operating system
    releases it when the process dies, so a killed agent never blocks its successor."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, "a+b")
        try:
            if os.name == "nt":
                import msvcrt

                self.handle.seek(0)
                msvcrt.locking(self.handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            raise ConfigError(f"another agent is already watching {self.path.parent}") from None
        return self

    def __exit__(self, *exc):
        self.handle.close()


def build_parser(
    prog: str = "safar station watch",
    *,
    add_help: bool = True,
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        add_help=add_help,
        description="Send every scan saved in DIR to the central server, exactly once.",
    )
    parser.add_argument(
        "folder", metavar="DIR", type=Path, help="the folder the scanner saves into"
    )
    parser.add_argument(
        "--server", required=True, help="the central server, e.g. https://safar.example.tj"
    )
    token = parser.add_mutually_exclusive_group(required=True)
    token.add_argument("--token", help="this station's token (shown by `safar station add`)")
    token.add_argument(
        "--token-file",
        type=Path,
        help="a file holding the token (keeps it out of the process list)",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="send what is there and exit: 0 when everything was sent",
    )
    parser.add_argument(
        "--keep-days",
        type=float,
        default=30.0,
        help="days sent files stay in DIR/sent/ (default 30)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds a file must stay unchanged before it is sent (default 2)",
    )
    parser.add_argument(
        "--poll", type=float, default=1.0, help="seconds between looks at the folder (default 1)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the server (default 60)"
    )
    parser.add_argument(
        "--backoff",
        type=float,
        default=1.0,
        help="first retry delay in seconds, doubled each time (default 1)",
    )
    parser.add_argument(
        "--max-backoff",
        type=float,
        default=300.0,
        help="longest retry delay in seconds (default 300)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=None,
        help="with --once: give up after this many failures in a row "
        "(default 8; without --once it never gives up)",
    )
    parser.add_argument(
        "--language",
        choices=["tg", "ru", "en"],
        help="language of the reasons written beside refused files",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no running status line, only the summary at the end"
    )
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    if args.token_file:
        try:
            token = args.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"cannot read the token file {args.token_file}: {exc.strerror}"
            ) from None
    else:
        token = args.token.strip()
    if not token:
        raise ConfigError("the token is empty")
    retries = args.retries if args.retries is not None else (8 if args.once else None)
    return Settings(
        folder=args.folder,
        server=args.server,
        token=token,
        once=args.once,
        settle=args.settle,
        poll=args.poll,
        keep_days=args.keep_days,
        timeout=args.timeout,
        backoff_base=args.backoff,
        backoff_cap=args.max_backoff,
        retries=retries,
        language=args.language,
        quiet=args.quiet,
    )


def run_agent(args: argparse.Namespace, *, out=None) -> int:
    """Run the agent with parsed arguments until done (--once) or stopped; return the exit code.

    SIGTERM (a service manager stopping it), SIGINT (Ctrl-C) and, on Windows, Ctrl-Break stop
    it cleanly: the file in flight stays queued and is asked about again on the next start."""
    out = out or sys.stderr
    try:
        agent = Agent(settings_from(args), out=out)
    except ConfigError as exc:
        out.write(f"error: {exc}\n")
        return EXIT_CONFIG

    def stop(signum, frame):
        agent.stop.set()
        raise KeyboardInterrupt

    previous = {}
    for name in ("SIGTERM", "SIGINT", "SIGBREAK"):
        if hasattr(signal, name) and threading.current_thread() is threading.main_thread():
            previous[name] = signal.signal(getattr(signal, name), stop)
    try:
        return agent.run()
    except KeyboardInterrupt:
        agent.stop.set()
        return EXIT_UNSENT if args.once else EXIT_OK
    except ConfigError as exc:
        agent.status.say(f"error: {exc}")
        return EXIT_CONFIG
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["watch"]:
        argv = argv[1:]
    return run_agent(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
