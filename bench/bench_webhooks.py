"""How fast the delivery worker gets outbox events to a webhook receiver.

    python bench/bench_webhooks.py [--database-url URL] [--events N] [--learners N] [--rate R]

Two measurements, on one database (a fresh SQLite file by default, or the
PostgreSQL server of ``--database-url``, in which a scratch database is
made and dropped):

1. **Throughput**: ``--events`` outbox events (spread over ``--learners``
   learners of one course with one endpoint) are written at once, then one
   ``chain-tutor worker`` process, and in a second round two, deliver them
   to a local receiver (a threaded HTTP server answering 204 after
   verifying the signature with the ``standardwebhooks`` package). Events
   per second = events / (last arrival - workers started).
2. **Delay**: with one worker running, events are written at ``--rate``
   per second (one outbox row per "turn", as a turn writes them); the delay
   is the receiver's arrival time minus the row's ``created_at``; p50/p99.

Events are written straight into the outbox, as :func:`record_turn` would,
so that the figures are the worker's and not the tutor's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOG = open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "ab")  # the workers' stderr

from service.models import Base, Course, Instructor, Learner, OutboxEvent  # noqa: E402
from service.usecases.webhooks import create_webhook  # noqa: E402


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops the connections of a worker sending 8 at once,
    # and a dropped SYN is retried only after a second.
    request_queue_size = 128
    daemon_threads = True


class Arrivals:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, float] = {}
        self.secret = ""

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["content-length"]))
                Webhook(arrivals.secret).verify(raw, {k.lower(): v for k, v in self.headers.items()})
                with arrivals.lock:
                    arrivals.times.setdefault(self.headers["webhook-id"], time.time())
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/hook"

    def count(self) -> int:
        with self.lock:
            return len(self.times)


def seed(engine: sa.Engine, url: str, learners: int) -> tuple[int, list[str], str]:
    with sa.orm.Session(engine) as session:
        teacher = Instructor(email="bench@example.org", name="B", password_hash="x")
        session.add(teacher)
        session.flush()
        course = Course(instructor_id=teacher.id, title="Bench", code="BENCH001")
        session.add(course)
        people = [Learner(name=f"L{i}", token_hash=f"h{i}") for i in range(learners)]
        session.add_all(people)
        session.commit()
        hook = create_webhook(session, teacher.id, course.id, url, allow_private=True)
        return course.id, [person.id for person in people], hook.secret


def write_events(engine: sa.Engine, course_id: int, learners: list[str], count: int, offset: int = 0) -> None:
    rows = [{"type": "AttemptRecorded", "learner_id": learners[(offset + i) % len(learners)],
             "payload": {"course_id": course_id, "conversation_id": "c", "expression": "(2*x+1)**3",
                         "variable": "x", "step": "u", "answer": "2x+1", "correct": True,
                         "misconception": None, "hints_used": 0},
             "created_at": datetime.now(timezone.utc)} for i in range(count)]
    with engine.begin() as connection:
        connection.execute(sa.insert(OutboxEvent.__table__), rows)


def start_workers(n: int, database_url: str) -> list[subprocess.Popen[bytes]]:
    environment = {**os.environ, "DATABASE_URL": database_url, "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
                   "SECRET_KEY": "bench", "DELIVERY_POLL_SECONDS": "0.05"}
    return [subprocess.Popen([sys.executable, "-c", "from service.cli import main; main()", "worker"],
                             env=environment, stderr=LOG) for _ in range(n)]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(15)


def wait_until(condition, seconds: float = 300.0) -> None:
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)


def throughput(engine: sa.Engine, database_url: str, arrivals: Arrivals, course_id: int, learners: list[str],
               events: int, workers: int) -> float:
    before = arrivals.count()
    write_events(engine, course_id, learners, events)
    started = time.time()
    running = start_workers(workers, database_url)
    try:
        wait_until(lambda: arrivals.count() >= before + events)
    finally:
        stop(running)
    with arrivals.lock:
        last = max(arrivals.times.values())
    return events / (last - started)


def delays(engine: sa.Engine, database_url: str, arrivals: Arrivals, course_id: int, learners: list[str],
           rate: float, seconds: float) -> list[float]:
    running = start_workers(1, database_url)
    try:
        time.sleep(2.0)  # the worker process starts up
        first_id = None
        end = time.monotonic() + seconds
        written = 0
        while time.monotonic() < end:
            write_events(engine, course_id, learners, 1, offset=written)
            written += 1
            time.sleep(1.0 / rate)
        with engine.connect() as connection:
            rows = connection.execute(sa.select(OutboxEvent.id, OutboxEvent.created_at)
                                      .order_by(OutboxEvent.id.desc()).limit(written)).all()
        first_id = min(row.id for row in rows)
        wait_until(lambda: all(f"evt_{row.id}" in arrivals.times for row in rows), 60)
    finally:
        stop(running)
    created = {f"evt_{row.id}": row.created_at.replace(tzinfo=timezone.utc).timestamp() for row in rows}
    del first_id
    return [(arrivals.times[key] - created[key]) * 1000 for key in created if key in arrivals.times]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second in the delay run")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the delay run")
    args = parser.parse_args()

    scratch = None
    if args.database_url:
        server = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        name = f"bench_webhooks_{os.getpid()}"
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        database_url = sa.engine.make_url(args.database_url).set(database=name).render_as_string(False)
        scratch = (server, name)
    else:
        database_url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    engine = sa.create_engine(database_url)
    Base.metadata.create_all(engine)
    arrivals = Arrivals()
    http, url = arrivals.serve()
    try:
        course_id, learners, arrivals.secret = seed(engine, url, args.learners)
        backend = engine.dialect.name
        print(f"database: {backend}; {args.events} events over {args.learners} learners, one endpoint")
        for workers in (1, 2):
            rate = throughput(engine, database_url, arrivals, course_id, learners, args.events, workers)
            print(f"throughput, {workers} worker(s): {rate:,.0f} events/s")
        measured = delays(engine, database_url, arrivals, course_id, learners, args.rate, args.seconds)
        print(f"delay turn -> delivery at {args.rate:g} events/s, {len(measured)} events: "
              f"p50 {statistics.median(measured):.0f} ms, p99 {percentile(measured, 0.99):.0f} ms")
    finally:
        http.shutdown()
        engine.dispose()
        if scratch:
            server, name = scratch
            with server.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()


if __name__ == "__main__":
    main()
