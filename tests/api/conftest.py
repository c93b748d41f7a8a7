"""Fixtures for the API tests: the integration layer's app and database
fixtures (a fresh database per test, SQLite or PostgreSQL), plus the cast of
the access rules: two learners, two instructors, and a course.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

# Reused, not copied: one definition of "a fresh database per test". Every
# fixture of the integration layer (app, client, database_url, ...) is
# imported, so that one added there (as app_factory was) works here too.
from tests.integration.conftest import *  # noqa: F403
from service.extensions import db
from tests.factories import (
    DEFAULT_PASSWORD,
    LearnerHandle,
    bearer,
    make_course,
    make_instructor,
    make_learner,
)


def basic(email: str, password: str) -> dict[str, str]:
    """The ``Authorization`` header for HTTP Basic."""
    encoded = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@dataclass(frozen=True)
class Cast:
    """Everyone the access rules talk about, with the headers each one sends.

    ``learner`` is enrolled in ``course`` (taught by ``instructor``);
    ``other_learner`` is in no course; ``other_instructor`` has a course of
    its own with nobody in it.
    """

    learner: LearnerHandle
    other_learner: LearnerHandle
    instructor_id: int
    instructor_email: str
    instructor_key: str
    other_instructor_key: str
    course_id: int
    course_code: str
    other_course_id: int
    other_course_code: str

    def headers(self, who: str) -> dict[str, str]:
        """The headers of ``who``: anonymous, learner, other_learner, instructor, other_instructor."""
        return {
            "anonymous": {},
            "learner": self.learner.headers,
            "other_learner": self.other_learner.headers,
            "instructor": bearer(self.instructor_key),
            "other_instructor": bearer(self.other_instructor_key),
        }[who]


@pytest.fixture
def session(app: Flask) -> Iterator[sa.orm.Session]:
    """A session of its own on the app's database, for factories and checks.

    It is deliberately not Flask-SQLAlchemy's scoped session inside a pushed
    app context: with a context held open, the test client would reuse it
    for every request, sharing ``g`` and the session between requests as
    no real server does.
    """
    with app.app_context():
        engine = db.engine
    with sa.orm.Session(engine) as session:
        yield session


@pytest.fixture
def cast(session: sa.orm.Session) -> Cast:
    """Two learners, two instructors and their courses (see :class:`Cast`)."""
    teacher = make_instructor(session, email="teacher@example.org", password=DEFAULT_PASSWORD)
    stranger = make_instructor(session, email="stranger@example.org")
    course = make_course(session, teacher.id, "Calculus I")
    other_course = make_course(session, stranger.id, "Physics")
    return Cast(
        learner=make_learner(session, "Ada", courses=(course.code,)),
        other_learner=make_learner(session, "Bob"),
        instructor_id=teacher.id,
        instructor_email=teacher.email,
        instructor_key=teacher.api_key,
        other_instructor_key=stranger.api_key,
        course_id=course.id,
        course_code=course.code,
        other_course_id=other_course.id,
        other_course_code=other_course.code,
    )
