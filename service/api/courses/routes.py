"""``/api/v1/courses``: instructors' courses and learners' enrolments."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from service import usecases
from service.api.courses.schemas import (
    CourseCreateSchema,
    CourseLearnerSchema,
    CourseSchema,
    EnrolmentSchema,
    EnrolSchema,
)
from service.api.openapi import INSTRUCTOR_AUTH, LEARNER_AUTH
from service.auth import require_instructor, require_learner
from service.extensions import db

blp = Blueprint("courses", __name__, url_prefix="/api/v1/courses",
                description="Courses: instructors create them, learners join with a code")


@blp.route("")
class Courses(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(200, CourseSchema(many=True))
    def get(self) -> list[usecases.courses.CourseView]:
        """List the calling instructor's own courses."""
        return usecases.list_courses(db.session, require_instructor())

    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.arguments(CourseCreateSchema)
    @blp.response(201, CourseSchema)
    def post(self, body: dict) -> usecases.courses.CourseView:
        """Create a course (instructors only); its join code comes back."""
        return usecases.create_course(db.session, require_instructor(), body["title"])


@blp.route("/enrol")
class Enrol(MethodView):
    @blp.doc(security=LEARNER_AUTH)
    @blp.arguments(EnrolSchema)
    @blp.response(201, EnrolmentSchema)
    def post(self, body: dict) -> usecases.courses.EnrolmentView:
        """Enrol the calling learner in the course with this join code."""
        return usecases.enrol_learner(db.session, require_learner(), body["code"])


@blp.route("/<int(max=2147483647):course_id>/learners")
class CourseLearners(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(200, CourseLearnerSchema(many=True))
    def get(self, course_id: int) -> list[usecases.courses.CourseLearner]:
        """List a course's learners (its own instructor only)."""
        return usecases.list_course_learners(db.session, require_instructor(), course_id)
