"""What the HTTP benches share: a migrated temporary site, the bytes of its answers, gunicorn
with the project's ``gunicorn.conf.py`` serving the app and a bare WSGI app with the same bytes,
and ``wrk`` (a C client: Python threads would cap both sides)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

BARE = '''\
"""The same bytes and headers as the app's feeds, from a bare WSGI app (bench only)."""
import json
import os

with open(os.environ["BENCH_BARE"], encoding="utf-8") as fh:
    ROUTES = {
        path: ([(k, v) for k, v in headers], open(body, "rb").read())
        for path, (headers, body) in json.load(fh).items()
    }


def app(environ, start_response):
    headers, body = ROUTES[environ["PATH_INFO"]]
    start_response("200 OK", headers)
    return [body]
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(port: int, path: str, seconds: float, connections: int, header: str = "") -> float:
    """Requests per second (2xx/3xx only) that ``wrk`` measured."""
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s"]
    if header:
        command += ["-H", header]
    out = subprocess.run(  # noqa: S603 - our own command line
        [*command, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(
        next(line for line in out.splitlines() if line.startswith("Requests/sec:")).split()[1]
    )
    errors = next((line for line in out.splitlines() if "Non-2xx or 3xx" in line), None)
    if errors:
        raise SystemExit(f"{path}: {errors.strip()}")
    return rate


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py (2 workers) serving ``target``."""

    def __init__(self, target: str, env: dict[str, str], pythonpath: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--pythonpath",
                pythonpath,
                "--access-logfile",
                "/dev/null",  # both sides alike; the terminal is not what is measured
                target,
            ],
            cwd=ROOT,
            env={**env, "CADENCE_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    self.stop()
                    err = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise SystemExit(f"gunicorn did not start: {err}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def migrated_site(tmpdir: Path) -> tuple[dict[str, str], Any]:
    """A temporary SQLite site migrated with ``flask db upgrade``: its environment (also put in
    ``os.environ``) and the app made from it."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmpdir / 'bench.sqlite'}",
        "SECRET_KEY": secrets.token_hex(32),
        "CADENCE_INSTANCE": str(tmpdir / "instance"),
        "CADENCE_BASE_URL": "https://cadence.example.org",
    }
    subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ.update(env)
    from webapp import create_app

    return env, create_app()


def answers(
    app: Any, paths: list[str], tmpdir: Path
) -> tuple[dict[str, tuple[list[tuple[str, str]], str]], dict[str, int], dict[str, str]]:
    """What the app answers an anonymous GET of each path (asserted 200 with an ETag): the bare
    app's routes (headers but Date, and a file of the body), the sizes and the ETags."""
    client = app.test_client()
    routes, sizes, etags = {}, {}, {}
    for n, path in enumerate(paths):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "ETag" in response.headers, path
        body = tmpdir / f"body{n}"
        body.write_bytes(response.data)
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "date"]
        routes[path] = (headers, str(body))
        sizes[path], etags[path] = len(response.data), response.headers["ETag"]
    return routes, sizes, etags


def both_servers(
    app: Any, env: dict[str, str], tmpdir: Path, routes: dict[str, Any]
) -> tuple[Gunicorn, Gunicorn]:
    """gunicorn serving Cadence (``wsgi:app``) and the bare app with ``routes``; the bench's own
    app lets go of its database first."""
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()
    (tmpdir / "bench_bare.py").write_text(BARE)
    (tmpdir / "routes.json").write_text(json.dumps(routes))
    bench_env = {**env, "BENCH_BARE": str(tmpdir / "routes.json")}
    cadence = Gunicorn("wsgi:app", bench_env, str(ROOT))
    try:
        bare = Gunicorn("bench_bare:app", bench_env, str(tmpdir))
    except BaseException:
        cadence.stop()
        raise
    return cadence, bare
