"""Conversations in a real database: resuming after a restart, and messages
posted at the same time on one conversation (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from service.cli import main
from service.extensions import db
from service.models import Attempt, Conversation, Message
from service.usecases import conversations
from service.usecases.learners import create_learner
from tests.factories import LearnerHandle, bearer, make_lesson
from tests.integration.conftest import dispose_engines, postgres_server_url


def new_learner(app: Flask) -> LearnerHandle:
    with app.app_context():
        created = create_learner(db.session, "Ada")
    return LearnerHandle(id=created.id, token=created.token)


def start(app: Flask, learner: LearnerHandle, expression: str = "(2x+1)^3") -> str:
    response = app.test_client().post("/api/v1/conversations", json={"expression": expression},
                                      headers=learner.headers)
    assert response.status_code == 201
    return response.get_json()["id"]


def say(app: Flask, learner: LearnerHandle, conversation_id: str, text: str) -> dict[str, Any]:
    response = app.test_client().post(f"/api/v1/conversations/{conversation_id}/messages",
                                      json={"text": text}, headers=bearer(learner.token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def transcript(app: Flask, learner: LearnerHandle, conversation_id: str) -> dict[str, Any]:
    response = app.test_client().get(f"/api/v1/conversations/{conversation_id}", headers=learner.headers)
    assert response.status_code == 200
    return response.get_json()


def test_a_conversation_resumes_exactly_where_it_was_after_a_restart(
        database_url: str, app_factory: Callable[..., Flask]) -> None:
    first = app_factory(database_url)
    learner = new_learner(first)
    conversation = start(first, learner)
    say(first, learner, conversation, "u = 2x + 1")
    say(first, learner, conversation, "hint")
    before = transcript(first, learner, conversation)
    dispose_engines(first)

    second = app_factory(database_url)
    assert transcript(second, learner, conversation) == before
    turn = say(second, learner, conversation, "3u^2")
    assert turn["verdict"]["correct"] and turn["verdict"]["step"] == "dy/du"
    # The hint given before the restart still counts on the problem.
    assert turn["state"]["hints_used"] == 1 and turn["state"]["done"] == ["u", "dy/du"]
    say(second, learner, conversation, "2")
    done = say(second, learner, conversation, "6(2x+1)^2")
    assert done["state"]["solved"]
    positions = [m["position"] for m in transcript(second, learner, conversation)["messages"]]
    assert positions == list(range(len(positions)))


def post_at_once(app: Flask, learner: LearnerHandle, conversation_id: str, texts: list[str]) -> list[int]:
    """Post each text from its own thread, all released together; the statuses."""
    barrier = threading.Barrier(len(texts))
    statuses: list[int] = [0] * len(texts)

    def post(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/conversations/{conversation_id}/messages",
                               json={"text": texts[index]}, headers=learner.headers)
        statuses[index] = response.status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_messages_sent_at_once_are_all_recorded_in_order(app: Flask) -> None:
    learner = new_learner(app)
    conversation = start(app, learner)
    for _ in range(3):  # a few rounds, so the race is really run
        assert post_at_once(app, learner, conversation, ["u = 2x + 1", "hint"]) == [200, 200]
        assert post_at_once(app, learner, conversation, ["hi", "hi", "hi", "hi"]) == [200] * 4
    messages = transcript(app, learner, conversation)["messages"]
    assert [m["position"] for m in messages] == list(range(len(messages)))
    learner_messages = [m["text"] for m in messages if m["role"] == "learner"]
    assert sorted(learner_messages) == sorted(["u = 2x + 1", "hint"] * 3 + ["hi"] * 12)
    # Every learner message is followed by its own replies, never by another learner message.
    for index, message in enumerate(messages[:-1]):
        if message["role"] == "learner":
            assert messages[index + 1]["role"] == "tutor"
    state = transcript(app, learner, conversation)["state"]
    # Both turns of each round count: the inner function answered once (later
    # tries answer the next step), and every hint request was recorded.
    assert state["done"][0] == "u" and state["hints_used"] == 3
    with app.app_context():
        steps = db.session.scalars(sa.select(Attempt.step).order_by(Attempt.id)).all()
    assert steps == ["u"]  # once u is known, "u = 2x + 1" again is no new attempt


@pytest.fixture
def sqlite_only() -> None:
    if postgres_server_url() is not None:
        # On PostgreSQL the turn holds the row lock: an interleaved turn from
        # the same thread would wait for it forever rather than race it.
        pytest.skip("interleaving in one thread needs SQLite's optimistic path")


def interleave(monkeypatch: pytest.MonkeyPatch, app: Flask, learner: LearnerHandle, conversation: str,
               times: int) -> list[str]:
    """Make ``times`` turns lose a race: another turn is committed while each computes."""
    respond = conversations.respond
    interleaved: list[str] = []
    interleaving: list[bool] = []

    def respond_after_another(*args: Any, **kwargs: Any):
        if len(interleaved) < times and not interleaving:
            interleaved.append(f"hi {len(interleaved)}")
            interleaving.append(True)  # the other turn itself must not interleave
            with app.app_context(), sa.orm.Session(db.engine) as other:
                conversations.post_message(other, learner.id, conversation, "hi")
            interleaving.clear()
        return respond(*args, **kwargs)

    monkeypatch.setattr(conversations, "respond", respond_after_another)
    # The patched engine is a closure of this test: it runs in this thread, not in the compute pool.
    monkeypatch.setitem(app.config, "COMPUTE_POOL", False)
    return interleaved


def test_a_turn_that_loses_the_race_is_redone_on_the_new_state(
        sqlite_only: None, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    learner = new_learner(app)
    conversation = start(app, learner)
    interleave(monkeypatch, app, learner, conversation, times=1)
    turn = say(app, learner, conversation, "u = 2x + 1")
    assert turn["verdict"]["correct"]
    messages = transcript(app, learner, conversation)["messages"]
    assert [m["text"] for m in messages if m["role"] == "learner"] == ["hi", "u = 2x + 1"]
    assert [m["position"] for m in messages] == list(range(len(messages)))


def test_a_turn_that_always_loses_gives_up_with_a_conflict(
        sqlite_only: None, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    learner = new_learner(app)
    conversation = start(app, learner)
    interleaved = interleave(monkeypatch, app, learner, conversation, times=conversations.MAX_TRIES)
    response = app.test_client().post(f"/api/v1/conversations/{conversation}/messages",
                                      json={"text": "u = 2x + 1"}, headers=learner.headers)
    assert response.status_code == 409
    assert "send it again" in response.get_json()["error"]["message"]
    with app.app_context():
        texts = db.session.scalars(sa.select(Message.text).where(Message.role == "learner")).all()
        state = db.session.get(Conversation, conversation).state
    assert texts == ["hi"] * len(interleaved)  # the losing message left nothing behind
    assert state["step"] == "u"



def test_chat_in_a_terminal_uses_the_same_conversations(app: Flask) -> None:
    with app.app_context():
        make_lesson(db.session)  # content present: the command loads none
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["chat", "--name", "Ada", "--expression", "(2x+1)^3"],
                          input="hi\nu = 2x + 1\nquit\n")
    assert first.exit_code == 0, first.output
    assert "tutor: Let's differentiate (2x + 1)³ with respect to x." in first.output
    assert "tutor: Right: u = 2x + 1." in first.output
    token = first.output.split("Your learner token is ")[1].split()[0]

    # Next time, with the token: the same conversation, where it stopped, until end of input.
    again = runner.invoke(main, ["chat", "--learner-token", token], input="3u^2\n")
    assert again.exit_code == 0, again.output
    assert "Picking up where we left off" in again.output
    assert "What is dy/du" in again.output and "Yes: dy/du = 3u²" in again.output
    with app.app_context():
        rows = db.session.execute(sa.select(Conversation.id, Conversation.state)).all()
    assert len(rows) == 1 and rows[0].state["done"] == ["u", "dy/du"]
    learner = LearnerHandle(id="", token=token)
    assert transcript(app, learner, rows[0].id)["state"]["step"] == "du/dx"


def test_chat_refuses_an_unknown_token_and_a_bad_expression(app: Flask) -> None:
    with app.app_context():
        make_lesson(db.session)
    runner = app.test_cli_runner()
    unknown = runner.invoke(main, ["chat", "--learner-token", "lt_nobody"], input="")
    assert unknown.exit_code == 2 and "no learner has this token" in unknown.output
    bad = runner.invoke(main, ["chat", "--expression", "sin((x"], input="")
    assert bad.exit_code == 2 and "parenthesis" in bad.output
