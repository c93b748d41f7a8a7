"""``POST /api/v1/preview``: "I read this as …" for the chat input (public)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.errors import ErrorSchema
from service.api.preview.reading import Preview, preview_input
from service.api.preview.schemas import PreviewRequestSchema, PreviewSchema
from service.compute import is_heavy, run_budgeted

blp = Blueprint("preview", __name__, url_prefix="/api/v1/preview",
                description="How the tutor reads chat input, for a live preview (public)")


@blp.route("")
class PreviewInput(MethodView):
    @blp.arguments(PreviewRequestSchema)
    @blp.response(200, PreviewSchema)
    @blp.alt_response(422, schema=ErrorSchema,
                      description="The maths cannot be read, or is too costly; message and position say why")
    def post(self, body: dict[str, Any]) -> Preview:
        """Read chat input as the tutor will: maths, a tagged answer, or a request."""
        return run_budgeted(preview_input, body["expression"], body["variable"],
                            heavy=is_heavy(body["expression"]))
