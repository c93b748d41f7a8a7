"""The instructors' dashboards at ``/dashboard``: server-rendered pages behind a login.

:func:`init_app` registers the blueprint and its hooks: the logged-in
instructor is loaded before each view, every POST must carry the session's
CSRF token, domain errors become HTML error pages (the API's handlers
answer JSON), and the session cookie is HttpOnly and SameSite=Lax.

Charts use Chart.js 4 (MIT, ``static/vendor/chart.umd.min.js`` with its
licence beside it), served by the app itself: nothing loads from a CDN.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from service.dashboard.csrf import csrf_token, protect
from service.dashboard.formatting import TEMPLATE_HELPERS
from service.dashboard.logins import load_instructor
from service.dashboard.routes import bp
from service.dashboard import lti as _lti_page  # noqa: F401  (its routes join bp)
from service.dashboard import webhooks as _webhook_pages  # noqa: F401  (its routes join bp)
from service.usecases.errors import Conflict, Forbidden, NotFound, UseCaseError

# Domain errors as pages. Forbidden shows as 404 too: the dashboard does not
# confirm that another instructor's course or learner exists.
_STATUS_OF: dict[type[UseCaseError], int] = {NotFound: 404, Forbidden: 404, Conflict: 409}


def init_app(app: Flask) -> None:
    """Register the dashboards on ``app``."""
    # Flask's default SameSite is unset; Lax keeps cross-site POSTs from carrying the login.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.register_blueprint(bp)


@bp.before_request
def _before() -> None:
    load_instructor()
    protect()


@bp.after_request
def _headers(response: Response) -> Response:
    # Pages about learners: not cached by shared caches or the back button.
    # (Framing, CSP and the other security headers: service.security.)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"csrf_token": csrf_token, **TEMPLATE_HELPERS}


@bp.errorhandler(UseCaseError)
def _use_case_error(error: UseCaseError) -> tuple[str, int]:
    status = next((code for kind, code in _STATUS_OF.items() if isinstance(error, kind)), 400)
    message = "Not found: this course or learner is not one of yours." if status == 404 else error.message
    return render_template("dashboard/error.html", status=status, message=message), status


@bp.errorhandler(ma.ValidationError)
def _invalid_input(error: ma.ValidationError) -> tuple[str, int]:
    return render_template("dashboard/error.html", status=400, message="Some values are not valid.",
                           fields=error.normalized_messages()), 400


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int, list[tuple[str, str]]] | HTTPException:
    if error.code is None or error.code < 400 or error.code == 405:
        return error
    # Keep what the error says beyond its page: Retry-After on a 429 or 503.
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return render_template("dashboard/error.html", status=error.code, message=error.description), error.code, headers
