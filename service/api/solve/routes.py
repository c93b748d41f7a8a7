"""``POST /api/v1/solve``: a worked chain-rule solution."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.compute import is_heavy, run_budgeted, tasks
from service.api.errors import ErrorSchema
from service.api.solve.schemas import SolutionSchema, SolveRequestSchema

blp = Blueprint("solve", __name__, url_prefix="/api/v1/solve",
                description="Worked solutions by the chain rule (public)")


@blp.route("")
class Solve(MethodView):
    @blp.arguments(SolveRequestSchema)
    @blp.response(200, SolutionSchema)
    @blp.alt_response(422, schema=ErrorSchema,
                      description="The expression cannot be read, or is too costly to work with; "
                                  "message and position say why")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Differentiate an expression and explain each step."""
        return run_budgeted(tasks.solve, body["expression"], body["variable"],
                            heavy=is_heavy(body["expression"]))
