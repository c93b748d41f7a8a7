"""Rate limits (Flask-Limiter) with tight limits set by each test: 429s with
``Retry-After`` in the API's error shape, per address and per credential;
the per-account login backoff; Basic auth refused before any hashing; Redis
counts shared between apps and a dead Redis that breaks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

import service.usecases.instructors as instructors_module
from service.extensions import db
from tests.api.conftest import basic
from tests.factories import DEFAULT_PASSWORD, make_instructor, make_learner

REDIS_URL = "redis://127.0.0.1:6379/2"
NOBODY_LISTENS = "redis://127.0.0.1:5139/0"


@pytest.fixture
def limited(database_url: str, app_factory: Callable[..., Flask]) -> Callable[..., Flask]:
    """An app with rate limiting on and the limits given (the others generous)."""

    def factory(**limits: str) -> Flask:
        return app_factory(database_url, RATELIMIT_ENABLED=True, **limits)

    return factory


def assert_too_many(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 1
    assert response.get_json()["error"]["status"] == 429
    assert response.get_json()["error"]["message"]


def test_learner_creation_is_limited_per_address(limited: Callable[..., Flask]) -> None:
    client = limited(RATE_LIMIT_LEARNERS="3/minute").test_client()
    for _ in range(3):
        assert client.post("/api/v1/learners", json={}).status_code == 201
    assert_too_many(client.post("/api/v1/learners", json={}))
    other_address = client.post("/api/v1/learners", json={}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 201


@pytest.mark.parametrize("path, body", [
    ("/api/v1/solve", {"expression": "(2x+1)^3"}),
    ("/api/v1/check", {"problem": "(2x+1)^3", "answer": "6(2x+1)^2"}),
    ("/api/v1/preview", {"expression": "(2x+1)^3"}),
])
def test_computation_is_limited_per_credential_and_per_address(
        limited: Callable[..., Flask], path: str, body: dict[str, str]) -> None:
    app = limited(RATE_LIMIT_COMPUTE="4/minute", RATE_LIMIT_COMPUTE_PER_CREDENTIAL="2/minute")
    client = app.test_client()
    with app.app_context():
        learner = make_learner(db.session)
    for _ in range(2):
        assert client.post(path, json=body, headers=learner.headers).status_code == 200
    assert_too_many(client.post(path, json=body, headers=learner.headers))
    # The same address without that token still has room, until the address's own limit.
    assert client.post(path, json=body).status_code == 200
    assert_too_many(client.post(path, json=body))


def test_chat_turns_are_limited_per_learner_token(limited: Callable[..., Flask]) -> None:
    app = limited(RATE_LIMIT_TURNS_PER_CREDENTIAL="3/minute")
    client = app.test_client()
    with app.app_context():
        ada, bob = make_learner(db.session, "Ada"), make_learner(db.session, "Bob")
    started = client.post("/api/v1/conversations", json={"expression": "(2x+1)^3"}, headers=ada.headers)
    assert started.status_code == 201
    url = f"/api/v1/conversations/{started.get_json()['id']}/messages"
    for _ in range(2):
        assert client.post(url, json={"text": "hint"}, headers=ada.headers).status_code == 200
    assert_too_many(client.post(url, json={"text": "hint"}, headers=ada.headers))
    assert client.post("/api/v1/conversations", json={}, headers=bob.headers).status_code == 201


def test_an_account_locked_by_failures_refuses_even_the_right_password(limited: Callable[..., Flask]) -> None:
    app = limited(RATE_LIMIT_LOGIN_FAILURES="3/15 minutes")
    client = app.test_client()
    with app.app_context():
        teacher = make_instructor(db.session, email="t@example.org")
        other = make_instructor(db.session, email="o@example.org")
    login = "/api/v1/instructors/login"
    remembered = basic(teacher.email, DEFAULT_PASSWORD)
    assert client.get("/api/v1/instructors/me", headers=remembered).status_code == 200
    for _ in range(3):
        wrong = client.post(login, json={"email": teacher.email, "password": "guess-guess"})
        assert wrong.status_code == 401
    assert_too_many(client.post(login, json={"email": teacher.email, "password": DEFAULT_PASSWORD}))
    # Spelled differently, still the same account; other accounts are untouched.
    assert_too_many(client.post(login, json={"email": " T@Example.org", "password": DEFAULT_PASSWORD}))
    assert client.get("/api/v1/instructors/me", headers=basic(teacher.email, DEFAULT_PASSWORD)).status_code == 429
    assert client.post(login, json={"email": other.email, "password": DEFAULT_PASSWORD}).status_code == 200


def test_the_dashboard_login_answers_an_html_429(limited: Callable[..., Flask]) -> None:
    app = limited(RATE_LIMIT_LOGIN="2/minute")
    client = app.test_client()
    with app.app_context():
        teacher = make_instructor(db.session)

    def attempt():  # type: ignore[no-untyped-def]
        page = client.get("/dashboard/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        return client.post("/dashboard/login", data={"email": teacher.email, "password": "wrong-password",
                                                      "csrf_token": token, "next": ""})

    assert attempt().status_code == 401
    assert attempt().status_code == 401
    refused = attempt()
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert int(refused.headers["Retry-After"]) >= 1


def test_basic_auth_is_refused_before_hashing_once_an_address_fails_too_often(
        limited: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> None:
    app = limited(RATE_LIMIT_PASSWORD_FAILURES="3/minute", RATE_LIMIT_LOGIN_FAILURES="100/minute")
    client = app.test_client()
    with app.app_context():
        teacher = make_instructor(db.session)
    hashed: list[str] = []
    real_check = instructors_module.check_password
    monkeypatch.setattr(instructors_module, "check_password",
                        lambda stored, password: hashed.append(password) or real_check(stored, password))
    for number in range(3):
        response = client.get("/api/v1/instructors/me", headers=basic(f"nobody{number}@example.org", "x"))
        assert response.status_code == 401
    assert len(hashed) == 3
    assert_too_many(client.get("/api/v1/instructors/me", headers=basic(teacher.email, "y")))
    assert len(hashed) == 3  # refused without hashing


def test_a_successful_basic_login_is_not_hashed_again(limited: Callable[..., Flask],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    app = limited()
    client = app.test_client()
    with app.app_context():
        teacher = make_instructor(db.session)
    hashed: list[str] = []
    real_check = instructors_module.check_password
    monkeypatch.setattr(instructors_module, "check_password",
                        lambda stored, password: hashed.append(password) or real_check(stored, password))
    for _ in range(5):
        assert client.get("/api/v1/instructors/me", headers=basic(teacher.email, DEFAULT_PASSWORD)).status_code == 200
    assert len(hashed) == 1


@pytest.fixture
def redis_db() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return connection


def test_counts_kept_in_redis_are_shared_by_every_app(limited: Callable[..., Flask], redis_db: redis.Redis) -> None:
    first = limited(RATELIMIT_STORAGE_URI=REDIS_URL, RATE_LIMIT_LEARNERS="3/minute").test_client()
    for _ in range(2):
        assert first.post("/api/v1/learners", json={}).status_code == 201
    # Another process (here another app, with counts of its own in memory) sees the same counts.
    second = limited(RATELIMIT_STORAGE_URI=REDIS_URL, RATE_LIMIT_LEARNERS="3/minute").test_client()
    assert second.post("/api/v1/learners", json={}).status_code == 201
    assert_too_many(second.post("/api/v1/learners", json={}))
    assert redis_db.dbsize() > 0
    redis_db.flushdb()


def test_a_dead_redis_falls_back_to_counting_in_memory(limited: Callable[..., Flask]) -> None:
    client = limited(RATELIMIT_STORAGE_URI=NOBODY_LISTENS, RATE_LIMIT_LEARNERS="3/minute").test_client()
    for _ in range(3):
        assert client.post("/api/v1/learners", json={}).status_code == 201
    assert_too_many(client.post("/api/v1/learners", json={}))
