"""JSON errors for the whole API, in the contract's one shape.

Every error a client of ``/api/v1`` sees is::

    {"error": {"message": "...", "status": 422, "errors": {"field": ["..."]}}}

with ``errors`` only for field errors and extra keys (``position`` for an
expression the calculus core cannot read) where they help. flask-smorest
registers its own handler for ``HTTPException``; :func:`init_app` registers
ours after it, which replaces it, so webargs' 422s, werkzeug's 404/405/413
and our own aborts all come out the same.
"""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable, abort

from service.calculus import ExpressionError
from service.database import RETRY_AFTER_SECONDS, OutageLog, unavailable
from service.usecases.errors import (
    Conflict,
    Forbidden,
    InvalidCredentials,
    NotFound,
    Unprocessable,
    UseCaseError,
)
from service.usecases.idempotency import IdempotencyKeyReused

API_PREFIX = "/api/"

# Domain errors and the status each one means over HTTP.
STATUS_OF: dict[type[UseCaseError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    IdempotencyKeyReused: 422,
    Unprocessable: 422,
    InvalidCredentials: 401,
}

# RFC 6750: a 401 names the scheme the client should use.
CHALLENGE = 'Bearer realm="chain-tutor"'

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ErrorDetailSchema(ma.Schema):
    """The inside of an error answer (documentation only)."""

    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person"})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Field name → list of messages (422 only)"},
    )
    position = ma.fields.Integer(
        metadata={"description": "0-based index in the typed expression where reading failed"},
    )
    request_id = ma.fields.String(
        metadata={"description": "The request's id (also the X-Request-ID header), to find it in the logs"},
    )


class ErrorSchema(ma.Schema):
    """Every error answer: ``{"error": {...}}``."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def error_response(status: int, message: str, **extra: Any) -> Response:
    """Build the JSON answer for an error.

    ``extra`` keys whose value is ``None`` are left out, so callers can pass
    optional details (``errors=``, ``position=``) unconditionally.
    """
    body = {"message": message, "status": status}
    body.update({key: value for key, value in extra.items() if value is not None})
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response


def field_errors(messages: Any) -> dict[str, Any]:
    """Flatten webargs' ``{location: {field: [msgs]}}`` into ``{field: [msgs]}``.

    >>> field_errors({"json": {"expression": ["Missing data for required field."]}})
    {'expression': ['Missing data for required field.']}
    >>> field_errors({"json": ["Invalid JSON body."]})
    {'_body': ['Invalid JSON body.']}
    """
    flat: dict[str, Any] = {}
    if not isinstance(messages, dict):
        return {"_body": list(messages) if isinstance(messages, list) else [str(messages)]}
    for location, found in messages.items():
        if isinstance(found, dict):
            flat.update(found)
        else:
            flat["_body" if location == "json" else location] = found
    return flat


def _summary(status: int, errors: dict[str, Any], default: str) -> str:
    if status == 400 and "_body" in errors:
        return "The request body is not valid JSON."
    if status == 422 and errors:
        return "Some fields are missing or invalid: " + ", ".join(sorted(errors)) + "."
    return default


def handle_http_exception(error: HTTPException) -> Response | HTTPException:
    """Answer any HTTP error (ours, webargs', werkzeug's) in the JSON shape.

    Pages outside the API that prefer HTML keep werkzeug's own error page.
    """
    if not _wants_json():
        return error
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    raw = data.get("errors", data.get("messages"))
    errors = field_errors(raw) if raw is not None else {}
    default = error.description if status < 500 else "The server failed; this is a bug."
    message = data.get("message") or _summary(status, errors, default or error.name)
    response = error_response(status, message, errors=errors or None)
    # Keep the headers werkzeug computed (``Allow`` on a 405) and any abort added.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.update(data.get("headers") or {})
    return response


def handle_use_case_error(error: UseCaseError) -> Response:
    """Map a domain error to its status (see :data:`STATUS_OF`)."""
    status = next(code for kind, code in STATUS_OF.items() if isinstance(error, kind))
    return error_response(status, error.message)


def handle_expression_error(error: ExpressionError) -> Response:
    """An expression the core cannot read: 422 with the learner's message and position."""
    message = error.message if error.location is None else f"in {error.location}: {error.message}"
    return error_response(422, message, position=error.position)


UNAVAILABLE_MESSAGE = "The database is unavailable or busy right now; try again in a few seconds."


def handle_database_error(error: SQLAlchemyError) -> Response:
    """A database that cannot serve now: 503 with ``Retry-After``, logged once per outage.

    Any other database error is a bug and goes on to Flask's 500 (with
    its traceback). API clients get the JSON error shape, browsers a page.
    """
    if not unavailable(error):
        raise error
    from service.extensions import db  # the extensions import this module's handlers

    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the session starts afresh next request
    outages: OutageLog | None = current_app.extensions.get("chain_tutor.outages")
    if outages is not None:
        outages.failed(error)
    if _wants_json():
        response = error_response(503, UNAVAILABLE_MESSAGE)
    elif request.blueprint == "dashboard":
        response = Response(render_template("dashboard/error.html", status=503, message=UNAVAILABLE_MESSAGE),
                            status=503, mimetype="text/html")
    else:
        response = ServiceUnavailable(UNAVAILABLE_MESSAGE).get_response()
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def reject_non_json_body() -> Response | None:
    """Refuse an API request whose body is not JSON (415) before any view runs.

    A body-less POST is fine (``POST /api/v1/learners`` needs nothing).
    """
    if request.method not in _BODY_METHODS or not request.path.startswith(API_PREFIX):
        return None
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")
    if has_body and not request.is_json:
        return error_response(415, "Send the body as JSON with 'Content-Type: application/json'.")
    return None


# No request of ours nests deeper than a few levels; 1,000 levels made the
# JSON parser (and anything walking the result) recurse until it failed.
MAX_JSON_DEPTH = 32


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings ignored).

    A linear scan of the raw bytes, so it is safe on any input, unlike parsing.

    >>> json_depth(b'{"a": [1, {"b": "[[["}]}'), json_depth(b"[" * 5), json_depth(b'"x"')
    (3, 5, 0)
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def screen_input() -> Response | None:
    """Refuse input no view can take (400) before any view runs, on every route.

    - A JSON body nested deeper than :data:`MAX_JSON_DEPTH` (checked on the
      raw bytes, before parsing: 1,000 levels made the parser recurse until
      it failed), or one Python cannot read (a 5,000-digit number passes
      ``json``'s grammar but not its integer limit).
    - Text holding a NUL character or a lone surrogate, in the path, the
      query string, a form or a JSON body: no person has a reason to send
      one; PostgreSQL cannot store NUL, and a lone surrogate cannot even be
      encoded as UTF-8, so either failed deep inside as a 500.
    """
    body = None
    if request.is_json and request.content_length:
        raw = request.get_data(cache=True)
        if json_depth(raw) > MAX_JSON_DEPTH:
            abort(400, description=f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
        try:
            body = json.loads(raw)
        except ValueError as error:  # also UnicodeDecodeError and the integer digit limit
            abort(400, description=f"The request body is not valid JSON: {str(error)[:120]}")
    form = request.form if request.mimetype in _FORM_TYPES else {}
    texts = [request.path, *request.args.keys(), *request.args.values(), *form.keys(), *form.values(),
             *_strings_in(body)]
    if any(not _storable(text) for text in texts):
        abort(400, description="The request contains a NUL character or an unpaired surrogate; "
                               "remove it and send again.")
    return None


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _storable(text: str) -> bool:
    r"""Whether ``text`` can be stored as it is: no NUL, no lone surrogate.

    >>> _storable("6(2x+1)^2"), _storable("a\x00b"), _storable("\ud800")
    (True, False, False)
    """
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings_in(value: Any) -> list[str]:
    """Every string (keys included) inside a parsed JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (str(key), *_strings_in(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings_in(item)]
    return []


def _wants_json() -> bool:
    if request.path.startswith(API_PREFIX):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def init_app(app: Flask) -> None:
    """Register the JSON error handlers; call after ``api.init_app(app)``."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(UseCaseError, handle_use_case_error)
    app.register_error_handler(ExpressionError, handle_expression_error)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.before_request(reject_non_json_body)
    app.before_request(screen_input)
