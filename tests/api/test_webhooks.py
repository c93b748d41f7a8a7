"""Webhooks out, end to end: the subscription routes of the contract, and
the delivery worker sending what real tutor turns wrote to a real receiver
that verifies every request with the ``standardwebhooks`` package.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.extensions import db
from service.models import OutboxEvent, WebhookDelivery, WebhookEndpoint, utcnow
from service.webhooks import targets
from service.webhooks.worker import DeliveryWorker, WorkerSettings, claim, hand_out, send, settings_from_config
from tests.api.conftest import Cast
from tests.api.test_conversations import Talk
from tests.factories import make_learner
from tests.receivers import Receiver, running_receiver

FAST = WorkerSettings(allow_private_targets=True, schedule=(0, 0.05, 0.05, 0.05), lease_seconds=30)


@pytest.fixture
def private_app(database_url: str, app_factory: Callable[..., Flask]) -> Flask:
    """The app, allowed to send to this machine (the receiver listens on 127.0.0.1)."""
    return app_factory(database_url, WEBHOOK_ALLOW_PRIVATE_TARGETS=True)


@pytest.fixture
def app(private_app: Flask) -> Flask:
    return private_app


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def worker(app: Flask, settings: WorkerSettings = FAST) -> DeliveryWorker:
    with app.app_context():
        engine = db.engine
    return DeliveryWorker(lambda: sa.orm.Session(engine), settings)


def subscribe(client: FlaskClient, cast: Cast, url: str, **body: object) -> dict:
    response = client.post(f"/api/v1/courses/{cast.course_id}/webhooks", json={"url": url, **body},
                           headers=cast.headers("instructor"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def subscribed(client: FlaskClient, cast: Cast, receiver: Receiver, **body: object) -> dict:
    created = subscribe(client, cast, receiver.url, **body)
    receiver.secret = created["secret"]
    return created


def solve_power(client: FlaskClient, cast: Cast) -> Talk:
    """A real dialogue: one wrong answer, then right to the end."""
    talk = Talk(client, cast.learner)
    talk.start(expression="(2x+1)^3")
    for text in ["u = 2x + 1", "dy/du = 3u", "dy/du = 3u^2", "du/dx = 2", "dy/dx = 6(2x+1)^2"]:
        talk.say(text)
    return talk


def outbox_ids(session: sa.orm.Session) -> list[str]:
    return [f"evt_{id}" for id in session.scalars(sa.select(OutboxEvent.id).order_by(OutboxEvent.id))]


def test_subscriptions_follow_the_contract(client: FlaskClient, cast: Cast) -> None:
    created = subscribe(client, cast, "https://hooks.example.org/ct", events=["problem.solved"],
                        description="gradebook")
    assert set(created) >= {"id", "url", "events", "secret"}
    assert created["secret"].startswith("whsec_") and created["events"] == ["problem.solved"]
    listed = client.get(f"/api/v1/courses/{cast.course_id}/webhooks", headers=cast.headers("instructor"))
    assert listed.status_code == 200
    assert [hook["id"] for hook in listed.get_json()] == [created["id"]]
    assert "secret" not in listed.get_json()[0] and listed.get_json()[0]["state"] == "active"

    rotated = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=cast.headers("instructor"))
    assert rotated.status_code == 200 and rotated.get_json()["secret"].startswith("whsec_")
    assert rotated.get_json()["secret"] != created["secret"]
    deliveries = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=cast.headers("instructor"))
    assert deliveries.status_code == 200 and deliveries.get_json() == []
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=cast.headers("instructor")).status_code == 204
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=cast.headers("instructor")).status_code == 404


@pytest.mark.parametrize("who, status", [("other_instructor", 403), ("learner", 403), ("anonymous", 401)])
def test_only_the_courses_instructor_manages_its_webhooks(client: FlaskClient, cast: Cast, who: str,
                                                          status: int) -> None:
    created = subscribe(client, cast, "https://hooks.example.org/ct")
    headers = cast.headers(who)
    assert client.get(f"/api/v1/courses/{cast.course_id}/webhooks", headers=headers).status_code == status
    assert client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=headers).status_code == status
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=headers).status_code == status


@pytest.mark.parametrize("body, message", [
    ({"url": "ftp://example.org/"}, "http"),
    ({"url": "https://example.org/", "events": ["problem.exploded"]}, "events"),
    ({}, "url"),
])
def test_bad_subscriptions_are_422(client: FlaskClient, cast: Cast, body: dict, message: str) -> None:
    response = client.post(f"/api/v1/courses/{cast.course_id}/webhooks", json=body,
                           headers=cast.headers("instructor"))
    assert response.status_code == 422
    assert message in str(response.get_json()["error"])


@pytest.mark.parametrize("url", ["http://127.0.0.1:5200/", "http://10.1.2.3/", "http://169.254.169.254/latest",
                                 "http://[::1]/", "http://192.168.0.9/", "http://localhost:5201/"])
def test_private_targets_are_refused_without_the_setting(
        database_url: str, app_factory: Callable[..., Flask], cast: Cast, url: str) -> None:
    client = app_factory(database_url).test_client()
    response = client.post(f"/api/v1/courses/{cast.course_id}/webhooks", json={"url": url},
                           headers=cast.headers("instructor"))
    assert response.status_code == 422
    assert "private, loopback or link-local" in response.get_json()["error"]["message"]


def test_a_host_name_resolving_to_loopback_is_refused_when_sent(
        database_url: str, app_factory: Callable[..., Flask], cast: Cast, session: sa.orm.Session,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-looking name whose DNS answer is loopback (rebinding): refused at send time."""
    public = app_factory(database_url)
    client = public.test_client()
    created = subscribe(client, cast, "http://hooks.example.org:5202/hooks")
    solve_power(client, cast)
    monkeypatch.setattr(targets.socket, "getaddrinfo",
                        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))])
    worker(public, WorkerSettings(allow_private_targets=False, schedule=(0, 3600))).run_once()
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=cast.headers("instructor")).get_json()
    assert log and all(entry["status"] == "pending" and entry["last_status_code"] is None for entry in log)
    errors = set(session.scalars(sa.select(WebhookDelivery.last_error).where(WebhookDelivery.attempts == 1)))
    assert errors and all("resolves to 127.0.0.1" in error for error in errors)


def test_a_solved_dialogue_arrives_signed_in_order_with_the_contract_data(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver, session: sa.orm.Session) -> None:
    subscribed(client, cast, receiver)
    solve_power(client, cast)
    worker(app).drain()

    assert receiver.rejected == []
    assert receiver.ids() == outbox_ids(session)  # every event once, in the order written
    types = [item.body["type"] for item in receiver.accepted]
    assert types.count("attempt.recorded") == 5 and types.count("problem.solved") == 1
    assert "mastery.changed" in types
    for item in receiver.accepted:
        data = item.body["data"]
        assert data["learner_id"] == cast.learner.id and data["course_id"] == cast.course_id
        assert data["expression"] == "(2x+1)^3" and data["variable"] == "x" and data["conversation_id"]
        assert item.body["timestamp"].endswith("Z")
    wrong = next(item.body["data"] for item in receiver.accepted
                 if item.body["type"] == "attempt.recorded" and not item.body["data"]["correct"])
    assert wrong["step"] == "dy/du" and wrong["answer"] == "3u" and "misconception" in wrong
    mastery = next(item.body["data"] for item in receiver.accepted if item.body["type"] == "mastery.changed")
    assert mastery["skill"] and 0 <= mastery["probability"] <= 1


def test_giving_up_is_problem_given_up_and_filters_apply(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver) -> None:
    subscribed(client, cast, receiver, events=["problem.given_up", "problem.solved"])
    talk = Talk(client, cast.learner)
    talk.start(expression="sin((3x)^2)")
    talk.say("show me the solution")
    worker(app).drain()
    assert [item.body["type"] for item in receiver.accepted] == ["problem.given_up"]


def test_a_receiver_that_is_down_for_a_while_gets_every_event_once_in_order(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver, session: sa.orm.Session) -> None:
    created = subscribed(client, cast, receiver)
    receiver.down = True
    solve_power(client, cast)
    delivering = worker(app, WorkerSettings(allow_private_targets=True, schedule=(0,) + (0.05,) * 8))
    for _ in range(3):
        delivering.run_once()
        threading.Event().wait(0.08)
    assert receiver.accepted == [] and receiver.requests >= 3
    receiver.down = False
    for _ in range(50):
        if not delivering.run_once() and len(receiver.accepted) == len(outbox_ids(session)):
            break
        threading.Event().wait(0.06)
    assert receiver.ids() == outbox_ids(session)
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=cast.headers("instructor")).get_json()
    assert {entry["status"] for entry in log} == {"delivered"}
    assert max(entry["attempts"] for entry in log) >= 3
    assert set(log[0]) >= {"id", "event_id", "type", "status", "attempts", "last_status_code", "next_attempt_at"}


def test_retry_after_is_honoured(client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver,
                                 session: sa.orm.Session) -> None:
    subscribed(client, cast, receiver)
    receiver.down, receiver.retry_after = True, "3600"
    talk = Talk(client, cast.learner)
    talk.start(expression="(2x+1)^3")
    talk.say("u = 2x + 1")
    worker(app).run_once()
    due = session.scalar(sa.select(WebhookDelivery.next_attempt_at).where(WebhookDelivery.attempts == 1))
    assert due >= utcnow() + timedelta(seconds=3500)


def test_a_410_disables_the_endpoint_and_the_dashboard_says_so(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver) -> None:
    created = subscribed(client, cast, receiver)
    receiver.gone = True
    solve_power(client, cast)
    worker(app).drain()
    assert receiver.requests == 1  # nothing more after the 410
    hook = client.get(f"/api/v1/courses/{cast.course_id}/webhooks", headers=cast.headers("instructor")).get_json()[0]
    assert hook["id"] == created["id"] and hook["state"] == "disabled" and "410" in hook["disabled_reason"]


def test_repeated_failure_disables_the_endpoint(client: FlaskClient, cast: Cast, app: Flask,
                                                receiver: Receiver, session: sa.orm.Session) -> None:
    subscribed(client, cast, receiver)
    receiver.down = True
    talk = Talk(client, cast.learner)
    talk.start(expression="(2x+1)^3")
    talk.say("u = 2x + 1")
    delivering = worker(app, WorkerSettings(allow_private_targets=True, schedule=(0, 0.01, 0.01)))
    for _ in range(10):
        delivering.run_once()
        threading.Event().wait(0.03)
    endpoint = session.scalar(sa.select(WebhookEndpoint))
    assert endpoint.state == "disabled" and "failed 3 times" in endpoint.disabled_reason
    assert receiver.requests == 3


def test_after_rotation_both_secrets_verify_for_the_overlap(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver) -> None:
    created = subscribed(client, cast, receiver)
    old_secret = created["secret"]
    new_secret = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret",
                             headers=cast.headers("instructor")).get_json()["secret"]
    receiver.secret = new_secret
    talk = Talk(client, cast.learner)
    talk.start(expression="(2x+1)^3")
    talk.say("u = 2x + 1")
    worker(app).drain()
    item = receiver.accepted[0]
    assert len(item.headers["webhook-signature"].split(" ")) == 2
    raw = _raw_body(item.body)
    Webhook(old_secret).verify(raw, item.headers)
    Webhook(new_secret).verify(raw, item.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(raw, item.headers)


def _raw_body(body: dict) -> str:
    return json.dumps(body, separators=(",", ":"))


def test_a_worker_killed_mid_delivery_loses_nothing_and_resends_the_same_id(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver, session: sa.orm.Session) -> None:
    created = subscribed(client, cast, receiver)
    talk = Talk(client, cast.learner)
    talk.start(expression="(2x+1)^3")
    talk.say("u = 2x + 1")
    short_lease = WorkerSettings(allow_private_targets=True, schedule=FAST.schedule, lease_seconds=0.2)
    with sa.orm.Session(db_engine(app)) as own:
        hand_out(own)
        leased = claim(own, short_lease)
    assert leased
    for item in leased:
        send(item, short_lease)  # the receiver got it; the worker dies before recording
    first = receiver.ids()
    threading.Event().wait(0.3)  # the lease runs out
    worker(app, short_lease).drain()
    assert first and receiver.ids() == first + outbox_ids(session)  # the first again, same webhook-id
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=cast.headers("instructor")).get_json()
    assert {entry["status"] for entry in log} == {"delivered"} and {entry["attempts"] for entry in log} == {1}


def db_engine(app: Flask) -> sa.Engine:
    with app.app_context():
        return db.engine


def test_replay_sends_the_same_event_again(client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver) -> None:
    created = subscribed(client, cast, receiver, events=["problem.solved"])
    solve_power(client, cast)
    worker(app).drain()
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=cast.headers("instructor")).get_json()
    replay = client.post(f"/api/v1/webhooks/{created['id']}/deliveries/{log[0]['id']}/replay",
                         headers=cast.headers("instructor"))
    assert replay.status_code == 202
    worker(app).drain()
    assert receiver.ids() == [log[0]["event_id"]] * 2
    missing = client.post(f"/api/v1/webhooks/{created['id']}/deliveries/999999/replay",
                          headers=cast.headers("instructor"))
    assert missing.status_code == 404


def test_two_workers_deliver_each_event_once_in_order_per_learner(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver, session: sa.orm.Session) -> None:
    subscribed(client, cast, receiver)
    learners = [make_learner(session, f"L{i}", courses=(cast.course_code,)) for i in range(3)]
    for learner in learners:
        for _ in range(2):
            for text in ["u = 2x + 1", "dy/du = 3u^2"]:
                talk = Talk(client, learner)
                talk.start(expression="(2x+1)^3")
                talk.say(text)
    expected = outbox_ids(session)
    workers = [worker(app), worker(app)]
    threads = [threading.Thread(target=each.drain) for each in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(receiver.ids()) == sorted(expected) and len(receiver.ids()) == len(expected)
    by_learner: dict[str, list[int]] = {}
    for item in receiver.accepted:
        by_learner.setdefault(item.body["data"]["learner_id"], []).append(int(item.id.removeprefix("evt_")))
    assert len(by_learner) == 3 and all(ids == sorted(ids) for ids in by_learner.values())


def test_events_of_other_courses_and_courseless_learners_are_not_sent(
        client: FlaskClient, cast: Cast, app: Flask, receiver: Receiver) -> None:
    subscribed(client, cast, receiver)
    talk = Talk(client, cast.other_learner)
    talk.start(expression="(2x+1)^3")
    talk.say("u = 2x + 1")
    worker(app).drain()
    assert receiver.requests == 0  # the other learner is in no course


@pytest.mark.parametrize("enabled", [True, False])
def test_with_xapi_enabled_each_event_carries_its_statement(
        database_url: str, app_factory: Callable[..., Flask], cast: Cast, receiver: Receiver,
        enabled: bool) -> None:
    """The setting as the worker reads it from the app's config; off (the default) changes nothing."""
    options = {"XAPI_ENABLED": True, "XAPI_BASE_URL": "https://tutor.example/"} if enabled else {}
    app = app_factory(database_url, WEBHOOK_ALLOW_PRIVATE_TARGETS=True, **options)
    client = app.test_client()
    subscribed(client, cast, receiver)
    solve_power(client, cast)
    worker(app, replace(settings_from_config(app.config), schedule=FAST.schedule)).drain()

    assert receiver.rejected == [] and receiver.accepted
    if not enabled:
        assert all("xapi" not in item.body["data"] for item in receiver.accepted)
        return
    verbs = {item.body["type"]: item.body["data"]["xapi"]["verb"]["id"].rsplit("/", 1)[1]
             for item in receiver.accepted}
    assert verbs["attempt.recorded"] == "answered" and verbs["problem.solved"] == "passed"
    assert verbs["mastery.changed"] in {"progressed", "mastered"}
    for item in receiver.accepted:
        statement = item.body["data"]["xapi"]
        assert statement["actor"]["account"] == {"homePage": "https://tutor.example", "name": cast.learner.id}
        assert statement["version"] == "1.0.3" and statement["timestamp"] == item.body["timestamp"]
    ids = [item.body["data"]["xapi"]["id"] for item in receiver.accepted]
    assert len(set(ids)) == len(ids)
