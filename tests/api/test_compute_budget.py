"""Hostile expressions end quickly with a 4xx, through the real compute pool.

Each request that held a worker for seconds to minutes before (issue 11) now
ends in a 422 whose message says what to try; in a chat it gets a friendly
sentence and leaves the conversation as it was. The wall-time bound here is
only a loose safety net (the budget plus two seconds); timings are measured
in bench/bench_isolation.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service import compute
from service.compute import DEFAULTS
from service.models import Attempt, Message
from tests.api.conftest import Cast

TOWER = "(sin(x)+x)^(cos(x)+x)^(tan(x)+x)^(e^x)^(ln(x))"
HOSTILE = {
    "double exponential": "sin(e^(e^(8x)))",
    "power tower three times": TOWER * 3,
    "product of 79 binomials": "".join(f"(x+{i})" for i in range(1, 80)),
    "continued fraction 38 deep": "1/(x+" * 38 + "1" + ")" * 38,
    "sin(x)^sin(x)^... 12 levels": "^".join(["sin(x)"] * 12),
}
# Within the estimate's limits but still seconds of sympy work: only the time budget stops it.
SLOW = "".join(f"(x+{i})" for i in range(1, 20))
SAFETY = DEFAULTS["COMPUTE_SECONDS"] + 2.0


@pytest.fixture(autouse=True)
def warm_pool(app: Flask) -> None:
    """Start the compute children before timing anything (a server does it as a worker starts)."""
    compute.start(app)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def assert_too_costly(response: Any, elapsed: float) -> None:
    assert response.status_code == 422, response.get_json()
    assert "too" in response.get_json()["error"]["message"]
    assert elapsed < SAFETY


@pytest.mark.parametrize("expression", HOSTILE.values(), ids=HOSTILE.keys())
def test_solve_answers_a_hostile_expression_with_a_422_that_says_why(client: FlaskClient, expression: str) -> None:
    response, elapsed = timed(lambda: client.post("/api/v1/solve", json={"expression": expression}))
    assert_too_costly(response, elapsed)


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
def test_check_answers_a_hostile_answer_with_a_422(client: FlaskClient, answer: str) -> None:
    response, elapsed = timed(lambda: client.post("/api/v1/check", json={"problem": "x^2", "answer": answer}))
    assert_too_costly(response, elapsed)
    assert "in your answer" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("text", [HOSTILE["double exponential"], "dy/dx = " + HOSTILE["power tower three times"]])
def test_preview_answers_hostile_maths_with_a_422(client: FlaskClient, text: str) -> None:
    response, elapsed = timed(lambda: client.post("/api/v1/preview", json={"expression": text}))
    assert_too_costly(response, elapsed)


def test_a_5000_digit_integer_in_an_expression_is_a_4xx(client: FlaskClient) -> None:
    # (As a bare JSON number it never reaches the core: JSON parsing is issue 11's point 7.)
    number = "1" * 5000
    whole = client.post("/api/v1/solve", json={"expression": number})
    in_an_answer = client.post("/api/v1/check", json={"problem": "x^2", "answer": f"{number[:400]}x"})
    in_a_preview = client.post("/api/v1/preview", json={"expression": f"dy/dx = {number[:1500]}"})
    for response in (whole, in_an_answer, in_a_preview):
        assert 400 <= response.status_code < 500, response.get_json()
        assert response.get_json()["error"]["message"]


def test_a_conversation_on_a_hostile_expression_is_refused_with_a_422(client: FlaskClient, cast: Cast) -> None:
    response, elapsed = timed(lambda: client.post("/api/v1/conversations", json={"expression": HOSTILE[
        "double exponential"]}, headers=cast.learner.headers))
    assert_too_costly(response, elapsed)


def test_a_hostile_chat_answer_gets_a_sentence_and_records_no_attempt(
        client: FlaskClient, cast: Cast, session: sa.orm.Session) -> None:
    headers = cast.learner.headers
    conversation = client.post("/api/v1/conversations", json={"expression": "x^2"}, headers=headers).get_json()
    response, elapsed = timed(lambda: client.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"text": f"dy/dx = {HOSTILE['double exponential']}"}, headers=headers))
    assert response.status_code == 200 and elapsed < SAFETY
    [reply] = response.get_json()["messages"]
    assert reply["kind"] == "info" and "too big" in reply["text"] and "unchanged" in reply["text"]
    assert session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
    assert session.scalar(sa.select(sa.func.count(Message.id))) == len(conversation["messages"])
    assert client.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "dy/dx = 2x"},
                       headers=headers).get_json()["verdict"]["correct"]


@pytest.fixture
def tight_app(database_url: str, app_factory: Callable[..., Flask]) -> Flask:
    """An app whose compute budget is half a second, so that SLOW runs over it."""
    made = app_factory(database_url, COMPUTE_SECONDS=0.5)
    compute.start(made)
    return made


def test_work_over_the_time_budget_is_stopped_and_the_lane_keeps_working(tight_app: Flask) -> None:
    client = tight_app.test_client()
    response, elapsed = timed(lambda: client.post("/api/v1/solve", json={"expression": SLOW}))
    assert response.status_code == 422
    assert "took too long" in response.get_json()["error"]["message"]
    assert elapsed < 0.5 + 2.0
    assert client.post("/api/v1/solve", json={"expression": "(2x+1)^3"}).status_code == 200


def test_a_chat_turn_over_the_budget_leaves_the_conversation_unchanged(tight_app: Flask) -> None:
    client = tight_app.test_client()
    token = client.post("/api/v1/learners", json={"name": "Eve"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    conversation = client.post("/api/v1/conversations", json={"expression": "(2x+1)^3"}, headers=headers).get_json()
    before = client.get(f"/api/v1/conversations/{conversation['id']}", headers=headers).get_json()
    turn = client.post(f"/api/v1/conversations/{conversation['id']}/messages",
                       json={"text": f"differentiate {SLOW}"}, headers=headers)
    assert turn.status_code == 200
    [reply] = turn.get_json()["messages"]
    assert reply["kind"] == "info" and "unchanged" in reply["text"]
    assert turn.get_json()["state"] == before["state"]
    after = client.get(f"/api/v1/conversations/{conversation['id']}", headers=headers).get_json()
    assert after["messages"] == before["messages"] and after["state"] == before["state"]


def test_in_process_mode_still_refuses_explosive_input(database_url: str, app_factory: Callable[..., Flask]) -> None:
    client = app_factory(database_url, COMPUTE_POOL=False).test_client()
    response = client.post("/api/v1/solve", json={"expression": HOSTILE["power tower three times"]})
    assert response.status_code == 422 and "tower" in response.get_json()["error"]["message"]
