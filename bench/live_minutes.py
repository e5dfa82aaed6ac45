#!/usr/bin/env python3
"""Live minutes benchmark (a script, not a test): prints one table.

Two app nodes (two gunicorn instances with the project's gunicorn.conf.py, 2 threaded workers
each) share a fresh PostgreSQL database (created on the server of ``--postgres-url``, dropped
afterwards) and Redis (``--redis-url``). ``--editors`` synthetic editors (pycrdt clients speaking
the browser's protocol, tests/live/yclient.py), alternately on each node and spread over
``--processes`` processes (as browsers are separate programs), type ``--rate`` characters a
second each into one document for ``--seconds``. Measured:

- the time from an editor sending an update to each other editor receiving it (p50, p99, max),
  and to its sender receiving the acknowledgement (the update is stored by then);
- server memory per open document: the growth of the workers' resident memory once the document
  is open (sockets and threads included), and the memory of the document itself (pycrdt, the
  final text loaded 50 times in this process);
- the time to load a document with 10,000 stored updates (what the first person opening the call
  page waits for: the snapshot and every update, merged), median of 3.

    .venv/bin/python bench/live_minutes.py [--editors 20] [--rate 5] [--seconds 20] [--processes 4]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--redis-url redis://...]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pycrdt import Doc, Text  # noqa: E402

from tests.conftest import TEST_PASSWORD, login, make_test_config  # noqa: E402
from tests.live.yclient import YClient, connect  # noqa: E402
from tests.minutes.conftest import create_bhyve  # noqa: E402
from tests.servers import Gunicorn  # noqa: E402
from webapp import audit, clock, create_app  # noqa: E402
from webapp.config import normalise_database_url  # noqa: E402


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fresh_database(server_url: str) -> tuple[str, sa.Engine]:
    name = f"cadence_live_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(normalise_database_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(normalise_database_url(server_url)).set(database=name)
    return url.render_as_string(hide_password=False), admin


def prepare(url: str, tmp: Path) -> tuple[str, str, int]:
    """Schema, a series with started minutes, a scribe: (secret, Cookie header, minutes id)."""
    from webapp.auth import services as auth
    from webapp.extensions import db
    from webapp.meetings import services as meetings
    from webapp.minutes import services as svc

    config = make_test_config(tmp, url, {})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        create_bhyve()
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, date(2019, 2, 7), audit.CLI, clock.now())
        auth.create_user("scribe@example.org", TEST_PASSWORD, {"scribe"}, audit.CLI)
        db.session.commit()
        minutes_id = minutes.id
    client = app.test_client()
    assert login(client, "scribe@example.org").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    with app.app_context():
        db.engine.dispose()
    return str(config["SECRET_KEY"]), f"session={cookie.value}", minutes_id


class Clock:
    """One process's send times of updates (by their bytes), receive times, and the delays to
    acknowledgements. The clock is CLOCK_MONOTONIC (``time.perf_counter``), the same for every
    process of the machine, so the parent matches sends and receives across processes."""

    def __init__(self) -> None:
        self.sent: dict[bytes, float] = {}
        self.received: list[tuple[bytes, float]] = []
        self.acks: list[float] = []
        self.lock = threading.Lock()

    @staticmethod
    def key(update: bytes) -> bytes:
        return hashlib.blake2b(update, digest_size=12).digest()

    def watch(self, client: YClient) -> None:
        send = client.send
        pending: list[float] = []

        def timed_send(data: bytes) -> None:
            if data[:2] == b"\x00\x02":  # a sync update: remember when it left
                now = time.perf_counter()
                with self.lock:
                    self.sent[self.key(data[2:])] = now
                pending.append(now)
            send(data)

        def received(payload: bytes) -> None:
            now = time.perf_counter()
            with self.lock:
                self.received.append((self.key(_framed(payload)), now))

        client.send = timed_send  # type: ignore[method-assign]
        client.on_update = received
        original = client._message

        def message(data: bytes) -> None:
            if data[0] == 100 and pending:
                self.acks.append(time.perf_counter() - pending.pop(0))
            original(data)

        client._message = message  # type: ignore[method-assign]


def _framed(payload: bytes) -> bytes:
    from pycrdt import write_var_uint

    return write_var_uint(len(payload)) + payload


def type_together(
    clients: list[YClient],
    numbers: list[int],
    total: int,
    rate: float,
    seconds: float,
    start: float,
) -> int:
    """Each client types ``rate`` characters a second from ``start``, the ``total`` editors
    staggered by their numbers; returns the edits made."""
    step = 1.0 / rate
    due = [start + step * n / total for n in numbers]
    edits = 0
    while time.perf_counter() - start < seconds:
        now = time.perf_counter()
        for n, client in enumerate(clients):
            if now >= due[n]:
                client.type("abcdefghijklmnopqrstuvwxyz"[edits % 26])
                due[n] += step
                edits += 1
        time.sleep(0.002)
    return edits


def editor_group(
    hosts: list[str], cookie: str, numbers: list[int], args: argparse.Namespace, pipe: Any
) -> None:
    """One process of editors (a child): connect, say ready, type from the start time the
    parent sends, then send back what was timed. Browsers are separate processes too: editors
    spread over a few processes keep the clients' own Python from queueing what they receive."""
    watch = Clock()
    clients = []
    for n in numbers:
        client = connect(hosts[n % 2], cookie)
        if not client.synced.wait(20):
            raise SystemExit(f"editor {n} did not sync")
        watch.watch(client)
        clients.append(client)
    pipe.send("ready")
    start = pipe.recv()
    edits = type_together(clients, numbers, args.editors, args.rate, args.seconds, start)
    time.sleep(2)  # let the last updates arrive
    with watch.lock:
        pipe.send(
            {
                "edits": edits,
                "sent": watch.sent,
                "received": watch.received,
                "acks": watch.acks,
                "texts": [client.value() for client in clients],
                "state": clients[0].doc.get_update(),
            }
        )
    pipe.recv()  # the parent has measured the workers' memory with these sockets open
    for client in clients:
        client.close()


def load_time(url: str, minutes_id: int, count: int = 10_000) -> tuple[float, int]:
    """Store ``count`` one-character updates, then time loading the document (median of 3)."""
    from webapp.live import store

    engine = sa.create_engine(normalise_database_url(url))
    doc: Doc = Doc()
    text = doc.get("notes", type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for n in range(count):
        text.insert(n, "x" if n % 60 else "\n")
    with engine.begin() as conn:
        conn.execute(sa.delete(store.UPDATES).where(store.UPDATES.c.minutes_id == minutes_id))
        store.insert_updates(conn, [store.Stored(minutes_id, u, None, "bench") for u in updates])
    times = []
    for _ in range(3):
        started = time.perf_counter()
        loaded = store.load_or_create(engine, minutes_id, "")
        length = len(store.text_of(loaded.doc()))
        times.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(times), length


def doc_memory(state: bytes, copies: int = 50) -> float:
    """KiB per document held in memory (pycrdt), from this process's RSS growth."""
    before = rss_kib(os.getpid())
    docs = []
    for _ in range(copies):
        doc: Doc = Doc()
        doc.apply_update(state)
        docs.append(doc)
    return (rss_kib(os.getpid()) - before) / copies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=4, help="processes the editors share")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2")
    )
    args = parser.parse_args()
    url, admin = fresh_database(args.postgres_url)
    tmp = Path(tempfile.mkdtemp(prefix="cadence-live-bench-"))
    nodes: list[Gunicorn] = []
    try:
        secret, cookie, minutes_id = prepare(url, tmp)
        for n in (1, 2):
            node = Gunicorn(
                {
                    "DATABASE_URL": url,
                    "SECRET_KEY": secret,
                    "REDIS_URL": args.redis_url,
                    "CADENCE_INSTANCE": str(tmp / f"node{n}"),
                    "LIVE_CHANNEL": f"bench_{secrets.token_hex(4)}" if n == 1 else "",
                }
            )
            nodes.append(node)
        nodes[1].env["LIVE_CHANNEL"] = nodes[0].env["LIVE_CHANNEL"]
        for node in nodes:
            node.env["CADENCE_BASE_URL"] = node.url
            node.start()
        workers = [pid for node in nodes for pid in node.worker_pids()]
        rss_before = sum(rss_kib(pid) for pid in workers)
        hosts = [node.url.removeprefix("http://") for node in nodes]
        context = multiprocessing.get_context("fork")
        groups = []
        count = max(1, min(args.processes, args.editors))
        for p in range(count):
            numbers = list(range(p, args.editors, count))
            mine, theirs = context.Pipe()
            process = context.Process(
                target=editor_group, args=(hosts, cookie, numbers, args, theirs), daemon=True
            )
            process.start()
            groups.append((process, mine))
        for _process, pipe in groups:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise SystemExit("the editors did not connect")
        start = time.perf_counter() + 0.5
        for _process, pipe in groups:
            pipe.send(start)
        results = []
        for _process, pipe in groups:
            if not pipe.poll(args.seconds + 120):
                raise SystemExit("an editor process did not report")
            results.append(pipe.recv())
        rss_after = sum(rss_kib(pid) for pid in workers)  # the sockets are still open
        for process, pipe in groups:
            pipe.send("done")
            process.join(10)
        edits = sum(r["edits"] for r in results)
        sent = {key: at for r in results for key, at in r["sent"].items()}
        ms = [(at - sent[key]) * 1000 for r in results for key, at in r["received"] if key in sent]
        acks = [d * 1000 for r in results for d in r["acks"]]
        texts = {text for r in results for text in r["texts"]}
        final = results[0]["state"]
        per_doc = doc_memory(final)
        load, length = load_time(url, minutes_id)
    finally:
        for node in nodes:
            node.stop()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()
    agree = "agree" if len(texts) == 1 else "DIFFER"
    print(
        f"\n{args.editors} editors in {len(results)} processes on 2 nodes (2 gthread workers "
        f"each, PostgreSQL + Redis), "
        f"{args.rate:g} chars/s each for {args.seconds:g} s: {edits:,} edits, {len(ms):,} of "
        f"{edits * (args.editors - 1):,} deliveries timed; all editors {agree} on the final "
        f"text ({len(final):,} B state)\n"
    )
    rows = [
        ("edit reaches the other editors, p50", f"{percentile(ms, 0.5):.1f} ms"),
        ("edit reaches the other editors, p99", f"{percentile(ms, 0.99):.1f} ms (goal < 250)"),
        ("edit reaches the other editors, max", f"{max(ms, default=float('nan')):.1f} ms"),
        (
            "stored and acknowledged to its sender, p50 / p99",
            f"{percentile(acks, 0.5):.1f} / {percentile(acks, 0.99):.1f} ms",
        ),
        (
            f"server memory with the document open (4 workers, {args.editors} sockets)",
            f"+{(rss_after - rss_before) / 1024:.1f} MiB",
        ),
        ("the document itself in memory (pycrdt)", f"{per_doc:.0f} KiB"),
        (f"load a document of 10,000 stored updates ({length:,} chars)", f"{load * 1000:.0f} ms"),
    ]
    print("| measure | value |\n| ------- | ----- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    today = datetime.now(UTC).date()
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n({today}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load_avg}: the clients, both nodes, PostgreSQL and Redis share them)"
    )


if __name__ == "__main__":
    main()
