"""A bad day at PostgreSQL, for real: a locked table, a read-only database, no database.

Each test runs the app on a PostgreSQL database of its own (it changes
database-wide settings) with tight timeouts, then makes the database
misbehave from another connection. Skipped without ``TEST_DATABASE_URL``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from service.extensions import db
from service.models import Base
from tests.factories import make_learner
from tests.integration.conftest import postgres_server_url, run_outside_transaction

pytestmark = pytest.mark.postgres
LOCK_TIMEOUT_MS = 300


@pytest.fixture
def pg_app(app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> Flask:
    url = empty_database_factory("postgresql")
    engine = sa.create_engine(url)
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()
    return app_factory(url, DATABASE_LOCK_TIMEOUT_MS=LOCK_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS=2000)


@pytest.fixture
def server() -> str:
    url = postgres_server_url()
    assert url is not None
    return url


def database_name(app: Flask) -> str:
    return str(make_url(app.config["DATABASE_URL"]).database)


def learner_headers(app: Flask) -> dict[str, str]:
    with app.app_context():
        learner = make_learner(db.session, "Ada")
        db.session.execute(sa.text("UPDATE learners SET last_seen_at = NULL"))
        db.session.commit()
    return {"Authorization": f"Bearer {learner.token}", "_id": learner.id}


def cut_off(server: str, name: str) -> None:
    """Refuse new connections to the database and end the open ones."""
    run_outside_transaction(server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    run_outside_transaction(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")


def test_every_connection_is_bounded_and_plans_without_jit(pg_app: Flask) -> None:
    # JIT compiling a streamed export's plan cost 150-200 ms before its first row (database._configure_postgresql).
    with pg_app.app_context():
        settings = {name: db.session.execute(sa.text(f"SHOW {name}")).scalar()
                    for name in ("statement_timeout", "lock_timeout", "jit")}
        db.session.rollback()
    assert settings == {"statement_timeout": "2s", "lock_timeout": f"{LOCK_TIMEOUT_MS}ms", "jit": "off"}


def test_a_locked_table_ends_requests_within_the_lock_timeout(pg_app: Flask,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    client: FlaskClient = pg_app.test_client()
    headers = learner_headers(pg_app)
    learner_id = headers.pop("_id")
    with pg_app.app_context():
        holder = db.engine.connect()
    try:
        holder.exec_driver_sql("LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE")  # held until rollback
        began = time.monotonic()
        response = client.get(f"/api/v1/learners/{learner_id}/conversations", headers=headers)
        waited = time.monotonic() - began
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.get_json()["error"]["message"]
        assert waited < 3, f"the request waited {waited:.1f} s on a lock"
        assert client.get("/healthz").status_code == 200
        assert client.get(f"/api/v1/learners/{learner_id}/conversations", headers=headers).status_code == 503
    finally:
        holder.rollback()
        holder.close()
    assert client.get(f"/api/v1/learners/{learner_id}/conversations", headers=headers).status_code == 200
    busy_lines = [r.getMessage() for r in caplog.records if r.name == "service.database"]
    assert len(busy_lines) == 1 and "busy" in busy_lines[0]  # two requests refused, one line


def test_a_read_only_database_serves_reads_refuses_writes_and_is_not_ready(pg_app: Flask, server: str) -> None:
    client = pg_app.test_client()
    headers = learner_headers(pg_app)
    learner_id = headers.pop("_id")
    name = database_name(pg_app)
    run_outside_transaction(server, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    with pg_app.app_context():
        db.engine.dispose()  # new connections take the new default
    try:
        # Checking the token would write last_seen_at; the read still succeeds.
        progress = client.get(f"/api/v1/learners/{learner_id}/progress", headers=headers)
        assert progress.status_code == 200, progress.get_json()
        refused = client.post("/api/v1/learners", json={"name": "Bob"})
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
    finally:
        run_outside_transaction(server, f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    with pg_app.app_context():
        db.engine.dispose()
    assert client.get("/readyz").status_code == 200


def test_an_outage_answers_503_logs_one_line_and_ends(pg_app: Flask, server: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    client = pg_app.test_client()
    headers = learner_headers(pg_app)
    learner_id = headers.pop("_id")
    assert client.get("/readyz").status_code == 200
    name = database_name(pg_app)
    cut_off(server, name)
    caplog.set_level(logging.INFO)
    try:
        for _ in range(10):
            response = client.get(f"/api/v1/learners/{learner_id}/progress", headers=headers)
            assert response.status_code == 503 and response.headers["Retry-After"]
            assert response.get_json()["error"]["message"]
        page = client.get("/dashboard/login", headers={"Accept": "text/html"})
        assert page.status_code in (200, 503)
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
    finally:
        run_outside_transaction(server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert client.get(f"/api/v1/learners/{learner_id}/progress", headers=headers).status_code == 200
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "database unavailable" in errors[0]
    assert any("available again" in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records)
