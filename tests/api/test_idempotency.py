"""Idempotent turns: a message or a start resent with its Idempotency-Key gets the first reply."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.models import Conversation, IdempotentReply, Message
from tests.api.conftest import Cast
from tests.factories import LearnerHandle, make_learner


def start(client: FlaskClient, learner: LearnerHandle, key: str | None = None, **body: Any) -> Any:
    headers = {**learner.headers, **({"Idempotency-Key": key} if key else {})}
    return client.post("/api/v1/conversations", json=body or {"expression": "(2x+1)^3"}, headers=headers)


def say(client: FlaskClient, learner: LearnerHandle, conversation_id: str, text: str, key: str | None) -> Any:
    headers = {**learner.headers, **({"Idempotency-Key": key} if key else {})}
    return client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": text}, headers=headers)


def learner_texts(session: sa.orm.Session, conversation_id: str) -> list[str]:
    session.expire_all()
    return list(session.scalars(sa.select(Message.text).where(
        Message.conversation_id == conversation_id, Message.role == "learner").order_by(Message.position)))


@pytest.fixture
def conversation_id(client: FlaskClient, cast: Cast) -> str:
    return start(client, cast.learner).get_json()["id"]


def test_a_resent_message_gets_the_first_reply_and_takes_no_second_turn(
        client: FlaskClient, cast: Cast, conversation_id: str, session: sa.orm.Session) -> None:
    first = say(client, cast.learner, conversation_id, "u = 2x + 1", "key-0001")
    again = say(client, cast.learner, conversation_id, "u = 2x + 1", "key-0001")
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert learner_texts(session, conversation_id) == ["u = 2x + 1"]
    # Without a key the same text is a new turn, as before.
    say(client, cast.learner, conversation_id, "u = 2x + 1", None)
    assert learner_texts(session, conversation_id) == ["u = 2x + 1", "u = 2x + 1"]


def test_the_same_key_with_another_body_is_refused(client: FlaskClient, cast: Cast, conversation_id: str,
                                                  session: sa.orm.Session) -> None:
    say(client, cast.learner, conversation_id, "hint", "key-0002")
    other = say(client, cast.learner, conversation_id, "u = 2x + 1", "key-0002")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["error"]["message"]
    assert learner_texts(session, conversation_id) == ["hint"]


def test_the_same_key_on_another_conversation_is_refused(client: FlaskClient, cast: Cast,
                                                        conversation_id: str) -> None:
    second = start(client, cast.learner).get_json()["id"]
    say(client, cast.learner, conversation_id, "hint", "key-0003")
    assert say(client, cast.learner, second, "hint", "key-0003").status_code == 422


def test_keys_belong_to_their_learner(client: FlaskClient, cast: Cast, conversation_id: str,
                                      session: sa.orm.Session) -> None:
    say(client, cast.learner, conversation_id, "hint", "shared-key")
    other = cast.other_learner
    theirs = start(client, other).get_json()["id"]
    reply = say(client, other, theirs, "hint", "shared-key")
    assert reply.status_code == 200 and "Idempotent-Replayed" not in reply.headers
    assert learner_texts(session, theirs) == ["hint"]


def test_a_resent_start_returns_the_same_conversation(client: FlaskClient, cast: Cast,
                                                      session: sa.orm.Session) -> None:
    first = start(client, cast.learner, "start-key-1")
    again = start(client, cast.learner, "start-key-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    count = session.scalar(sa.select(sa.func.count()).select_from(Conversation).where(
        Conversation.learner_id == cast.learner.id))
    assert count == 1


@pytest.mark.parametrize("key", ["", "a" * 256, "has space", "naïve"])
def test_a_malformed_key_is_a_422(client: FlaskClient, cast: Cast, conversation_id: str, key: str) -> None:
    response = client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "hint"},
                           headers={**cast.learner.headers, "Idempotency-Key": key.encode().decode("latin-1")})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["error"]["errors"]


def test_an_expired_key_is_forgotten(database_url: str, app_factory: Callable[..., Flask]) -> None:
    app = app_factory(database_url, IDEMPOTENCY_KEY_TTL=0)
    client = app.test_client()
    with sa.orm.Session(_engine(app)) as session:
        learner = make_learner(session)
        conversation = start(client, learner).get_json()["id"]
        say(client, learner, conversation, "hint", "old-key")
        again = say(client, learner, conversation, "hint", "old-key")
        assert "Idempotent-Replayed" not in again.headers
        assert learner_texts(session, conversation) == ["hint", "hint"]
        # The expired row was replaced, not kept beside the new one.
        assert session.scalar(sa.select(sa.func.count()).select_from(IdempotentReply)) == 1


def _engine(app: Flask) -> sa.Engine:
    from service.extensions import db

    with app.app_context():
        return db.engine


def test_copies_sent_at_once_take_one_turn_and_all_get_its_reply(
        app: Flask, cast: Cast, conversation_id: str, session: sa.orm.Session) -> None:
    for round_ in range(3):  # a few rounds, so the race is really run
        key = str(uuid.uuid4())
        replies = send_at_once(app, cast.learner, conversation_id, f"hint {round_}", key, copies=4)
        assert [status for status, _ in replies] == [200] * 4
        bodies = [body for _, body in replies]
        assert all(body == bodies[0] for body in bodies)
    assert learner_texts(session, conversation_id) == ["hint 0", "hint 1", "hint 2"]


def send_at_once(app: Flask, learner: LearnerHandle, conversation_id: str, text: str, key: str,
                 copies: int) -> list[tuple[int, Any]]:
    """Send ``copies`` identical requests from threads released together; (status, body) of each."""
    barrier = threading.Barrier(copies)
    replies: list[tuple[int, Any]] = [(0, None)] * copies

    def send(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = say(client, learner, conversation_id, text, key)
        replies[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=send, args=(index,)) for index in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return replies


def test_a_turn_refused_for_a_busy_lane_is_not_kept_so_a_resend_is_answered(
        client: FlaskClient, cast: Cast, conversation_id: str, session: sa.orm.Session,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing was written for a refused turn: the client's resend with the same key must run it."""
    from service.calculus import ExpressionTooCostly
    from service.usecases import conversations

    real = conversations.run_engine

    def busy_once(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(conversations, "run_engine", real)
        raise ExpressionTooCostly("the tutor is busy with other work right now")

    monkeypatch.setattr(conversations, "run_engine", busy_once)
    refused = say(client, cast.learner, conversation_id, "u = 2x + 1", "key-busy-1")
    assert refused.status_code == 200 and "busy" in refused.get_json()["messages"][0]["text"]
    assert learner_texts(session, conversation_id) == []
    answered = say(client, cast.learner, conversation_id, "u = 2x + 1", "key-busy-1")
    assert answered.status_code == 200 and "Idempotent-Replayed" not in answered.headers
    assert answered.get_json()["verdict"]["correct"] is True
    assert learner_texts(session, conversation_id) == ["u = 2x + 1"]
