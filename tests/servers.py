"""Real servers for fault and load tests: gunicorn serving the app, and a private PostgreSQL.

The private PostgreSQL is a throwaway cluster in a temporary folder on its own port, so that a
test can stop and restart it without disturbing the PostgreSQL the rest of the suite uses.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status < 500:
                    return
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last}")


@dataclass
class Gunicorn:
    env: dict[str, str]
    workers: int = 2
    port: int = field(default_factory=free_port)
    app: str = "wsgi:app"
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        fd, name = tempfile.mkstemp(prefix="gunicorn-", suffix=".log")
        self.log = Path(name)
        self._log_file = os.fdopen(fd, "wb")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
                "--timeout",
                "60",
                self.app,
            ],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(self.url + "/healthz")
            self._wait_for_workers()
        except TimeoutError:
            self.stop()
            raise
        return self

    def _wait_for_workers(self, timeout: float = 20) -> None:
        # With preload_app the first worker may answer before the master has forked the others.
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < self.workers:
            if time.monotonic() > deadline:
                raise TimeoutError(f"gunicorn did not start {self.workers} workers")
            time.sleep(0.05)

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "_log_file", None) is not None:
            self._log_file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log else ""

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL cluster owned by the ``postgres`` user (when run as root)."""

    port: int = field(default_factory=free_port)
    datadir: Path | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    def start(self) -> PrivatePostgres:
        bindir = postgres_bin()
        if bindir is None:
            raise FileNotFoundError(
                "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not found"
            )
        self.bindir = bindir
        self.datadir = Path(tempfile.mkdtemp(prefix="cadence-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
        result = self._run(
            str(bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stderr}")
        self.up()
        return self

    def up(self) -> None:
        assert self.datadir is not None
        result = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-w",
            "-t",
            "30",
            "-o",
            f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            str(self.datadir / "log"),
            "start",
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {result.stderr}{result.stdout}")

    def down(self, mode: str = "fast") -> None:
        assert self.datadir is not None
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def restart(self, pause: float = 0.0) -> None:
        self.down("immediate")
        time.sleep(pause)
        self.up()

    def stop(self) -> None:
        if self.datadir is not None:
            with contextlib.suppress(Exception):
                self.down("immediate")
            shutil.rmtree(self.datadir, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
