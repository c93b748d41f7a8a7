"""The use cases: one function per thing a client can do.

Each takes plain values and a SQLAlchemy session, runs one unit of work
(committing it when it writes), and returns plain values or dataclasses.
Failures the caller caused are domain errors (:mod:`service.usecases.errors`)
that the HTTP layer maps to 4xx. Routes, CLI commands and later integrations
all call these same functions.
"""

from service.usecases.access import Principal, visible_learner
from service.usecases.content import get_exercise, get_lesson, list_exercises, list_lessons
from service.usecases.courses import create_course, enrol_learner, list_course_learners, list_courses
from service.usecases.errors import Conflict, Forbidden, InvalidCredentials, NotFound, UseCaseError
from service.usecases.instructors import (
    authenticate_instructor,
    create_instructor,
    get_instructor,
    instructor_for_api_key,
)
from service.usecases.learners import create_learner, get_learner, learner_for_token, rename_learner
from service.usecases.progress import MASTERY_PRIOR, get_progress

__all__ = [
    "Principal", "visible_learner",
    "get_exercise", "get_lesson", "list_exercises", "list_lessons",
    "create_course", "enrol_learner", "list_course_learners", "list_courses",
    "Conflict", "Forbidden", "InvalidCredentials", "NotFound", "UseCaseError",
    "authenticate_instructor", "create_instructor", "get_instructor", "instructor_for_api_key",
    "create_learner", "get_learner", "learner_for_token", "rename_learner",
    "MASTERY_PRIOR", "get_progress",
]
