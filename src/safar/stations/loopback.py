"""A real central server on a loopback port, for the intake load test and the crash tests.

Runs gunicorn (Safar's production WSGI server, see docs/operations.md) in its own process group
so that it can be killed at once, master and workers, the way a power cut would.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving safar.wsgi on 127.0.0.1:`port` with `env` (DATABASE_URL, SAFAR_DATA_DIR)."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        port: int | None = None,
        workers: int = 2,
        log: Path | None = None,
    ):
        self.env = {**os.environ, **env, "SAFAR_ALLOWED_HOSTS": LOOPBACK}
        self.port = port or free_port()
        self.workers = workers
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, *, ready_within: float = 60.0) -> "Gunicorn":
        # --preload: the workers fork from a master that has imported Django already, so a
        # restarted server answers within a second or two.
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "safar.wsgi",
            "--preload",
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        output = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            command, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                requests.get(f"{self.url}/api/stations/held/0", timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {ready_within} s")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: requests in flight die mid-way."""
        if self.process is None:
            return
        try:  # the group outlives a master that already exited, while a worker lingers
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """A graceful stop (SIGTERM to the master), then SIGKILL for anything left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
