"""Access follows the course: one learner in courses A and B, two instructors.

The learner holds a conversation in each course through the API (the real
use cases file each one, and its attempts, under its course). Instructor A
must see course A's work only, in every route, page and export, and
instructor B course B's; the learner sees both.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from service.models import Attempt, ConversationStats
from tests.api.conftest import *  # noqa: F403
from tests.factories import DEFAULT_PASSWORD, LearnerHandle, bearer, make_learner_in_two_courses

EXPRESSION_A, EXPRESSION_B = "(2x+1)^3", "sin(5x)"
WRONG_A, WRONG_B = "3(2x+1)^2", "cos(5x)"  # each a missing inner derivative


@dataclass(frozen=True)
class TwoCourses:
    learner: LearnerHandle
    key_a: str
    key_b: str
    email_a: str
    course_a: int
    course_b: int
    conversation_a: str
    conversation_b: str


def start(client: FlaskClient, learner: LearnerHandle, expression: str, course_id: int, wrong: str) -> str:
    response = client.post("/api/v1/conversations", headers=learner.headers,
                           json={"expression": expression, "course_id": course_id})
    assert response.status_code == 201, response.get_json()
    conversation_id = response.get_json()["id"]
    turn = client.post(f"/api/v1/conversations/{conversation_id}/messages", headers=learner.headers,
                       json={"text": f"dy/dx = {wrong}"})
    assert turn.status_code == 200, turn.get_json()
    return conversation_id


@pytest.fixture
def two(client: FlaskClient, session: sa.orm.Session) -> TwoCourses:
    cast = make_learner_in_two_courses(session)
    learner, teacher_a, teacher_b, course_a, course_b = (
        cast.learner, cast.teacher_a, cast.teacher_b, cast.course_a, cast.course_b)
    return TwoCourses(
        learner=learner, key_a=teacher_a.api_key, key_b=teacher_b.api_key, email_a=teacher_a.email,
        course_a=course_a.id, course_b=course_b.id,
        conversation_a=start(client, learner, EXPRESSION_A, course_a.id, WRONG_A),
        conversation_b=start(client, learner, EXPRESSION_B, course_b.id, WRONG_B),
    )


def test_attempts_and_summaries_are_filed_under_the_conversations_course(
        two: TwoCourses, session: sa.orm.Session) -> None:
    filed = dict(session.execute(sa.select(Attempt.conversation_id, Attempt.course_id)).all())
    assert filed == {two.conversation_a: two.course_a, two.conversation_b: two.course_b}
    stats = dict(session.execute(sa.select(ConversationStats.conversation_id, ConversationStats.course_id)).all())
    assert stats == filed


def test_a_conversation_without_a_course_given_goes_to_the_course_joined_last(
        client: FlaskClient, two: TwoCourses) -> None:
    response = client.post("/api/v1/conversations", headers=two.learner.headers, json={"expression": "e^(3x)"})
    assert response.status_code == 201
    read = client.get(f"/api/v1/conversations/{response.get_json()['id']}", headers=bearer(two.key_b))
    assert read.status_code == 200 and read.get_json()["course_id"] == two.course_b


def test_each_instructor_reads_only_their_courses_conversation(client: FlaskClient, two: TwoCourses) -> None:
    own_a = client.get(f"/api/v1/conversations/{two.conversation_a}", headers=bearer(two.key_a))
    own_b = client.get(f"/api/v1/conversations/{two.conversation_b}", headers=bearer(two.key_b))
    assert own_a.status_code == own_b.status_code == 200
    assert client.get(f"/api/v1/conversations/{two.conversation_b}", headers=bearer(two.key_a)).status_code == 404
    assert client.get(f"/api/v1/conversations/{two.conversation_a}", headers=bearer(two.key_b)).status_code == 404
    for conversation in (two.conversation_a, two.conversation_b):
        assert client.get(f"/api/v1/conversations/{conversation}", headers=two.learner.headers).status_code == 200


def test_progress_counts_only_the_instructors_course(client: FlaskClient, two: TwoCourses) -> None:
    url = f"/api/v1/learners/{two.learner.id}/progress"
    own = client.get(url, headers=two.learner.headers).get_json()
    seen_by_a = client.get(url, headers=bearer(two.key_a)).get_json()
    assert own["attempts"] == 2 and own["conversations"] == 2
    assert seen_by_a["attempts"] == 1 and seen_by_a["conversations"] == 1
    assert {a["conversation_id"] for a in seen_by_a["recent"]} == {two.conversation_a}


def test_the_conversation_list_of_an_instructor_is_their_courses(client: FlaskClient, two: TwoCourses) -> None:
    url = f"/api/v1/learners/{two.learner.id}/conversations"
    response = client.get(url, headers=bearer(two.key_b))
    assert response.status_code == 200
    assert [c["id"] for c in response.get_json()] == [two.conversation_b]


def log_in(client: FlaskClient, email: str) -> None:
    page = client.get("/dashboard/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/dashboard/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                                      "csrf_token": token, "next": ""})
    assert response.status_code == 302


def test_the_dashboard_shows_course_a_only_its_own_work(client: FlaskClient, two: TwoCourses) -> None:
    log_in(client, two.email_a)
    base = f"/dashboard/courses/{two.course_a}"
    learner_page = client.get(f"{base}/learners/{two.learner.id}").get_data(as_text=True)
    assert EXPRESSION_A in learner_page or "(2x+1)" in learner_page
    assert "sin(5x)" not in learner_page and WRONG_B not in learner_page
    misconceptions = client.get(f"{base}/misconceptions").get_data(as_text=True)
    assert WRONG_A in misconceptions and WRONG_B not in misconceptions
    exercises = client.get(f"{base}/exercises").get_data(as_text=True)
    assert "(2x+1)" in exercises and "sin(5" not in exercises

    export = client.get(f"{base}/export/attempts.csv")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert export.status_code == 200 and rows
    assert {row["conversation_id"] for row in rows} == {two.conversation_a}


def test_a_conversation_started_with_a_join_code_goes_to_that_course(client: FlaskClient, two: TwoCourses,
                                                                       session: sa.orm.Session) -> None:
    from service.models import Course

    code_a = session.scalar(sa.select(Course.code).where(Course.id == two.course_a))
    started = client.post("/api/v1/conversations", headers=two.learner.headers,
                          json={"expression": "e^(3x)", "course_code": code_a.lower()})
    assert started.status_code == 201
    read = client.get(f"/api/v1/conversations/{started.get_json()['id']}", headers=bearer(two.key_a))
    assert read.status_code == 200 and read.get_json()["course_id"] == two.course_a
    unknown = client.post("/api/v1/conversations", headers=two.learner.headers, json={"course_code": "NOPE99"})
    assert unknown.status_code == 404
