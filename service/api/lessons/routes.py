"""``/api/v1/lessons``: the lesson content, public."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from service import usecases
from service.api.lessons.schemas import LessonSchema, LessonSummarySchema
from service.extensions import db

blp = Blueprint("lessons", __name__, url_prefix="/api/v1/lessons",
                description="Lessons and their sections (public)")


@blp.route("")
class Lessons(MethodView):
    @blp.response(200, LessonSummarySchema(many=True))
    def get(self) -> list[usecases.content.LessonView]:
        """List the lessons in order."""
        return usecases.list_lessons(db.session)


@blp.route("/<string(maxlength=100):slug>")
class LessonBySlug(MethodView):
    @blp.response(200, LessonSchema)
    def get(self, slug: str) -> usecases.content.LessonView:
        """One lesson with its sections rendered to HTML and MathML."""
        return usecases.get_lesson(db.session, slug)
