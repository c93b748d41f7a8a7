"""Tutor turns per second and their latency, through the real server.

For each database (a fresh SQLite file in a temp dir, and a fresh PostgreSQL
database that the bench creates and drops), starts ``chain-tutor run``
(gunicorn, its default workers and threads unless ``--server-args``) on a
free port and drives it with 16 learners, each on its own keep-alive HTTP
connection (bench/http_client.py: lean, so that the load generator leaves
the CPU to the server it measures). Every learner replays one of eight
scripted conversations over and over: start it, ask for a hint, name the
inner function, a wrong dy/du, the right one, du/dx, the final dy/dx. The
scripts cover four problems and two ways of writing each answer (tagged or
not, spaced or not, terms in another order), so that no per-text cache can
answer most turns from memory as it could with one script replayed 16
times. Every request is one turn (each one writes its messages, attempts,
mastery and outbox rows in one transaction).

Two modes, each beside ``GET /api/v1/ping`` (the bare stack) in the same run:

closed loop (maximum throughput)
    every learner sends its next message as soon as the last answer is in,
    with no think time. This measures capacity; its latency is mostly
    queueing (16 requests always in flight: p50 ≈ 16 / throughput).
paced (the service level)
    the learners together offer ``--rate`` turns per second (200, the
    target) on an open-loop schedule: arrival times are drawn in advance
    (a Poisson process of exactly rate × duration arrivals, dealt round-robin
    to the learners, so each one thinks ~80 ms between messages), and a turn's
    latency runs from its *scheduled* time. A slow answer therefore does not
    lower the offered load; it delays that learner's next message, and the
    delay counts in the next latency (no coordinated omission).

Prints both modes with PASS/MISS against issue 4's targets (≥ 200 turns/s,
p99 ≤ 50 ms on the 2-core machine) and the ratios to ping, and beside each
figure the server's CPU per request and the load generator's own. Results
are appended as JSON lines to bench/results/bench_tutor.jsonl. About 40 s
per database with the defaults.

    python bench/bench_tutor.py [--databases sqlite,postgresql] [--duration 6] [--rate 200]
                                [--server-args "--workers 3 --threads 1"]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from bench_api import (
    RESULTS_DIR,
    Call,
    Result,
    drive,
    free_port,
    get_ping,
    start_server,
    stop_server,
    summarise,
    wait_until_healthy,
    with_client_cpu,
)
from http_client import KeepAliveClient, Response
from sqlalchemy.engine import make_url

TARGET_TURNS_PER_SECOND = 200.0
TARGET_P99_MS = 50.0
# The paced mode has served its offered rate when it achieved this share of
# it: the last turns of the window are still in flight when it closes.
SERVED_SHARE = 0.99
# Each problem with two scripts of the learner's messages after the turn that
# starts it: a hint, the inner function, a wrong dy/du, then dy/du, du/dx, dy/dx.
SCRIPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("(2x+1)^3", ("hint", "u = 2x + 1", "3u", "dy/du = 3u^2", "du/dx = 2", "dy/dx = 6(2x+1)^2")),
    ("(2x+1)^3", ("give me a hint", "u=2x+1", "dy/du = u^2", "3*u^2", "2", "6*(2x+1)^2")),
    ("(3x-2)^4", ("hint", "u = 3x - 2", "4u^3 * 3x", "dy/du = 4u^3", "du/dx = 3", "dy/dx = 12(3x-2)^3")),
    ("(3x-2)^4", ("can I have a hint?", "u = -2 + 3x", "4u", "dy/du = 4*u^3", "du/dx=3", "12*(3x-2)^3")),
    ("(1-4x)^2", ("hint", "u = 1 - 4x", "2", "dy/du = 2u", "du/dx = -4", "dy/dx = -8(1-4x)")),
    ("(1-4x)^2", ("hint please", "u=1-4x", "dy/du = u", "2*u", "-4", "dy/dx = 32x - 8")),
    ("(5x+3)^5", ("hint", "u = 5x + 3", "5u^5", "dy/du = 5u^4", "du/dx = 5", "dy/dx = 25(5x+3)^4")),
    ("(5x+3)^5", ("a hint?", "u = 3 + 5x", "dy/du = 4u^5", "5 u^4", "5", "25*(5x+3)^4")),
)
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SEED = 4
MODES = ("closed", "paced")


@dataclass
class Learner:
    """One scripted learner: its token, its problem and script, its conversation, how far in."""

    token: str
    expression: str
    script: tuple[str, ...]
    conversation: str | None = None
    said: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Measured:
    """One database's figures: ping and turns, closed loop and paced (None: not run)."""

    rate: float
    closed_ping: Result | None = None
    closed_turns: Result | None = None
    paced_ping: Result | None = None
    paced_turns: Result | None = None


def tutor_turns(learners: list[Learner]) -> Call:
    """The ``call`` for the drivers: the next turn of learner ``n % len``.

    Both drivers number each client's calls ``index, index + clients, ...``,
    so ``n % clients`` is always the same client: each learner is driven by
    one thread only and its script state needs no lock.
    """
    def call(client: KeepAliveClient, n: int) -> Response:
        learner = learners[n % len(learners)]
        if learner.conversation is None or learner.said == len(learner.script):
            response = client.post("/api/v1/conversations", json={"expression": learner.expression},
                                   headers=learner.headers)
            if response.status_code == 201:
                learner.conversation, learner.said = response.json()["id"], 0
            return response
        response = client.post(f"/api/v1/conversations/{learner.conversation}/messages",
                               json={"text": learner.script[learner.said]}, headers=learner.headers)
        learner.said += 1
        return response

    return call


def schedule(clients: int, rate: float, duration: float, seed: int = SEED) -> list[list[float]]:
    """Each client's send times (seconds from the start): ``rate`` per second in all.

    Exactly ``rate × duration`` arrivals, uniform over the window (a Poisson
    process given its count), dealt round-robin so each client gets every
    ``clients``-th one.

    >>> times = schedule(4, 100.0, 2.0)
    >>> sum(map(len, times)), all(a < b for t in times for a, b in zip(t, t[1:]))
    (200, True)
    """
    rng = random.Random(seed)
    arrivals = sorted(rng.uniform(0, duration) for _ in range(round(rate * duration)))
    return [arrivals[index::clients] for index in range(clients)]


def paced(name: str, base: str, call: Call, clients: int, rate: float, duration: float) -> Result:
    """Offer ``rate`` calls per second from ``clients`` threads on an open-loop schedule.

    Each thread has its own keep-alive client of ``base``, as in :func:`drive`.

    A call's latency runs from when it was scheduled, so time spent waiting
    for the same client's previous answer counts. The achieved rate is the
    calls answered over the window (or until the last answer, if later).
    """
    plan = schedule(clients, rate, duration)
    latencies: list[float] = []
    medians: list[float] = []
    errors = 0
    lock = threading.Lock()
    started = time.perf_counter() + 0.05  # every thread is up before the first send

    def load(index: int) -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        with KeepAliveClient(base) as client:
            for number, due in enumerate(plan[index]):
                wait = started + due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                response = call(client, index + number * clients)
                mine.append(time.perf_counter() - (started + due))
                failed += response.status_code >= 400
        with lock:
            latencies.extend(mine)
            medians.append(statistics.median(mine) if mine else duration)
            errors += failed

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(load, range(clients)))
    elapsed = max(duration, time.perf_counter() - started)
    return summarise(name, latencies, errors, elapsed, medians)


def server_cpu_seconds(group: int) -> float:
    """CPU seconds used so far by the processes of group ``group`` (gunicorn and its workers).

    Read from ``/proc`` (Linux; 0 elsewhere). Divided by the requests served,
    it is the server's cost of a request, a figure that other work on the
    machine does not inflate as it does latencies. Workers that exited are
    not counted, so the figure is per measurement, with no worker restarts.
    """
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[2]) == group:  # fields[2] is the process group (field 5 of stat)
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


# The end of an access-log line of `chain-tutor run` (LOG_FORMAT=text), or its field
# (LOG_FORMAT=json): the request's duration in seconds.
_LOGGED_DURATION = re.compile(r'" (\d{3}) \S+ "[^"]*" "[^"]*" (?P<text>\d+\.\d+)s$|"duration_s": "(?P<json>\d+\.\d+)"')


def server_durations_ms(log: Path, offset: int) -> list[float]:
    """The request durations (ms) the server logged after byte ``offset`` of its log."""
    with open(log, "rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    return [float(found["text"] or found["json"]) * 1000 for line in lines
            if (found := _LOGGED_DURATION.search(line))]


def with_cpu(group: int, log: Path, measure: Callable[[], Result]) -> Result:
    """``measure()``, with the server's and the load generator's CPU ms per request filled in,
    and the p99 of the durations in the server's access log (its own view: from the request
    read to the answer written, without the time a request waited for a worker to take it)."""
    before, offset = server_cpu_seconds(group), log.stat().st_size
    result = with_client_cpu(measure)
    result.cpu_ms = round((server_cpu_seconds(group) - before) * 1000 / max(1, result.requests), 2)
    durations = sorted(server_durations_ms(log, offset))
    if durations:
        result.server_p99_ms = round(durations[min(len(durations) - 1, int(len(durations) * 0.99))], 2)
    return result


def bench_database(name: str, database_url: str, clients: int, duration: float, rate: float,
                   server_args: Sequence[str] = (), modes: Sequence[str] = MODES) -> Measured:
    """Serve on ``database_url`` and measure both modes; the server is stopped after."""
    with tempfile.TemporaryDirectory(prefix="bench-tutor-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, database_url, Path(tmp), server_args)
        try:
            wait_until_healthy(base, server)
            with KeepAliveClient(base) as client:
                learners = [Learner(client.post("/api/v1/learners", json={}).json()["token"],
                                    *SCRIPTS[index % len(SCRIPTS)])
                            for index in range(clients)]
            call = tutor_turns(learners)
            # sympy and the engine fill their caches in every worker on first use: not measured.
            drive("warm-up", base, call, clients, min(3.0, duration))
            group = server.pid  # start_server made it a process group leader
            log = Path(tmp) / "server.log"
            figures: dict[str, Result | None] = dict.fromkeys(
                ("closed_ping", "closed_turns", "paced_ping", "paced_turns"))
            if "closed" in modes:
                figures["closed_ping"] = with_cpu(group, log, lambda: drive(
                    f"{name}: ping, closed loop", base, get_ping, clients, duration))
                figures["closed_turns"] = with_cpu(group, log, lambda: drive(
                    f"{name}: turns, closed loop", base, call, clients, duration))
            if "paced" in modes:
                figures["paced_ping"] = with_cpu(group, log, lambda: paced(
                    f"{name}: ping, paced {rate:.0f}/s", base, get_ping, clients, rate, duration))
                figures["paced_turns"] = with_cpu(group, log, lambda: paced(
                    f"{name}: turns, paced {rate:.0f}/s", base, call, clients, rate, duration))
            return Measured(rate=rate, **figures)
        finally:
            stop_server(server)


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


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def closed_verdict(measured: Measured) -> str:
    """Capacity against the throughput target; p99 shown, though queueing sets it here."""
    ping, turns = measured.closed_ping, measured.closed_turns
    return (f"closed loop: {turns.per_second:.0f} turns/s (≥ {TARGET_TURNS_PER_SECOND:.0f}): "
            f"{_mark(turns.per_second >= TARGET_TURNS_PER_SECOND)}; p99 {turns.p99_ms:.1f} ms "
            f"(≤ {TARGET_P99_MS:.0f}): {_mark(turns.p99_ms <= TARGET_P99_MS)}; "
            f"turns run at {turns.per_second / ping.per_second:.1%} of ping's rate")


def paced_verdict(measured: Measured) -> str:
    """The service level: the offered rate served, with p99 within the target."""
    ping, turns, rate = measured.paced_ping, measured.paced_turns, measured.rate
    served = turns.errors == 0 and turns.per_second >= SERVED_SHARE * max(rate, TARGET_TURNS_PER_SECOND)
    return (f"paced {rate:.0f}/s: {turns.per_second:.0f} turns/s served (≥ {TARGET_TURNS_PER_SECOND:.0f}): "
            f"{_mark(served)}; p99 {turns.p99_ms:.1f} ms (≤ {TARGET_P99_MS:.0f}): "
            f"{_mark(turns.p99_ms <= TARGET_P99_MS)}; p50/p99 {turns.p50_ms / ping.p50_ms:.1f}x/"
            f"{turns.p99_ms / ping.p99_ms:.1f}x ping's")


def report(results: dict[str, Measured], clients: int, server_args: Sequence[str]) -> dict[str, object]:
    """Print one table for all databases and each verdict; return the record to keep."""
    load = os.getloadavg()
    print(f"{clients} learners, keep-alive connections; every request is one turn; "
          f"server: chain-tutor run {shlex.join(server_args) or '(defaults)'}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'route':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'server CPU ms/req':>19}"
          f"{'client CPU ms/req':>19}{'server-side p99 ms':>20}{'slowest learner p50':>21}")
    for measured in results.values():
        for r in (measured.closed_ping, measured.closed_turns, measured.paced_ping, measured.paced_turns):
            if r is None:
                continue
            print(f"{r.route:<34}{r.per_second:>9.1f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.errors:>8}"
                  f"{r.cpu_ms:>19.2f}{r.client_cpu_ms:>19.2f}{r.server_p99_ms:>20.2f}{r.worst_client_p50_ms:>21.2f}")
    for name, measured in results.items():
        if measured.closed_turns is not None:
            print(f"{name}: {closed_verdict(measured)}")
        if measured.paced_turns is not None:
            print(f"{name}: {paced_verdict(measured)}")
    return {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "clients": clients,
            "server_args": list(server_args), "load_average": [round(x, 2) for x in load],
            "results": {name: asdict(measured) for name, measured in results.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent learners")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per measurement")
    parser.add_argument("--rate", type=float, default=TARGET_TURNS_PER_SECOND,
                        help="turns per second all learners offer together in the paced mode")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a server the bench may create (and drop) a database on")
    parser.add_argument("--server-args", default="",
                        help='options for chain-tutor run, e.g. "--workers 3 --threads 1"')
    parser.add_argument("--modes", default=",".join(MODES), help="closed, paced or both (comma-separated)")
    args = parser.parse_args()
    server_args = shlex.split(args.server_args)
    modes = args.modes.split(",")
    if not modes or not set(modes) <= set(MODES):
        parser.error(f"--modes: choose from {', '.join(MODES)}")
    measure = {"clients": args.clients, "duration": args.duration, "rate": args.rate,
               "server_args": server_args, "modes": modes}
    results: dict[str, Measured] = {}
    for name in args.databases.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory(prefix="bench-tutor-db-") as tmp:
                results[name] = bench_database(name, f"sqlite:///{tmp}/bench.sqlite3", **measure)
        elif name == "postgresql":
            database_url = fresh_postgres(args.postgres_url)
            try:
                results[name] = bench_database(name, database_url, **measure)
            finally:
                drop_postgres(args.postgres_url, database_url)
        else:
            parser.error(f"unknown database {name!r}: choose sqlite or postgresql")
    record = report(results, args.clients, server_args)
    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / "bench_tutor.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
