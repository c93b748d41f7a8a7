"""``POST /api/v1/check``: is a learner's derivative right, and if not, why."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service import calculus
from service.api.check.schemas import CheckRequestSchema, VerdictSchema
from service.api.errors import ErrorSchema
from service.compute import is_heavy, run_budgeted, tasks

blp = Blueprint("check", __name__, url_prefix="/api/v1/check",
                description="Checking a learner's derivative (public)")


@blp.route("")
class Check(MethodView):
    @blp.arguments(CheckRequestSchema)
    @blp.response(200, VerdictSchema)
    @blp.alt_response(422, schema=ErrorSchema,
                      description="The problem or the answer cannot be read, or is too costly")
    def post(self, body: dict[str, Any]) -> calculus.Verdict:
        """Check a derivative; a wrong one gets its misconception and feedback."""
        return run_budgeted(tasks.check, body["problem"], body["answer"], body["variable"],
                            heavy=is_heavy(body["problem"], body["answer"]))
