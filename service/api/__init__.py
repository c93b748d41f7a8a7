"""The JSON API under ``/api/v1``: one sub-package per resource.

:func:`init_app` wires it into an app: the JSON error handlers, the OpenAPI
document's security schemes and docs page assets, and every blueprint of
:data:`BLUEPRINTS`. The OpenAPI document is served at
``/api/v1/openapi.json`` and browsable at ``/api/v1/docs``.
"""

from __future__ import annotations

from flask import Flask

from service.api import cors, errors, openapi
from service.api.errors import ErrorSchema
from service.api.check.routes import blp as check_blp
from service.api.conversations.routes import blp as conversations_blp
from service.api.courses.routes import blp as courses_blp
from service.api.exercises.routes import blp as exercises_blp
from service.api.instructors.routes import blp as instructors_blp
from service.api.learners.routes import blp as learners_blp
from service.api.lessons.routes import blp as lessons_blp
from service.api.ping.routes import blp as ping_blp
from service.api.preview.routes import blp as preview_blp
from service.api.solve.routes import blp as solve_blp
from service.api.webhooks.routes import blp as webhooks_blp
from service.extensions import api

# flask-smorest documents every error response with ``Api.ERROR_SCHEMA``
# when the Api is initialised (in ``service.extensions.init_app``, before
# ours); it must be our envelope by then, so it is set as this package loads.
api.ERROR_SCHEMA = ErrorSchema

BLUEPRINTS = [
    ping_blp, solve_blp, check_blp, learners_blp, lessons_blp, exercises_blp,
    courses_blp, instructors_blp, conversations_blp,
    preview_blp, webhooks_blp,
]


def init_app(app: Flask) -> None:
    """Register the API on ``app`` (after ``service.extensions.init_app``)."""
    if "flask-smorest" not in app.extensions:
        # service.extensions.init_app normally initialises the Api; do it here
        # when an app is assembled without it, but never twice.
        api.init_app(app)
    errors.init_app(app)
    cors.init_app(app)
    openapi.document(api, app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
