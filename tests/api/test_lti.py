"""LTI 1.3 against a fake LMS that runs as a real HTTP server: platform
registration by the CLI, login initiation, a launch with an id_token the
platform signs, the learner's chat, and the tool's JWKS.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import sqlalchemy as sa
from flask import Flask
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

from service.cli import main
from service.commands.worker import build_worker
from service.models import Course, Enrolment, Learner, LtiContext, LtiGradeTarget, LtiScoreDelivery, LtiUser
from service.usecases.webhooks import create_webhook
from service.webhooks.signing import signed_headers
from service.webhooks.worker import WorkerSettings
from tests.factories import bearer, make_exercise, make_instructor
from tests.fake_lms import INSTRUCTOR_ROLE, LEARNER_ROLE, FakeLms, running_lms
from tests.receivers import running_receiver
from tests.web.test_dashboard import csrf_from, log_in


@pytest.fixture
def lms(app: Flask, client: FlaskClient) -> Iterator[FakeLms]:
    with running_lms() as platform:
        result = app.test_cli_runner().invoke(main, [
            "lti", "register", "--issuer", platform.issuer, "--client-id", platform.client_id,
            "--deployment-id", platform.deployment_id, "--auth-login-url", f"{platform.base}/auth",
            "--auth-token-url", f"{platform.base}/token", "--key-set-url", f"{platform.base}/jwks",
            "--name", "Fake LMS"])
        assert result.exit_code == 0, result.output
        platform.tool_jwks = client.get("/.well-known/jwks.json").get_json()
        yield platform


def launch(client: FlaskClient, lms: FakeLms, sub: str, method: str = "post", **claims: object):
    """Login initiation, then the launch with the platform's id_token; the launch response."""
    params = {"iss": lms.issuer, "login_hint": sub, "target_link_uri": "http://localhost/lti/launch",
              "client_id": lms.client_id, "lti_message_hint": "rl-1"}
    started = client.post("/lti/login", data=params) if method == "post" else client.get("/lti/login",
                                                                                          query_string=params)
    assert started.status_code == 302, started.get_data(as_text=True)
    location = urlsplit(started.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{lms.base}/auth"
    auth = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert auth["redirect_uri"] == "http://localhost/lti/launch" and auth["client_id"] == lms.client_id
    id_token = lms.id_token(auth["nonce"], sub, **claims)  # type: ignore[arg-type]
    return client.post("/lti/launch", data={"id_token": id_token, "state": auth["state"]})


def chat_token(page: str) -> tuple[str, str]:
    learner = page.split('learner="', 1)[1].split('"', 1)[0]
    token = page.split('token="', 1)[1].split('"', 1)[0]
    return learner, token


def test_jwks_publishes_the_tool_key_made_on_first_use_and_keeps_a_rotated_one(
        app: Flask, client: FlaskClient) -> None:
    first = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256" and "d" not in first[0]
    assert client.get("/.well-known/jwks.json").get_json()["keys"] == first  # stored, not made again
    result = app.test_cli_runner().invoke(main, ["lti", "rotate-key"])
    assert result.exit_code == 0
    rotated = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert len(rotated) == 2 and rotated[1]["kid"] == first[0]["kid"]


@pytest.mark.parametrize("method", ["post", "get"])
def test_a_learner_launches_into_the_chat_with_their_name_in_a_new_course(
        client: FlaskClient, lms: FakeLms, session: sa.orm.Session, method: str) -> None:
    response = launch(client, lms, "student-7", method=method, custom={"expression": "(3x+2)^4"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Ada Lovelace" in page and "Calculus 101" in page and 'expression="(3x+2)^4"' in page
    learner_id, token = chat_token(page)
    learner = session.get(Learner, learner_id)
    assert learner is not None and learner.name == "Ada Lovelace"
    course = session.scalar(sa.select(Course).join(LtiContext).where(LtiContext.context_id == "course-42"))
    assert course is not None and course.title == "Calculus 101"
    assert session.scalar(sa.select(Enrolment).where(Enrolment.learner_id == learner_id,
                                                     Enrolment.course_id == course.id))
    target = session.scalar(sa.select(LtiGradeTarget))
    assert target.lineitems_url.endswith("/contexts/course-42/lineitems") and target.sub == "student-7"

    started = client.post("/api/v1/conversations", json={"expression": "(3x+2)^4"}, headers=bearer(token))
    assert started.status_code == 201
    again = launch(client, lms, "student-7")
    assert chat_token(again.get_data(as_text=True))[0] == learner_id  # the same learner next time
    assert session.scalar(sa.select(sa.func.count()).select_from(LtiUser)) == 1


def test_the_first_instructor_launch_makes_them_the_courses_instructor(
        client: FlaskClient, lms: FakeLms, session: sa.orm.Session) -> None:
    assert launch(client, lms, "student-1").status_code == 200  # a learner came first
    placeholder = session.scalar(sa.select(Course.instructor_id))
    response = launch(client, lms, "teacher-1", roles=(INSTRUCTOR_ROLE,), name="Grace Hopper")
    assert response.status_code == 200 and "instructor" in response.get_data(as_text=True)
    session.expire_all()
    course = session.scalar(sa.select(Course))
    user = session.scalar(sa.select(LtiUser).where(LtiUser.sub == "teacher-1"))
    assert course.instructor_id == user.instructor_id != placeholder


@pytest.mark.parametrize("tamper", ["state", "signature", "nonce_replay", "deployment"])
def test_a_launch_that_does_not_check_out_is_refused(client: FlaskClient, lms: FakeLms, tamper: str) -> None:
    params = {"iss": lms.issuer, "login_hint": "s", "target_link_uri": "http://localhost/lti/launch",
              "client_id": lms.client_id}
    auth = {k: v[0] for k, v in parse_qs(urlsplit(client.post("/lti/login", data=params).headers["Location"]).query).items()}
    token = lms.id_token(auth["nonce"], "s")
    state = auth["state"]
    if tamper == "state":
        state = "state-forged"
    elif tamper == "signature":
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    elif tamper == "deployment":
        lms.deployment_id = "unknown-deployment"
        token = lms.id_token(auth["nonce"], "s")
    elif tamper == "nonce_replay":
        assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 400
    assert "refused" in response.get_json()["error"]["message"]


def test_login_from_an_unregistered_platform_is_refused(client: FlaskClient) -> None:
    response = client.post("/lti/login", data={"iss": "https://unknown.example", "login_hint": "x"})
    assert response.status_code == 400 and "error" in response.get_json()


def solve(client: FlaskClient, token: str, expression: str = "(2x+1)^3") -> None:
    conversation = client.post("/api/v1/conversations", json={"expression": expression}, headers=bearer(token))
    for text in ["dy/dx = 3(2x+1)^2", "dy/dx = 6(2x+1)^2"]:
        reply = client.post(f"/api/v1/conversations/{conversation.get_json()['id']}/messages",
                            json={"text": text}, headers=bearer(token))
        assert reply.status_code == 200


def test_a_solved_problem_reaches_the_lms_gradebook_once(
        app: Flask, client: FlaskClient, lms: FakeLms, session: sa.orm.Session) -> None:
    learner_id, token = chat_token(launch(client, lms, "student-9").get_data(as_text=True))
    solve(client, token)
    worker = build_worker(app)
    worker.drain()
    assert len(lms.line_items) == 1  # the launch had none: made, by tag
    assert lms.line_items[0]["tag"] == "chain-tutor" and lms.line_items[0]["resourceLinkId"] == "rl-1"
    (route, score), = lms.scores
    assert route.endswith("/lineitems/1/scores")
    assert score["userId"] == "student-9" and score["scoreGiven"] == 1 and score["scoreMaximum"] == 1
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", score["timestamp"])
    assert score["comment"] == "Solved (2x+1)^3 in 2 answers with no hints."
    assert lms.token_requests >= 1
    worker.drain()
    assert len(lms.scores) == 1  # never twice for one event
    delivery = session.scalar(sa.select(LtiScoreDelivery))
    assert delivery.status == "delivered" and delivery.attempts == 1 and delivery.last_status_code == 200


def test_a_409_from_the_lms_is_final(app: Flask, client: FlaskClient, lms: FakeLms,
                                     session: sa.orm.Session) -> None:
    _, token = chat_token(launch(client, lms, "student-3").get_data(as_text=True))
    solve(client, token)
    lms.score_status = 409
    worker = build_worker(app)
    worker.drain()
    lms.score_status = 200
    worker.drain()
    assert len(lms.scores) == 1
    delivery = session.scalar(sa.select(LtiScoreDelivery))
    assert delivery.status == "failed" and delivery.last_status_code == 409 and delivery.attempts == 1


def test_webhook_data_of_an_lti_learner_names_the_platform_user(
        app: Flask, client: FlaskClient, lms: FakeLms, session: sa.orm.Session, database_url: str) -> None:
    _, token = chat_token(launch(client, lms, "student-5").get_data(as_text=True))
    course = session.scalar(sa.select(Course))
    with running_receiver() as receiver:
        hook = create_webhook(session, course.instructor_id, course.id, receiver.url,
                              events=["problem.solved"], allow_private=True)
        receiver.secret = hook.secret
        solve(client, token)
        worker = build_worker(app)
        worker.settings = WorkerSettings(allow_private_targets=True)
        worker.drain()
        assert receiver.accepted[0].body["data"]["lti"] == {"iss": lms.issuer, "sub": "student-5"}


def test_an_instructor_launch_syncs_the_roster_and_the_dashboard_shows_the_lms(
        app: Flask, client: FlaskClient, lms: FakeLms, session: sa.orm.Session) -> None:
    lms.members = [
        {"user_id": "s-1", "name": "Ada Lovelace", "status": "Active", "roles": [LEARNER_ROLE]},
        {"user_id": "s-2", "name": "Alan Turing", "status": "Active", "roles": [LEARNER_ROLE]},
        {"user_id": "s-3", "name": "Gone Student", "status": "Inactive", "roles": [LEARNER_ROLE]},
        {"user_id": "t-1", "name": "Grace Hopper", "status": "Active", "roles": [INSTRUCTOR_ROLE]},
    ]
    assert launch(client, lms, "s-3").status_code == 200  # enrolled by launching, then inactive
    assert launch(client, lms, "t-1", roles=(INSTRUCTOR_ROLE,), name="Grace Hopper").status_code == 200
    course = session.scalar(sa.select(Course))
    names = set(session.scalars(sa.select(Learner.name).join(Enrolment).where(Enrolment.course_id == course.id)))
    assert names == {"Ada Lovelace", "Alan Turing"}

    lms.members.append({"user_id": "s-4", "name": "Emmy Noether", "status": "Active", "roles": [LEARNER_ROLE]})
    result = app.test_cli_runner().invoke(main, ["lti", "sync-roster", str(course.id)])
    assert result.exit_code == 0 and "1 enrolled" in result.output
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 3


def test_the_lms_dashboard_page_registers_platforms_and_logs_scores(
        app: Flask, client: FlaskClient, lms: FakeLms, session: sa.orm.Session) -> None:
    _, token = chat_token(launch(client, lms, "student-8").get_data(as_text=True))
    solve(client, token)
    build_worker(app).drain()
    course = session.scalar(sa.select(Course))
    teacher = make_instructor(session, email="owner@example.org")
    course.instructor_id = teacher.id
    session.commit()
    assert log_in(client, "owner@example.org").status_code == 302
    page = client.get("/dashboard/lti").get_data(as_text=True)
    assert "/lti/login" in page and "/.well-known/jwks.json" in page and lms.issuer in page
    assert "Calculus 101" in page and "Solved (2x+1)^3" in page and "1/1" in page
    registered = client.post("/dashboard/lti/platforms", follow_redirects=True, data={
        "csrf_token": csrf_from(page), "name": "Moodle", "issuer": "https://moodle.example.org",
        "client_id": "abc", "deployment_id": "1", "auth_login_url": "https://moodle.example.org/auth",
        "auth_token_url": "https://moodle.example.org/token", "key_set_url": "https://moodle.example.org/jwks"})
    assert registered.status_code == 200 and "https://moodle.example.org" in registered.get_data(as_text=True)


def test_deep_linking_lets_an_instructor_place_a_problem_set(
        client: FlaskClient, lms: FakeLms, session: sa.orm.Session) -> None:
    make_exercise(session, slug="power-1", expression="(2x+1)^3")
    make_exercise(session, slug="trig-1", expression="sin(3x)")
    auth = {k: v[0] for k, v in parse_qs(urlsplit(client.post("/lti/login", data={
        "iss": lms.issuer, "login_hint": "t", "client_id": lms.client_id}).headers["Location"]).query).items()}
    settings = {"deep_link_return_url": f"{lms.base}/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data"}
    token = lms.id_token(auth["nonce"], "t-9", roles=(INSTRUCTOR_ROLE,), message_type="LtiDeepLinkingRequest",
                         extra={"https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": settings})
    chooser = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    page = chooser.get_data(as_text=True)
    assert chooser.status_code == 200 and 'value="exercise:trig-1"' in page, page
    launch_id = page.split('name="launch_id" value="', 1)[1].split('"', 1)[0]

    answer = client.post("/lti/deep-link", data={"launch_id": launch_id, "choice": "exercise:trig-1"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and f'action="{lms.base}/deep-link-return"' in html and "Return to the LMS" in html
    response_jwt = html.split('name="JWT" value="', 1)[1].split('"', 1)[0]
    tool_keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    key = jwt.algorithms.RSAAlgorithm.from_jwk(next(k for k in tool_keys
                                                    if k["kid"] == jwt.get_unverified_header(response_jwt)["kid"]))
    claims = jwt.decode(response_jwt, key, algorithms=["RS256"], audience=lms.issuer)
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["custom"] == {"exercise": "trig-1"} and item["url"] == "http://localhost/lti/launch"

    placed = launch(client, lms, "s-1", custom=item["custom"]).get_data(as_text=True)
    assert 'expression="sin(3x)"' in placed
    assert client.post("/lti/deep-link", data={"launch_id": launch_id}).status_code == 400


def test_platform_notices_are_verified_deduplicated_and_applied_in_the_background(
        app: Flask, client: FlaskClient, lms: FakeLms, session: sa.orm.Session) -> None:
    secret = "whsec_" + base64.b64encode(b"platform-shared-secret-24b").decode()
    result = app.test_cli_runner().invoke(main, [
        "lti", "register", "--issuer", lms.issuer, "--client-id", lms.client_id, "--deployment-id",
        lms.deployment_id, "--auth-login-url", f"{lms.base}/auth", "--auth-token-url", f"{lms.base}/token",
        "--key-set-url", f"{lms.base}/jwks", "--webhook-secret", secret])
    platform_id = int(result.output.split("/lti/notices/", 1)[1].split()[0])
    assert launch(client, lms, "t-1", roles=(INSTRUCTOR_ROLE,)).status_code == 200
    course = session.scalar(sa.select(Course))

    body = json.dumps({"type": "context.updated", "context": {"id": "course-42", "title": "Calculus 102"}})
    headers = signed_headers("notice-1", body, [secret])
    first = client.post(f"/lti/notices/{platform_id}", data=body, headers=headers)
    assert first.status_code == 202 and first.get_json() == {"received": True, "duplicate": False}
    again = client.post(f"/lti/notices/{platform_id}", data=body, headers=signed_headers("notice-1", body, [secret]))
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    forged = client.post(f"/lti/notices/{platform_id}", data=body,
                         headers=signed_headers("notice-2", body, ["whsec_" + "B" * 32]))
    assert forged.status_code == 401

    lms.members = [{"user_id": "s-7", "name": "Emmy Noether", "status": "Active", "roles": [LEARNER_ROLE]}]
    notice = jwt.encode({"iss": lms.issuer, "aud": lms.client_id, "iat": int(time.time()),
                         "https://purl.imsglobal.org/spec/lti/claim/notice": {"id": "n-2", "type": "LtiMembershipChangeNotice"},
                         "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "course-42"}},
                        lms.private_key, algorithm="RS256", headers={"kid": lms.kid})
    assert client.post(f"/lti/notices/{platform_id}", json={"jwt": notice}).status_code == 202
    wrong_key = jwt.encode({"iss": lms.issuer, "aud": lms.client_id, "jti": "n-3"},
                           rsa.generate_private_key(public_exponent=65537, key_size=2048),
                           algorithm="RS256", headers={"kid": lms.kid})
    assert client.post(f"/lti/notices/{platform_id}", data=wrong_key).status_code == 401

    session.expire_all()
    assert session.scalar(sa.select(Course.title)) == "Calculus 101"  # nothing applied before the worker
    build_worker(app).drain()
    session.expire_all()
    assert session.scalar(sa.select(Course.title)) == "Calculus 102"
    names = set(session.scalars(sa.select(Learner.name).join(Enrolment).where(Enrolment.course_id == course.id)))
    assert names == {"Emmy Noether"}


def test_only_the_courses_instructor_syncs_its_roster_from_the_dashboard(
        client: FlaskClient, lms: FakeLms, session: sa.orm.Session) -> None:
    assert launch(client, lms, "t-1", roles=(INSTRUCTOR_ROLE,)).status_code == 200
    course = session.scalar(sa.select(Course))
    make_instructor(session, email="other@example.org")
    assert log_in(client, "other@example.org").status_code == 302
    token = csrf_from(client.get("/dashboard/lti").get_data(as_text=True))
    response = client.post(f"/dashboard/lti/courses/{course.id}/sync-roster", data={"csrf_token": token})
    assert response.status_code == 404
