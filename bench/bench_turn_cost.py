"""What one tutor turn costs on PostgreSQL: CPU, SQL statements, bytes written.

In one process, through the Flask test client (no HTTP server, so the CPU
is the app's own: routing, engine, ORM, driver), on a fresh database made
with the real migrations: ``--turns`` turns of ``bench_tutor.SCRIPTS``'
learners (8 learners taking turns), and for the whole batch

- the app's CPU seconds (``time.process_time``), per turn;
- the CPU of the PostgreSQL backends serving it (``/proc``: the server must
  run on this machine), per turn;
- the SQL statements sent (SQLAlchemy's ``before_cursor_execute``), per turn;
- the WAL PostgreSQL wrote (``pg_current_wal_lsn()`` before and after), per
  turn: what a replica receives and what an archive keeps;
- the growth of every table with its indexes (``pg_total_relation_size``),
  per turn: what the disk keeps.

Also with ``--idempotency`` (every message with an
``Idempotency-Key``) to show that feature's cost, and with ``--course``
(the learners enrolled in a course, as most are: a course conversation
also keeps the course's copy of the learner model and the dashboards'
per-course summaries) beside learners outside any course.

    python bench/bench_turn_cost.py [--turns 600] [--idempotency] [--course]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from bench_tutor import DEFAULT_POSTGRES, SCRIPTS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.integration, as bench_dashboard

from service.app import create_app  # noqa: E402
from service.commands.server import load_initial_content  # noqa: E402
from service.extensions import MIGRATIONS_DIR, db  # noqa: E402
from service.usecases import create_course, create_instructor  # noqa: E402
from tests.integration.conftest import create_postgres_database, drop_postgres_database  # noqa: E402

BACKENDS = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
SIZES = "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c " \
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (a PostgreSQL backend), 0 if unreadable."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(database_url: str, turns: int, idempotency: bool, in_course: bool = False) -> dict[str, float]:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "AUTO_MIGRATE": False})
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        load_initial_content(app)
        engine = db.engine
    client = app.test_client()
    joining = {}
    if in_course:
        with app.app_context():
            teacher = create_instructor(db.session, "bench@example.org", "Bench", "bench password")
            joining = {"course_code": create_course(db.session, teacher.id, "Bench course").code}
    learners = []
    for index in range(8):
        token = client.post("/api/v1/learners", json=joining).get_json()["token"]
        learners.append({"headers": {"Authorization": f"Bearer {token}"}, "script": SCRIPTS[index], "said": None})
    statements = 0

    def count(*args: object) -> None:
        nonlocal statements
        statements += 1

    def turn(n: int) -> None:
        learner = learners[n % len(learners)]
        expression, script = learner["script"]
        headers = {**learner["headers"], **({"Idempotency-Key": str(uuid.uuid4())} if idempotency else {})}
        if learner["said"] is None or learner["said"] == len(script):
            answer = client.post("/api/v1/conversations", json={"expression": expression}, headers=headers)
            learner["conversation"], learner["said"] = answer.get_json()["id"], 0
            return
        client.post(f"/api/v1/conversations/{learner['conversation']}/messages",
                    json={"text": script[learner["said"]]}, headers=headers)
        learner["said"] += 1

    for n in range(len(learners) * 8):  # warm the caches (sympy, the engine, the pool): not measured
        turn(n)
    # Our own connection for the measurements, outside the app's pool (whose one connection is the app's).
    probe = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with probe.connect() as connection:
        wal_before = connection.scalar(sa.text("SELECT pg_current_wal_lsn()"))
        size_before = connection.scalar(sa.text(SIZES))
    with probe.connect() as connection:
        backends = list(connection.scalars(sa.text(BACKENDS)))  # the app's pooled connection(s)
    server_before = sum(map(process_cpu_seconds, backends))
    sa.event.listen(engine, "before_cursor_execute", count)
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    for n in range(turns):
        turn(n)
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    sa.event.remove(engine, "before_cursor_execute", count)
    server_cpu = sum(map(process_cpu_seconds, backends)) - server_before
    with probe.connect() as connection:
        wal = connection.scalar(sa.text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :before)"),
                                {"before": wal_before})
        size = connection.scalar(sa.text(SIZES)) - size_before
    probe.dispose()
    with app.app_context():
        db.session.remove()
        engine.dispose()
    return {"turns": turns, "app_cpu_ms": round(cpu * 1000 / turns, 2),
            "postgres_cpu_ms": round(server_cpu * 1000 / turns, 2), "wall_ms": round(wall * 1000 / turns, 2),
            "statements": round(statements / turns, 2), "wal_bytes": round(float(wal) / turns),
            "table_bytes": round(float(size) / turns)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--idempotency", action="store_true")
    parser.add_argument("--course", action="store_true", help="also with the learners enrolled in a course")
    parser.add_argument("--server-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    args = parser.parse_args()
    for in_course in ([False, True] if args.course else [False]):
        for keyed in ([False, True] if args.idempotency else [False]):
            database_url = create_postgres_database(args.server_url)
            try:
                figures = measure(database_url, args.turns, keyed, in_course)
            finally:
                drop_postgres_database(args.server_url, database_url)
            label = ("in a course, " if in_course else "") + ("with Idempotency-Key" if keyed else "plain turns")
            print(f"{label + ':':<36}{figures}", flush=True)


if __name__ == "__main__":
    main()
