"""Tutor turns per second and their latency, through the real server.

For each database (a fresh SQLite file in a temp dir, and a fresh PostgreSQL
database that the bench creates and drops), starts ``chain-tutor run``
(gunicorn, its default workers and threads) on a free port and drives it
with N concurrent learners, each on its own keep-alive HTTP session. Every
learner replays a scripted conversation on ``(2x+1)^3`` over and over: start
it, ask for a hint, name the inner function, a wrong dy/du, the right one,
du/dx, the final dy/dx; every request is one turn (each one writes its
messages, attempts, mastery and outbox rows in one transaction). In the
same run the same clients drive ``GET /api/v1/ping``, the bare stack.

Prints turns/s, p50 and p99 per database beside ping, and PASS/MISS against
issue 4's targets (≥ 200 turns/s, p99 ≤ 50 ms on the 2-core machine).
Results are appended as JSON lines to bench/results/bench_tutor.jsonl.

    python bench/bench_tutor.py --clients 16 --duration 10 [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
import requests
from bench_api import (
    RESULTS_DIR,
    Result,
    drive,
    free_port,
    start_server,
    stop_server,
    wait_until_healthy,
)
from sqlalchemy.engine import make_url

TARGET_TURNS_PER_SECOND = 200.0
TARGET_P99_MS = 50.0
EXPRESSION = "(2x+1)^3"
# One conversation's learner messages, after the turn that starts it.
SCRIPT = ("hint", "u = 2x + 1", "3u", "dy/du = 3u^2", "du/dx = 2", "dy/dx = 6(2x+1)^2")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Learner:
    """One scripted learner: its token, its conversation, how far into the script."""

    token: str
    conversation: str | None = None
    said: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def tutor_turns(base: str, learners: list[Learner]):
    """The ``call`` for :func:`bench_api.drive`: the next turn of learner ``n % len``.

    ``drive`` numbers each client's calls ``index, index + clients, ...``,
    so ``n % clients`` is always the same client: each learner is driven by
    one thread only and its script state needs no lock.
    """
    def call(session: requests.Session, n: int) -> requests.Response:
        learner = learners[n % len(learners)]
        if learner.conversation is None or learner.said == len(SCRIPT):
            response = session.post(f"{base}/api/v1/conversations", json={"expression": EXPRESSION},
                                    headers=learner.headers, timeout=30)
            if response.status_code == 201:
                learner.conversation, learner.said = response.json()["id"], 0
            return response
        response = session.post(f"{base}/api/v1/conversations/{learner.conversation}/messages",
                                json={"text": SCRIPT[learner.said]}, headers=learner.headers, timeout=30)
        learner.said += 1
        return response

    return call


def bench_database(name: str, database_url: str, clients: int, duration: float) -> list[Result]:
    """Serve on ``database_url`` and measure ping and tutor turns; the server is stopped after."""
    with tempfile.TemporaryDirectory(prefix="bench-tutor-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, database_url, Path(tmp))
        try:
            wait_until_healthy(base, server)
            learners = [Learner(requests.post(f"{base}/api/v1/learners", json={}, timeout=30).json()["token"])
                        for _ in range(clients)]
            call = tutor_turns(base, learners)
            # sympy and the engine fill their caches in every worker on first use: not measured.
            drive("warm-up", call, clients, min(3.0, duration))
            ping = drive(f"{name}: GET /api/v1/ping",
                         lambda session, _: session.get(f"{base}/api/v1/ping", timeout=30), clients, duration)
            turns = drive(f"{name}: tutor turns", call, clients, duration)
        finally:
            stop_server(server)
    return [ping, turns]


def fresh_postgres(server_url: str) -> str:
    """Create a uniquely named database on the server; its SQLAlchemy URL."""
    name = f"bench_tutor_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(server_url: str, database_url: str) -> None:
    """Drop the database made by :func:`fresh_postgres` (the server has stopped by now)."""
    name = make_url(database_url).database
    with psycopg.connect(_libpq(server_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def verdict(turns: Result) -> str:
    """PASS or MISS against both targets, with the figures."""
    fast = turns.per_second >= TARGET_TURNS_PER_SECOND
    steady = turns.p99_ms <= TARGET_P99_MS
    return (f"{turns.per_second:.0f} turns/s (target ≥ {TARGET_TURNS_PER_SECOND:.0f}): "
            f"{'PASS' if fast else 'MISS'}; p99 {turns.p99_ms:.1f} ms "
            f"(target ≤ {TARGET_P99_MS:.0f}): {'PASS' if steady else 'MISS'}")


def report(results: dict[str, list[Result]], clients: int) -> dict[str, object]:
    """Print one table for all databases and each verdict; return the record to keep."""
    print(f"{clients} concurrent learners, keep-alive sessions; every request is one turn")
    print(f"{'route':<36}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for measured in results.values():
        for r in measured:
            print(f"{r.route:<36}{r.per_second:>10.1f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}{r.errors:>8}")
    for name, (ping, turns) in results.items():
        print(f"{name}: {verdict(turns)}; turns run at {turns.per_second / ping.per_second:.1%} of ping's rate")
    return {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "clients": clients,
            "results": {name: [asdict(r) for r in measured] for name, measured in results.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent learners")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a server the bench may create (and drop) a database on")
    args = parser.parse_args()
    results: dict[str, list[Result]] = {}
    for name in args.databases.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory(prefix="bench-tutor-db-") as tmp:
                results[name] = bench_database(name, f"sqlite:///{tmp}/bench.sqlite3", args.clients,
                                               args.duration)
        elif name == "postgresql":
            database_url = fresh_postgres(args.postgres_url)
            try:
                results[name] = bench_database(name, database_url, args.clients, args.duration)
            finally:
                drop_postgres(args.postgres_url, database_url)
        else:
            parser.error(f"unknown database {name!r}: choose sqlite or postgresql")
    record = report(results, args.clients)
    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / "bench_tutor.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
