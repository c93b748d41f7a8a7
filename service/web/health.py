"""``GET /healthz`` (liveness) and ``GET /readyz`` (readiness).

``/healthz`` says the process answers: it never touches the database, so a
locked table or a database outage never makes an orchestrator kill healthy
workers (restarting them would not bring the database back). ``/readyz``
says the service can do its job: 200 only while the database takes writes
(:func:`service.database.check_writable`), so a load balancer stops sending
traffic to a replica whose database is down or read-only.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from service.database import RETRY_AFTER_SECONDS, check_writable
from service.extensions import db

bp = Blueprint("health", __name__)

READINESS_TIMEOUT_MS = 1000


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Answer 200 ``{"status": "ok"}`` while the process serves requests."""
    return jsonify(status="ok"), 200


@bp.get("/readyz")
def readyz() -> tuple[Response, int, dict[str, str]] | tuple[Response, int]:
    """Answer 200 while the database takes writes, 503 (with ``Retry-After``) otherwise."""
    problem = check_writable(db.engine, READINESS_TIMEOUT_MS)
    if problem is not None:
        body = jsonify(status="unavailable", error={"message": f"database not writable: {problem}"})
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ready"), 200
