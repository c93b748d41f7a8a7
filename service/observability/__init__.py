"""Observability: request ids, request metrics, ``GET /metrics``.

:func:`init_app` wires it into an app:

- every request gets an id: nginx's ``X-Request-ID`` when it sent a sane
  one, else a fresh one; it is in ``g.request_id`` (and so in every log line,
  see :mod:`service.observability.logs`), echoed as the ``X-Request-ID``
  response header, and added to every JSON error body as
  ``{"error": {..., "request_id": ...}}`` so a learner's report leads to the
  log lines;
- each request's time is recorded under its route
  (:mod:`service.observability.metrics`), as is the database pool's use;
- ``GET /metrics`` serves the metrics in Prometheus' format. With
  ``METRICS_TOKEN`` set it asks for ``Authorization: Bearer <token>``; the
  nginx configuration in ``deploy/`` does not pass ``/metrics`` on from the
  outside at all, so Prometheus scrapes the app instances directly.
"""

from __future__ import annotations

import hmac
import re
import time
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from service.extensions import db
from service.observability import metrics

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from upstream: nginx's $request_id is 32 hex digits; a client's uuid or
# similar token is fine too. Anything else (long, odd characters) is replaced, never logged.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

bp = Blueprint("observability", __name__)


def request_id_from(header: str | None) -> str:
    """The id for this request: ``header`` when it looks like an id, else a new one.

    >>> request_id_from("0f3c5e2a9b8d4c1e8f7a6b5c4d3e2f1a")
    '0f3c5e2a9b8d4c1e8f7a6b5c4d3e2f1a'
    >>> len(request_id_from("<script>"))
    32
    """
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def start_request() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def finish_request(response: Response) -> Response:
    """Echo the request id, put it into a JSON error body, and time the request."""
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    if response.status_code >= 400 and response.is_json and not response.is_streamed:
        _add_request_id(response, request_id)
    started = g.get("request_started")
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        metrics.observe_request(request.method, route, response.status_code, time.perf_counter() - started)
    return response


def _add_request_id(response: Response, request_id: str) -> None:
    body = response.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"].setdefault("request_id", request_id)
        response.set_data(current_app.json.dumps(body))


@bp.get("/metrics")
def metrics_view() -> Response:
    """The metrics in Prometheus' text format (Bearer ``METRICS_TOKEN`` when one is set)."""
    token = current_app.config.get("METRICS_TOKEN")
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        response = Response('{"error": {"message": "Send the metrics token.", "status": 401}}', 401,
                            mimetype="application/json")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = metrics.exposition([metrics.OutboxCollector(read_outbox)])
    return Response(body, mimetype=metrics.CONTENT_TYPE)


def read_outbox() -> tuple[int, float | None] | None:
    """How many outbox events wait, and how old the oldest is (seconds); None if the database fails."""
    from service.models import OutboxEvent

    query = sa.select(sa.func.count(), sa.func.min(OutboxEvent.created_at)).where(
        OutboxEvent.delivered_at.is_(None))
    try:
        depth, oldest = db.session.execute(query).one()
    except SQLAlchemyError:
        db.session.rollback()
        return None
    finally:
        db.session.remove()
    if oldest is None:
        return depth, None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return depth, (datetime.now(timezone.utc) - oldest).total_seconds()


def _watch_pool(app: Flask) -> None:
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        sa.event.listen(engine, "checkout", lambda *args: metrics.pool_checked_out())
        sa.event.listen(engine, "checkin", lambda *args: metrics.pool_checked_in())
        sa.event.listen(engine, "connect", lambda *args: metrics.pool_connected())
        sa.event.listen(engine, "close", lambda *args: metrics.pool_closed())


def init_app(app: Flask) -> None:
    """Give ``app`` request ids, request metrics and ``/metrics`` (after the extensions)."""
    app.config.setdefault("METRICS_TOKEN", None)
    app.before_request(start_request)
    app.after_request(finish_request)
    app.register_blueprint(bp)
    _watch_pool(app)
