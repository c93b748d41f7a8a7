"""``/api/v1/courses``: instructors' courses, join codes and enrolment."""

from __future__ import annotations

from flask.testing import FlaskClient

from service.usecases.courses import CODE_ALPHABET, CODE_LENGTH
from tests.api.conftest import Cast


def test_an_instructor_creates_a_course_with_a_join_code(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/courses", json={"title": "Analysis"},
                           headers=cast.headers("instructor"))
    assert response.status_code == 201
    course = response.get_json()
    assert course["title"] == "Analysis" and course["learners"] == 0
    assert len(course["code"]) == CODE_LENGTH and set(course["code"]) <= set(CODE_ALPHABET)


def test_an_instructor_lists_only_its_own_courses(client: FlaskClient, cast: Cast) -> None:
    mine = client.get("/api/v1/courses", headers=cast.headers("instructor")).get_json()
    theirs = client.get("/api/v1/courses", headers=cast.headers("other_instructor")).get_json()
    assert [(c["id"], c["learners"]) for c in mine] == [(cast.course_id, 1)]
    assert [c["id"] for c in theirs] == [cast.other_course_id]


def test_a_learner_enrols_with_the_code_as_typed(client: FlaskClient, cast: Cast) -> None:
    typed = " " + cast.course_code.lower() + " "
    response = client.post("/api/v1/courses/enrol", json={"code": typed},
                           headers=cast.other_learner.headers)
    assert response.status_code == 201
    assert response.get_json()["course_id"] == cast.course_id
    learners = client.get(f"/api/v1/courses/{cast.course_id}/learners",
                          headers=cast.headers("instructor")).get_json()
    assert {learner["id"] for learner in learners} == {cast.learner.id, cast.other_learner.id}


def test_enrolling_twice_is_a_conflict(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/courses/enrol", json={"code": cast.course_code},
                           headers=cast.learner.headers)
    assert response.status_code == 409
    assert "already enrolled" in response.get_json()["error"]["message"]


def test_an_unknown_code_is_404(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/courses/enrol", json={"code": "ZZZZZZZZ"},
                           headers=cast.other_learner.headers)
    assert response.status_code == 404


def test_an_unknown_course_is_404_for_its_learners(client: FlaskClient, cast: Cast) -> None:
    response = client.get("/api/v1/courses/999999/learners", headers=cast.headers("instructor"))
    assert response.status_code == 404


def test_a_course_needs_a_title(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/courses", json={"title": ""}, headers=cast.headers("instructor"))
    assert response.status_code == 422
    assert "title" in response.get_json()["error"]["errors"]
