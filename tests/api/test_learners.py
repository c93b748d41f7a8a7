"""``/api/v1/learners``: creating learners, their tokens, reading them and their progress."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from service.calculus import MISCONCEPTIONS
from service.models import Enrolment, Learner
from service.tutor.skills import SKILL_NAMES
from service.usecases import MASTERY_PRIOR
from tests.api.conftest import Cast
from tests.factories import bearer, make_attempt, make_conversation, make_mastery


def test_anyone_creates_a_learner_with_no_body(client: FlaskClient) -> None:
    response = client.post("/api/v1/learners")
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["id"]) == 32 and body["token"].startswith("lt_")
    me = client.get(f"/api/v1/learners/{body['id']}", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["name"] is None and me.get_json()["courses"] == []


def test_the_token_is_stored_only_as_its_hash(client: FlaskClient, session) -> None:
    body = client.post("/api/v1/learners", json={"name": "Ada"}).get_json()
    learner = session.get(Learner, body["id"])
    assert learner.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in learner.token_hash


def test_two_learners_get_different_tokens(client: FlaskClient) -> None:
    first = client.post("/api/v1/learners", json={}).get_json()
    second = client.post("/api/v1/learners", json={}).get_json()
    assert first["id"] != second["id"] and first["token"] != second["token"]


def test_a_course_code_enrols_the_new_learner(client: FlaskClient, cast: Cast) -> None:
    body = client.post("/api/v1/learners",
                       json={"name": "Cy", "course_code": cast.course_code.lower()}).get_json()
    me = client.get(f"/api/v1/learners/{body['id']}", headers=bearer(body["token"])).get_json()
    assert me["name"] == "Cy"
    assert me["courses"] == [{"id": cast.course_id, "title": "Calculus I"}]


def test_an_unknown_course_code_creates_nobody(client: FlaskClient, session) -> None:
    response = client.post("/api/v1/learners", json={"course_code": "NOPE1234"})
    assert response.status_code == 404
    assert "NOPE1234" in response.get_json()["error"]["message"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Learner)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_an_instructor_sees_only_its_own_courses_of_a_learner(client: FlaskClient, cast: Cast) -> None:
    enrolled = client.post("/api/v1/courses/enrol", json={"code": cast.other_course_code},
                           headers=cast.learner.headers)
    assert enrolled.status_code == 201
    own = client.get(f"/api/v1/learners/{cast.learner.id}", headers=cast.learner.headers)
    assert {c["id"] for c in own.get_json()["courses"]} == {cast.course_id, cast.other_course_id}
    seen = client.get(f"/api/v1/learners/{cast.learner.id}", headers=cast.headers("instructor"))
    assert [c["id"] for c in seen.get_json()["courses"]] == [cast.course_id]


def test_an_unknown_learner_is_404(client: FlaskClient, cast: Cast) -> None:
    response = client.get("/api/v1/learners/" + "0" * 32, headers=cast.learner.headers)
    assert response.status_code == 404


def test_a_wrong_token_is_401_not_anonymous(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/courses/enrol", json={"code": cast.course_code},
                           headers=bearer("lt_not-a-real-token"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_progress_of_a_new_learner_is_all_priors(client: FlaskClient, cast: Cast) -> None:
    body = client.get(f"/api/v1/learners/{cast.learner.id}/progress",
                      headers=cast.learner.headers).get_json()
    assert (body["attempts"], body["solved"], body["hints"], body["recent"]) == (0, 0, 0, [])
    assert body["mastery"] == {skill: MASTERY_PRIOR for skill in SKILL_NAMES}
    assert [s["skill"] for s in body["skills"]] == list(SKILL_NAMES)
    assert all(s["label"] and s["attempts"] == 0 for s in body["skills"])


def test_progress_counts_attempts_solved_problems_hints_and_mastery(
        client: FlaskClient, cast: Cast, session) -> None:
    solved = make_conversation(session, cast.learner.id, status="solved", hints_used=2)
    open_one = make_conversation(session, cast.learner.id, status="in_progress", hints_used=1)
    make_conversation(session, cast.learner.id, status="gave_up")  # a shown solution is not solved
    make_attempt(session, solved, correct=False, answer="3(2x+1)^2",
                 misconception="missing_inner_derivative", skill="inner_derivative")
    make_attempt(session, solved, correct=True, answer="6(2x+1)^2")
    make_attempt(session, open_one, correct=False, answer="cos(x)", step="du/dx")
    make_mastery(session, cast.learner.id, "inner_derivative", 0.65, attempts=3)
    # Another learner's work must not count.
    make_attempt(session, make_conversation(session, cast.other_learner.id, hints_used=5))

    body = client.get(f"/api/v1/learners/{cast.learner.id}/progress",
                      headers=cast.headers("instructor")).get_json()

    assert (body["attempts"], body["solved"], body["hints"], body["conversations"]) == (3, 1, 3, 3)
    assert body["problems"] == 3
    assert body["outcomes"] == {"in_progress": 1, "solved": 1, "solved_with_hints": 0, "gave_up": 1,
                                "abandoned": 0}
    assert set(body["misconceptions"]) == set(MISCONCEPTIONS)
    assert body["mastery"]["inner_derivative"] == pytest.approx(0.65)
    assert body["mastery"]["outer_derivative"] == MASTERY_PRIOR
    inner = next(s for s in body["skills"] if s["skill"] == "inner_derivative")
    outer = next(s for s in body["skills"] if s["skill"] == "outer_derivative")
    assert inner["attempts"] == 3 and inner["assessed"] and not outer["assessed"]
    assert len(body["recent"]) == 3
    assert body["recent"][0]["answer"] == "cos(x)"  # newest first
    assert {"missing_inner_derivative", None} <= {a["misconception"] for a in body["recent"]}


def test_a_learner_sets_and_clears_their_name_and_records_where_they_came_from(client) -> None:
    created = client.post("/api/v1/learners", json={"source": "widget", "source_host": "example.org"})
    assert created.status_code == 201
    learner = created.get_json()
    headers = {"Authorization": f"Bearer {learner['token']}"}
    named = client.patch(f"/api/v1/learners/{learner['id']}", json={"name": "  Ada "}, headers=headers)
    assert named.status_code == 200 and named.get_json()["name"] == "Ada"
    cleared = client.patch(f"/api/v1/learners/{learner['id']}", json={"name": ""}, headers=headers)
    assert cleared.get_json()["name"] is None


def test_a_bad_source_is_a_422(client) -> None:
    for body in ({"source": "carrier-pigeon"}, {"source_host": "exa mple.org"}, {"source_host": "<script>"}):
        response = client.post("/api/v1/learners", json=body)
        assert response.status_code == 422 and "error" in response.get_json()
