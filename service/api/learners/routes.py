"""``/api/v1/learners``: create a learner, read one, read its progress."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from service import usecases
from service.api.learners.schemas import (
    LearnerCreateSchema,
    LearnerSchema,
    LearnerUpdateSchema,
    NewLearnerSchema,
    ProgressQuerySchema,
    ProgressSchema,
)
from service.api.instructors.schemas import EmptyBodySchema
from service.api.openapi import ANY_AUTH, LEARNER_AUTH
from service.auth import forget_learner_tokens, require_principal
from service.extensions import db
from service.ratelimits import limiter, setting

blp = Blueprint("learners", __name__, url_prefix="/api/v1/learners",
                description="Learners, their tokens and their progress")


@blp.route("")
class Learners(MethodView):
    decorators = [limiter.limit(setting("RATE_LIMIT_LEARNERS"), methods=["POST"])]

    @blp.arguments(LearnerCreateSchema)
    @blp.response(201, NewLearnerSchema)
    def post(self, body: dict) -> usecases.learners.NewLearner:
        """Create a learner and its bearer token (anyone may)."""
        return usecases.create_learner(db.session, body.get("name"), body.get("course_code"),
                                       source=body.get("source"), source_host=body.get("source_host"))


@blp.route("/<string(length=32):learner_id>")
class LearnerById(MethodView):
    @blp.doc(security=ANY_AUTH)
    @blp.response(200, LearnerSchema)
    def get(self, learner_id: str) -> usecases.learners.LearnerView:
        """Read a learner: the learner itself, or an instructor of one of its courses."""
        return usecases.get_learner(db.session, require_principal(), learner_id)

    @blp.doc(security=ANY_AUTH)
    @blp.arguments(LearnerUpdateSchema)
    @blp.response(200, LearnerSchema)
    def patch(self, body: dict, learner_id: str) -> usecases.learners.LearnerView:
        """Set the learner's display name (the learner only), e.g. the first name the widget asks for."""
        return usecases.rename_learner(db.session, require_principal(), learner_id, body["name"])


@blp.route("/<string(length=32):learner_id>/progress")
class LearnerProgress(MethodView):
    @blp.doc(security=ANY_AUTH)
    @blp.arguments(ProgressQuerySchema, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, query: dict, learner_id: str) -> usecases.progress.Progress:
        """A learner's attempts, solved problems, hints and mastery per skill (for an instructor: in their courses)."""
        return usecases.get_progress(db.session, require_principal(), learner_id, query.get("course_id"))


@blp.route("/<string(length=32):learner_id>/token")
class LearnerToken(MethodView):
    @blp.doc(security=LEARNER_AUTH)
    @blp.arguments(EmptyBodySchema)
    @blp.response(200, NewLearnerSchema)
    def post(self, _: dict, learner_id: str) -> usecases.learners.NewLearner:
        """Replace your token (the learner only): the new one is shown once, the old one answers 401."""
        replaced = usecases.learners.replace_learner_token(db.session, require_principal(), learner_id)
        forget_learner_tokens(learner_id)
        return replaced
