"""An instructor's mastery and misconception figures weigh their own course's evidence only.

One learner is enrolled in course A (instructor A) and course B (instructor
B) and does all their early work in B, through the real API. The tutor's own
model of the learner moves (it adapts to everything the learner did), and so
does course B's copy; course A's copy must not: instructor A's progress view,
heatmap, mastery export and the LMS's mastery.changed events all show what
the learner showed in course A, and nothing else.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from service.models import OutboxEvent
from service.tutor.beliefs import DEFAULT_BELIEFS
from service.usecases.progress import MASTERY_PRIOR
from tests.api.conftest import *  # noqa: F403
from tests.api.test_course_isolation import log_in
from tests.factories import LearnerHandle, bearer, make_learner_in_two_courses


@dataclass(frozen=True)
class Courses:
    learner: LearnerHandle
    key_a: str
    key_b: str
    email_a: str
    email_b: str
    course_a: int
    course_b: int


def work(client: FlaskClient, learner: LearnerHandle, course_id: int, expression: str, *answers: str) -> str:
    started = client.post("/api/v1/conversations", headers=learner.headers,
                          json={"expression": expression, "course_id": course_id})
    assert started.status_code == 201, started.get_json()
    conversation_id = started.get_json()["id"]
    for answer in answers:
        turn = client.post(f"/api/v1/conversations/{conversation_id}/messages", headers=learner.headers,
                           json={"text": answer})
        assert turn.status_code == 200, turn.get_json()
    return conversation_id


@pytest.fixture
def courses(client: FlaskClient, session: sa.orm.Session) -> Courses:
    cast = make_learner_in_two_courses(session)
    learner, teacher_a, teacher_b, course_a, course_b = (
        cast.learner, cast.teacher_a, cast.teacher_b, cast.course_a, cast.course_b)
    # All of it in course B: right steps, then a missing inner derivative.
    work(client, learner, course_b.id, "(2x+1)^3", "u = 2x + 1", "dy/du = 3u^2", "du/dx = 2",
         "dy/dx = 6(2x+1)^2")
    work(client, learner, course_b.id, "sin(5x)", "dy/dx = cos(5x)")
    return Courses(learner, teacher_a.api_key, teacher_b.api_key, teacher_a.email, teacher_b.email,
                   course_a.id, course_b.id)


def progress(client: FlaskClient, courses: Courses, headers: dict[str, str], query: str = "") -> dict:
    response = client.get(f"/api/v1/learners/{courses.learner.id}/progress{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assessed(body: dict) -> dict[str, float]:
    return {s["skill"]: s["probability"] for s in body["skills"] if s["assessed"]}


def test_work_in_another_course_leaves_an_instructors_figures_at_the_prior(
        client: FlaskClient, courses: Courses) -> None:
    own = progress(client, courses, courses.learner.headers)
    seen_by_a = progress(client, courses, bearer(courses.key_a))
    seen_by_b = progress(client, courses, bearer(courses.key_b))

    assert own["model_course_id"] is None and assessed(own)  # the learner's whole model moved
    assert seen_by_b["model_course_id"] == courses.course_b
    assert seen_by_b["mastery"] == pytest.approx(own["mastery"])  # all of it was B's
    assert seen_by_b["misconceptions"] == pytest.approx(own["misconceptions"])
    assert own["misconceptions"]["missing_inner_derivative"] > DEFAULT_BELIEFS.prior

    assert seen_by_a["model_course_id"] == courses.course_a
    assert assessed(seen_by_a) == {}
    assert set(seen_by_a["mastery"].values()) == {MASTERY_PRIOR}
    assert set(seen_by_a["misconceptions"].values()) == {DEFAULT_BELIEFS.prior}


def test_each_course_copy_moves_only_with_its_own_work(client: FlaskClient, courses: Courses) -> None:
    b_before = progress(client, courses, bearer(courses.key_b))
    own_before = progress(client, courses, courses.learner.headers)
    work(client, courses.learner, courses.course_a, "e^(3x)", "dy/dx = 3e^(3x)")

    a_after = progress(client, courses, bearer(courses.key_a))
    b_after = progress(client, courses, bearer(courses.key_b))
    own_after = progress(client, courses, courses.learner.headers)
    assert assessed(a_after)  # A's copy now has A's evidence...
    assert b_after["mastery"] == pytest.approx(b_before["mastery"])  # ...and B's did not move
    assert b_after["misconceptions"] == pytest.approx(b_before["misconceptions"])
    assert own_after["mastery"] != pytest.approx(own_before["mastery"])  # the learner's own moved with both
    # A's copy moved from the prior with one right answer; the learner's whole model had more evidence.
    assert a_after["mastery"] != pytest.approx(own_after["mastery"])


def test_an_instructor_may_name_their_course_but_not_anothers(client: FlaskClient, courses: Courses) -> None:
    named = progress(client, courses, bearer(courses.key_a), f"?course_id={courses.course_a}")
    assert named["model_course_id"] == courses.course_a
    other = client.get(f"/api/v1/learners/{courses.learner.id}/progress?course_id={courses.course_b}",
                       headers=bearer(courses.key_a))
    assert other.status_code == 404
    # The learner may look at one course's copy of their own model.
    mine_in_b = progress(client, courses, courses.learner.headers, f"?course_id={courses.course_b}")
    assert mine_in_b["model_course_id"] == courses.course_b and assessed(mine_in_b)


def test_the_heatmap_and_mastery_export_of_course_a_show_no_evidence_from_b(
        client: FlaskClient, courses: Courses) -> None:
    log_in(client, courses.email_a)
    heatmap = client.get(f"/dashboard/courses/{courses.course_a}/mastery").get_data(as_text=True)
    cells = re.findall(r'<td class="cell [^"]*"', heatmap)
    assert cells and all("unpractised" in cell for cell in cells)
    assert "0 learners" in heatmap  # no course mean: nobody practised anything in A
    export = client.get(f"/dashboard/courses/{courses.course_a}/export/mastery.csv").get_data(as_text=True)
    assert list(csv.DictReader(io.StringIO(export.lstrip("\ufeff")))) == []

    client.post("/dashboard/logout", data={})
    client.delete_cookie("session")
    log_in(client, courses.email_b)
    export_b = client.get(f"/dashboard/courses/{courses.course_b}/export/mastery.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export_b.lstrip("\ufeff"))))
    assert rows and {row["learner_id"] for row in rows} == {courses.learner.id}
    heatmap_b = client.get(f"/dashboard/courses/{courses.course_b}/mastery").get_data(as_text=True)
    assert any("unpractised" not in cell for cell in re.findall(r'<td class="cell [^"]*"', heatmap_b))


def test_the_lms_of_a_course_hears_its_own_copy_move(
        client: FlaskClient, courses: Courses, session: sa.orm.Session) -> None:
    work(client, courses.learner, courses.course_a, "(3x+2)^2", "u = 3x + 2")
    events = session.scalars(sa.select(OutboxEvent).where(OutboxEvent.type == "MasteryChanged")).all()
    in_a = [e.payload for e in events if e.payload["course_id"] == courses.course_a]
    assert in_a, "a right first step in A moves A's copy"
    # A's copy had seen nothing: every move in A starts at the prior, although the
    # learner's own model of these skills had already moved in B.
    assert {payload["before"] for payload in in_a} == {MASTERY_PRIOR}
