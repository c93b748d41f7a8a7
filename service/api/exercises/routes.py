"""``/api/v1/exercises``: the exercise bank, public."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from service import usecases
from service.api.exercises.schemas import ExercisePageSchema, ExerciseQuerySchema, ExerciseSchema
from service.extensions import db

blp = Blueprint("exercises", __name__, url_prefix="/api/v1/exercises",
                description="The exercise bank (public)")


@blp.route("")
class Exercises(MethodView):
    @blp.arguments(ExerciseQuerySchema, location="query")
    @blp.response(200, ExercisePageSchema)
    def get(self, query: dict) -> usecases.content.ExercisePage:
        """A page of exercises, filtered by skill and difficulty."""
        return usecases.list_exercises(db.session, **query)


@blp.route("/<string(maxlength=100):slug>")
class ExerciseBySlug(MethodView):
    @blp.response(200, ExerciseSchema)
    def get(self, slug: str) -> usecases.content.ExerciseView:
        """One exercise."""
        return usecases.get_exercise(db.session, slug)
