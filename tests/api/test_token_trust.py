"""Learner tokens checked lately are taken on trust for a minute (``RecentLearnerTokens``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.auth import RecentLearnerTokens
from service.extensions import db
from tests.factories import bearer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_remembered_token_expires_after_its_ttl() -> None:
    clock = FakeClock()
    recent = RecentLearnerTokens(ttl=60, capacity=10, clock=clock)
    recent.put("hash-a", "learner-a")
    clock.now += 59.9
    assert recent.get("hash-a") == "learner-a"
    clock.now += 0.1
    assert recent.get("hash-a") is None
    assert recent.get("never-seen") is None


def test_the_oldest_tokens_go_first_at_capacity() -> None:
    recent = RecentLearnerTokens(ttl=60, capacity=2, clock=FakeClock())
    recent.put("a", "1")
    recent.put("b", "2")
    recent.put("a", "1")  # used again: now the youngest
    recent.put("c", "3")
    assert len(recent) == 2
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == ("1", None, "3")


def token_lookups(statements: list[str]) -> int:
    return sum("WHERE learners.token_hash" in " ".join(statement.split()) for statement in statements)


def statements_during(app: Flask, action) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_learners_second_request_skips_the_token_lookup(app: Flask, client: FlaskClient) -> None:
    learner = client.post("/api/v1/learners", json={}).get_json()
    path, headers = f"/api/v1/learners/{learner['id']}", bearer(learner["token"])
    first = statements_during(app, lambda: client.get(path, headers=headers))
    second = statements_during(app, lambda: client.get(path, headers=headers))
    assert token_lookups(first) == 1
    assert token_lookups(second) == 0
    assert client.get(path, headers=headers).status_code == 200


def test_a_wrong_token_is_checked_every_time(app: Flask, client: FlaskClient) -> None:
    learner = client.post("/api/v1/learners", json={}).get_json()
    path, wrong = f"/api/v1/learners/{learner['id']}", bearer("lt_" + "x" * 40)
    for _ in range(2):
        lookups = statements_during(app, lambda: client.get(path, headers=wrong))
        assert token_lookups(lookups) == 1
    assert client.get(path, headers=wrong).status_code == 401
