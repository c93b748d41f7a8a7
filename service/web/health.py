"""``GET /healthz``: 200 once the service can answer from its database.

Load balancers and ``chain-tutor run``'s tests poll it; it does no more
than one trivial query so that it stays cheap.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from service.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Answer 200 ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        # The session may be left in a failed transaction; drop it so the next request starts clean.
        db.session.rollback()
        log.warning("health check failed: %s", error)
        return jsonify(status="unavailable", error={"message": "database unavailable"}), 503
    return jsonify(status="ok"), 200
