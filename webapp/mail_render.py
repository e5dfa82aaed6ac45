"""Mail templates rendered in a child process, under a CPU budget and a memory limit.

A template an organizer edited may loop for a long time (nested loops) or ask for much memory;
the sandbox (``webapp.mail_sandbox``) bounds what it builds, and this module bounds the rest: it
keeps one child process per server process (``python -I webapp/mail_sandbox.py``, started on
first use, about 0.1 s) with ``RLIMIT_AS`` set to ``MAIL_RENDER_MEMORY_MB``, and each render runs
under a CPU budget of ``MAIL_RENDER_CPU_SECONDS`` (a profiling timer in the child, whose main
thread does the rendering, with ``RLIMIT_CPU`` behind it). Requests may run in threads: the
timer is never in the parent, and a lock lets one render through at a time. A child that runs
out of budget, dies or stays silent for ``wall_timeout`` is replaced.

Only the outbox worker renders real messages; requests render the organizers' previews and the
save check (``webapp.mail``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webapp import mail_sandbox

DEFAULT_CPU_SECONDS = 0.5
DEFAULT_MEMORY_MB = 256


@dataclass(frozen=True)
class Rendered:
    """One render: the text, or why there is none."""

    text: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _Child:
    def __init__(self, memory_mb: int) -> None:
        self.pid = os.getpid()
        self.memory_mb = memory_mb
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-I", str(Path(mail_sandbox.__file__)), str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            close_fds=True,
        )

    def ask(self, payload: str, wall_timeout: float) -> dict[str, Any] | None:
        """The child's answer, or None if it died or said nothing within ``wall_timeout``."""
        if self.proc.stdin is None or self.proc.stdout is None:
            return None
        try:
            self.proc.stdin.write(payload + "\n")
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], wall_timeout)
            if not ready:
                return None
            line = self.proc.stdout.readline()
        except (OSError, ValueError):
            return None
        return json.loads(line) if line else None

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


_lock = threading.Lock()
_child: _Child | None = None
#: Jobs handed to a child since this process started (the tests use it to prove that a
#: request rendered nothing).
jobs_rendered = 0


def _settings() -> tuple[float, int]:
    try:
        from flask import current_app

        config = current_app.config
        return (
            float(config.get("MAIL_RENDER_CPU_SECONDS") or DEFAULT_CPU_SECONDS),
            int(config.get("MAIL_RENDER_MEMORY_MB") or DEFAULT_MEMORY_MB),
        )
    except RuntimeError:  # outside an app context
        return DEFAULT_CPU_SECONDS, DEFAULT_MEMORY_MB


def _drop_child() -> None:
    global _child
    if _child is not None:
        _child.close()
        _child = None


def render_many(jobs: list[tuple[str, dict[str, Any]]]) -> list[Rendered]:
    """Each ``(source, context)`` rendered in the child, each within the CPU budget."""
    global _child, jobs_rendered
    if not jobs:
        return []
    budget, memory_mb = _settings()
    payload = json.dumps({"budget": budget, "jobs": jobs})
    wall_timeout = budget * len(jobs) * 4 + 5
    with _lock:
        jobs_rendered += len(jobs)
        if _child is not None and _child.pid != os.getpid():
            _child = None  # forked: that child belongs to the parent process
        if _child is not None and _child.memory_mb != memory_mb:
            _drop_child()
        if _child is None:
            _child = _Child(memory_mb)
        answer = _child.ask(payload, wall_timeout)
        ended = _child.proc.poll()
        if answer is None or answer.get("restart"):
            _drop_child()
    if answer is None:
        return [Rendered(None, _why_silent(ended, budget)) for _ in jobs]
    return [
        Rendered(text, None) if state == "ok" else Rendered(None, text)
        for state, text in answer["results"]
    ]


def _why_silent(ended: int | None, budget: float) -> str:
    """Why the child gave no answer: it hung (and was killed), the kernel's CPU limit ended
    it, or it stopped some other way."""
    if ended is None:
        return f"the template takes too long to render (budget {budget:g} s of CPU time)"
    if ended == -signal.SIGXCPU:
        return f"the template takes more than {budget:g} s of CPU time to render"
    return f"the template renderer stopped while rendering it (exit status {ended})"


def render(source: str, context: dict[str, Any]) -> Rendered:
    return render_many([(source, context)])[0]


def stop() -> None:
    """End this process's child (it also ends by itself when this process does)."""
    with _lock:
        _drop_child()


atexit.register(stop)
