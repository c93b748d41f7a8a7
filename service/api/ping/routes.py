"""``GET /api/v1/ping``."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

blp = Blueprint("ping", __name__, url_prefix="/api/v1/ping", description="Liveness of the API itself")


class PongSchema(ma.Schema):
    pong = ma.fields.Boolean(required=True)


@blp.route("")
class Ping(MethodView):
    @blp.response(200, PongSchema)
    def get(self) -> dict[str, bool]:
        """Answer at once, touching nothing (the benchmarks' baseline)."""
        return {"pong": True}
