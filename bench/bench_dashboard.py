"""How fast the instructor dashboards are at scale, on PostgreSQL.

Creates a fresh database on the server given (``--server-url``, any
database on it), builds the schema with the real Alembic migrations, seeds
10,000 learners and 1,000,000 attempts with ``INSERT ... SELECT
generate_series`` (the whole volume is made inside PostgreSQL, no rows
cross the wire), then times each dashboard query through the same use-case
functions the pages call, and each page through the Flask test client
(query + template), for one course. It prints p50/p99 against the target
and drops the database at the end (``--keep`` keeps it to explore).

    python bench/bench_dashboard.py [--learners 10000] [--attempts 1000000] [--courses 10] [--repeat 30]
    python bench/bench_dashboard.py --keep ...        # keep the seeded database (its URL is printed)
    python bench/bench_dashboard.py --reuse URL       # time it again, after migrating it to the head

The volume: ``--courses`` courses share the learners evenly; each learner
has ``attempts / learners / 10`` conversations of 10 attempts each, on the
50 exercises in turn (so every learner tries every problem, as in a course
that sets them all; before session 4 each learner met only one), with a
transcript of 21 messages (the question, then an answer and a reply per
attempt), and a mastery row per skill (and its course's copy). Attempts spread over 90 days. The
dashboards' per-conversation summary (migration 0003) is rebuilt from the
seeded attempts, as the migration's backfill would.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.app import create_app
from service.commands.server import freeze_startup_heap
from service.extensions import MIGRATIONS_DIR, db
from service.usecases import create_instructor
from service.usecases import dashboard as queries
from service.usecases.dashboard.day_summaries import rebuild_day_summaries
from service.usecases.dashboard.job_summaries import refresh_dashboards
from service.usecases.dashboard.misconception_summaries import rebuild_misconception_counts
from service.usecases.dashboard.problem_summaries import rebuild_problem_days, rebuild_problem_stats
from service.usecases.dashboard.summaries import rebuild_conversation_stats

# One definition of "a throw-away PostgreSQL database", shared with the tests.
from tests.integration.conftest import create_postgres_database, drop_postgres_database

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 200.0
PASSWORD = "bench password"
ATTEMPTS_PER_CONVERSATION = 10
CSV_ROWS = 10_000

# The per-turn summaries, rebuilt from the seeded rows as the migrations backfill them.
SUMMARIES: list[tuple[str, Callable[[Session], int]]] = [
    ("conversation_stats", rebuild_conversation_stats),
    ("misconception counts", rebuild_misconception_counts),
    ("learner_problem_stats", rebuild_problem_stats),
    ("day and skill summaries", rebuild_day_summaries),
    ("problems by day and skill", rebuild_problem_days),
]

SEED_SQL: list[tuple[str, str]] = [
    ("courses", """
        INSERT INTO courses (instructor_id, title, code)
        SELECT :instructor, 'Course ' || c, 'BENCH' || lpad(c::text, 3, '0')
        FROM generate_series(1, :courses) c"""),
    ("learners", """
        INSERT INTO learners (id, name, token_hash, last_seen_at, created_at)
        SELECT md5('learner' || i), 'Learner ' || i, md5('token' || i),
               now() - random() * interval '30 days', now() - interval '120 days'
        FROM generate_series(1, :learners) i"""),
    ("enrolments", """
        INSERT INTO enrolments (learner_id, course_id)
        SELECT md5('learner' || i), (SELECT min(id) FROM courses) + i % :courses
        FROM generate_series(1, :learners) i"""),
    ("exercises", """
        INSERT INTO exercises (slug, expression, difficulty, skills, family, position)
        SELECT 'bench-' || e, '(' || e || 'x+1)^3', 1 + e % 5, '["outer_derivative"]', 'power', e
        FROM generate_series(1, 50) e"""),
    ("conversations", """
        INSERT INTO conversations (id, learner_id, course_id, exercise_id, expression, state, status,
                                   version, created_at, updated_at)
        SELECT md5('conversation' || n), md5('learner' || (1 + n % :learners)),
               (SELECT min(id) FROM courses) + (1 + n % :learners) % :courses,
               -- A learner's k-th conversation is on exercise k mod 50: each learner tries every problem.
               (SELECT min(id) FROM exercises) + (n / :learners) % 50, '(' || (1 + (n / :learners) % 50) || 'x+1)^3',
               '{}',
               CASE WHEN random() < 0.6 THEN 'solved' ELSE 'in_progress' END, 1, started, started + interval '6 minutes'
        FROM (SELECT n, now() - random() * interval '90 days' AS started
              FROM generate_series(0, :conversations - 1) n) s"""),
    # One problem per conversation, with its outcome: what the solve rate counts (migration 0006).
    ("problems", """
        INSERT INTO problems (conversation_id, learner_id, position, expression, outcome, created_at, updated_at)
        SELECT id, learner_id, 0, expression, status, created_at, updated_at FROM conversations"""),
    ("attempts", """
        INSERT INTO attempts (learner_id, conversation_id, exercise_id, course_id, step, answer, correct,
                              misconception, skill, latency_ms, hints_used, created_at)
        SELECT c.learner_id, c.id, c.exercise_id, c.course_id,
               (ARRAY['inner', 'du/dx', 'dy/du', 'dy/dx'])[1 + k % 4],
               CASE WHEN r < 0.65 THEN '6(2x+1)^2' ELSE (ARRAY['-6(2x+1)^2', '3(2x+1)^2', '6(2x+1)^3',
                    '3(2x+1)^2 + 2', '3(2)^2', '6x(2x+1)^2'])[1 + (k + length(c.id)) % 6] END,
               r < 0.65,
               CASE WHEN r < 0.65 THEN NULL ELSE (ARRAY['sign_error', 'missing_inner_derivative',
                    'power_rule_exponent', 'added_instead_of_multiplied', 'composed_derivatives',
                    'outer_not_at_inner', 'missing_link'])[1 + floor(r * 100)::int % 7] END,
               (ARRAY['identify_functions', 'outer_derivative', 'inner_derivative', 'multiply_factors',
                      'long_chains', 'mixed_rules'])[1 + k % 6],
               (random() * 60000)::int, (k % 3 = 0)::int, c.created_at + k * interval '30 seconds'
        -- random() in the inner select list runs once per row (a LATERAL over k alone would not).
        FROM (SELECT conversations.*, k, random() AS r
              FROM conversations CROSS JOIN generate_series(0, 9) k) c"""),
    ("messages", """
        INSERT INTO messages (conversation_id, position, role, kind, text, payload, created_at)
        SELECT c.id, p, CASE WHEN p % 2 = 1 THEN 'learner' ELSE 'tutor' END,
               CASE WHEN p = 0 THEN 'question' WHEN p % 2 = 1 THEN 'answer' ELSE 'feedback' END,
               CASE WHEN p = 0 THEN 'Differentiate ' || c.expression || '.' WHEN p % 2 = 1 THEN '6(2x+1)^2'
                    ELSE 'Right: that is the derivative of the outer function.' END,
               '{}', c.created_at + p * interval '15 seconds'
        FROM conversations c CROSS JOIN generate_series(0, 20) p"""),
    ("mastery", """
        INSERT INTO mastery (learner_id, skill, probability, attempts)
        SELECT md5('learner' || i), skill, random(), 1 + (random() * 30)::int
        FROM generate_series(1, :learners) i
        CROSS JOIN unnest(ARRAY['identify_functions', 'outer_derivative', 'inner_derivative',
                                'multiply_factors', 'long_chains', 'mixed_rules']) skill"""),
    # Each learner works in the one course they are enrolled in: its copy is their model
    # (as migration 0011 copies it); the heatmap and mastery.csv read the copy.
    ("course_mastery", """
        INSERT INTO course_mastery (course_id, learner_id, skill, probability, attempts)
        SELECT e.course_id, m.learner_id, m.skill, m.probability, m.attempts
        FROM mastery m JOIN enrolments e ON e.learner_id = m.learner_id"""),
]


@dataclass(frozen=True)
class Timing:
    name: str
    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.samples, n=100, method="inclusive")[98]


def migrate(app: Flask) -> None:
    """Build the schema the way production does: the Alembic migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))


def seed(app: Flask, learners: int, attempts: int, courses: int) -> tuple[int, dict[str, float]]:
    """Seed the volume inside PostgreSQL; return the instructor's id and seconds per table."""
    conversations = max(attempts // ATTEMPTS_PER_CONVERSATION, 1)
    params = {"learners": learners, "courses": courses, "conversations": conversations}
    seconds: dict[str, float] = {}
    with app.app_context():
        instructor = create_instructor(db.session, "bench@example.org", "Bench", PASSWORD)
        params["instructor"] = instructor.id
        db.session.remove()
    # Its own engine: the app's connections carry the service's statement
    # timeout, which a bulk load of millions of rows outlasts.
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.begin() as connection:
            for table, statement in SEED_SQL:
                started = time.perf_counter()
                connection.execute(sa.text(statement), params)
                seconds[table] = time.perf_counter() - started
        # The attempts came in around the use cases, so their summaries are
        # rebuilt the way the migrations backfill them.
        with Session(engine) as session:
            for name, rebuild in SUMMARIES:
                started = time.perf_counter()
                rebuild(session)
                session.commit()
                seconds[name] = time.perf_counter() - started
    finally:
        engine.dispose()
    seconds["dashboards job"] = run_dashboards_job(app)
    started = time.perf_counter()
    vacuum_analyze(app)
    seconds["vacuum analyze"] = time.perf_counter() - started
    return params["instructor"], seconds


def run_dashboards_job(app: Flask) -> float:
    """Run what ``chain-tutor dashboards refresh`` runs (every few minutes in a deployment); its seconds."""
    started = time.perf_counter()
    with app.app_context():
        refresh_dashboards(db.session)
        db.session.commit()
        db.session.remove()
    return time.perf_counter() - started


def vacuum_analyze(app: Flask) -> None:
    """VACUUM ANALYZE the whole database, as autovacuum would have by now in a real one.

    No transaction may stay open during VACUUM: one that is older than the
    seeded rows keeps VACUUM from marking their pages all-visible, and every
    index-only scan would then visit the table anyway.
    """
    with app.app_context():
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))


def all_visible_share(app: Flask, table: str) -> float:
    """The share of ``table``'s pages VACUUM marked all-visible (index-only scans need it)."""
    with app.app_context():
        pages, visible = db.session.execute(sa.text(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = :t"), {"t": table}).one()
        db.session.rollback()
    return visible / pages if pages else 1.0


def timed(name: str, action: Callable[[], object], repeat: int) -> Timing:
    action()  # warm the caches (PostgreSQL's buffers, SQLAlchemy's compiled statements)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(name, samples)


def first_csv_rows(chunks: Iterator[str], rows: int) -> int:
    """Read an export until ``rows`` rows (plus the header) have come; return how many came."""
    seen = 0
    for chunk in chunks:
        seen += chunk.count("\n")
        if seen > rows:
            break
    return seen - 1


def query_timings(app: Flask, instructor_id: int, course_id: int, repeat: int) -> list[Timing]:
    flt = queries.DashboardFilter(course_id=course_id)
    # The filtered views read the summaries by day and skill (a name search narrows the all-time ones).
    week = queries.DashboardFilter(course_id=course_id, since=time_ago_days(7))
    skill = queries.DashboardFilter(course_id=course_id, skill="outer_derivative")
    week_skill = queries.DashboardFilter(course_id=course_id, since=time_ago_days(7), skill="outer_derivative")
    search = queries.DashboardFilter(course_id=course_id, search="77")
    page = queries.PageRequest()
    timings = []
    with app.app_context():
        session = db.session
        learner = session.scalar(sa.text("SELECT learner_id FROM enrolments WHERE course_id = :c LIMIT 1"),
                                 {"c": course_id})

        def run(action: Callable[[], object]) -> Callable[[], object]:
            def once() -> object:
                try:
                    return action()
                finally:
                    session.rollback()  # a fresh transaction per run, as per request
            return once

        cases: list[tuple[str, Callable[[], object]]] = [
            ("overview", lambda: queries.course_overview(session, instructor_id, flt)),
            ("overview, last 7 days", lambda: queries.course_overview(session, instructor_id, week)),
            ("overview, one skill", lambda: queries.course_overview(session, instructor_id, skill)),
            ("overview, last 7 days and one skill", lambda: queries.course_overview(
                session, instructor_id, week_skill)),
            ("heatmap, page 1", lambda: queries.mastery_heatmap(session, instructor_id, flt, page)),
            ("heatmap, page 30", lambda: queries.mastery_heatmap(
                session, instructor_id, flt, queries.PageRequest(page=30))),
            ("heatmap, name search", lambda: queries.mastery_heatmap(session, instructor_id, search, page)),
            ("misconceptions", lambda: queries.frequent_misconceptions(session, instructor_id, flt, page)),
            ("misconceptions, last 7 days", lambda: queries.frequent_misconceptions(session, instructor_id, week, page)),
            ("misconceptions, one skill", lambda: queries.frequent_misconceptions(session, instructor_id, skill, page)),
            # Both: the learners are counted from the attempts, as on the exercise page.
            ("misconceptions, last 7 days and one skill", lambda: queries.frequent_misconceptions(
                session, instructor_id, week_skill, page)),
            ("learner timeline", lambda: queries.learner_timeline(
                session, instructor_id, flt, learner, queries.PageRequest(per_page=10))),
            ("exercise difficulty", lambda: queries.exercise_difficulty(session, instructor_id, flt, page)),
            ("exercise difficulty, last 7 days", lambda: queries.exercise_difficulty(
                session, instructor_id, week, page)),
            ("exercise difficulty, one skill", lambda: queries.exercise_difficulty(
                session, instructor_id, skill, page)),
            # Both: the learners are counted from the attempts (no summary is keyed by day, skill and learner).
            ("exercise difficulty, last 7 days and one skill", lambda: queries.exercise_difficulty(
                session, instructor_id, week_skill, page)),
            ("exercise difficulty, name search", lambda: queries.exercise_difficulty(
                session, instructor_id, search, page)),
            (f"CSV attempts, first {CSV_ROWS:,} rows", lambda: first_csv_rows(
                queries.export_attempts_csv(session, instructor_id, flt), CSV_ROWS)),
            (f"CSV mastery, first {CSV_ROWS:,} rows", lambda: first_csv_rows(
                queries.export_mastery_csv(session, instructor_id, flt), CSV_ROWS)),
        ]
        for name, action in cases:
            timings.append(timed(name, run(action), repeat))
    return timings


def time_ago_days(days: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=days)


def page_timings(app: Flask, course_id: int, repeat: int) -> list[Timing]:
    """Whole pages through the test client, logged in as the course's instructor."""
    client = app.test_client()
    login = client.get("/dashboard/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token is not None
    response = client.post("/dashboard/login", data={"email": "bench@example.org", "password": PASSWORD,
                                                     "csrf_token": token.group(1)})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        learner = db.session.scalar(sa.text("SELECT learner_id FROM enrolments WHERE course_id = :c LIMIT 1"),
                                    {"c": course_id})
    base = f"/dashboard/courses/{course_id}"
    pages = [("page: overview", f"{base}/"), ("page: mastery", f"{base}/mastery"),
             ("page: misconceptions", f"{base}/misconceptions"), ("page: exercises", f"{base}/exercises"),
             ("page: learner", f"{base}/learners/{learner}")]

    def fetch(url: str) -> Callable[[], object]:
        def once() -> object:
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
            return answer.get_data()
        return once

    return [timed(name, fetch(url), repeat) for name, url in pages]


def print_table(timings: list[Timing]) -> bool:
    print("| query | runs | p50 ms | p99 ms | target p99 | result |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    ok = True
    for t in timings:
        passed = t.p99 < TARGET_MS
        ok = ok and passed
        print(f"| {t.name} | {len(t.samples)} | {t.p50:.1f} | {t.p99:.1f} | < {TARGET_MS:.0f} | "
              f"{'PASS' if passed else 'MISS'} |")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER))
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--courses", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--reuse", metavar="DATABASE_URL",
                        help="time a database an earlier run kept (--keep) instead of seeding one: it is "
                             "migrated to the head first, which backfills any newer summaries")
    args = parser.parse_args(argv)

    database_url = args.reuse or create_postgres_database(args.server_url)
    # No statement timeout: a page slower than the service's bound is measured, not cut off.
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "AUTO_MIGRATE": False,
                      "DATABASE_STATEMENT_TIMEOUT_MS": 0})
    try:
        started = time.perf_counter()
        migrate(app)
        if args.reuse:
            print(f"migrated {database_url} to the head in {time.perf_counter() - started:.1f} s")
            print(f"dashboards job: {run_dashboards_job(app):.1f} s")
            vacuum_analyze(app)
            with app.app_context():
                instructor_id = db.session.scalar(sa.text("SELECT id FROM instructors WHERE email = :e"),
                                                  {"e": "bench@example.org"})
                db.session.rollback()
        else:
            started = time.perf_counter()
            instructor_id, seconds = seed(app, args.learners, args.attempts, args.courses)
            total = time.perf_counter() - started
            print(f"seeded {args.learners:,} learners, {args.attempts:,} attempts in {args.courses} courses "
                  f"in {total:.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()) + ")")
        print(f"attempts pages all-visible after VACUUM: {all_visible_share(app, 'attempts'):.0%}")
        # As `chain-tutor run` does before its workers fork: what start-up (and the seeding) built is
        # hidden from the garbage collector, whose full collections would otherwise pause a query.
        freeze_startup_heap()
        with app.app_context():
            course_id = db.session.scalar(sa.text("SELECT min(id) FROM courses"))
            size = db.session.execute(sa.text(
                "SELECT count(DISTINCT e.learner_id), count(a.id) FROM enrolments e "
                "JOIN attempts a ON a.learner_id = e.learner_id WHERE e.course_id = :c"), {"c": course_id}).one()
            db.session.rollback()
        print(f"timed course {course_id}: {size[0]:,} learners, {size[1]:,} attempts; {args.repeat} runs each\n")
        timings = query_timings(app, instructor_id, course_id, args.repeat)
        timings += page_timings(app, course_id, args.repeat)
        ok = print_table(timings)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if not args.keep and not args.reuse:
            drop_postgres_database(args.server_url, database_url)
        else:
            print(f"kept {database_url}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
