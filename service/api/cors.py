"""Cross-origin access to the JSON API, so the widget works on any site.

The widget runs inside third-party pages and calls ``/api/v1`` from their
origin. Every API credential travels in the ``Authorization`` header, never
in a cookie, so allowing every origin (``*``) exposes nothing a page could
not already read: browsers never attach credentials to a ``*`` response,
and a page only holds the token its own widget was given.

:func:`init_app` answers CORS preflights (``OPTIONS`` with
``Access-Control-Request-Method``) before any view or JSON check runs, and
adds the CORS headers to every API answer, errors included, so the widget
can read an error's message.
"""

from __future__ import annotations

from flask import Flask, Response, request

API_PREFIX = "/api/v1/"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-ID"
# Browsers cap this (Chromium at two hours); a day asks for as much as they allow.
PREFLIGHT_MAX_AGE = str(24 * 60 * 60)


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def answer_preflight() -> Response | None:
    """Answer a CORS preflight to the API with 204 and the allowed methods and headers."""
    if request.method != "OPTIONS" or not _is_api(request.path):
        return None
    if "Access-Control-Request-Method" not in request.headers:
        return None
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def add_cors_headers(response: Response) -> Response:
    """Let any origin read an API answer (no credentials are ever involved)."""
    if _is_api(request.path):
        # The same value for every origin, so caches need no ``Vary: Origin``.
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def init_app(app: Flask) -> None:
    """Wire CORS into ``app``; the preflight check runs before every other hook."""
    app.before_request_funcs.setdefault(None, []).insert(0, answer_preflight)
    app.after_request(add_cors_headers)
