"""The OpenAPI document's shared parts: security schemes and the docs page assets.

The docs page is flask-smorest's Swagger UI at ``/api/v1/docs``. Its scripts
come from the ``swagger-ui-bundle`` package and are served by this app, so the
page works on a machine with no internet (a CDN would leave it blank).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path
from werkzeug.wrappers import Response

from service.config import SWAGGER_UI_ASSETS_URL

# Names of the security schemes, for ``@blp.doc(security=...)``.
LEARNER_AUTH = [{"learnerToken": []}]
INSTRUCTOR_AUTH = [{"instructorKey": []}, {"instructorPassword": []}]
ANY_AUTH = LEARNER_AUTH + INSTRUCTOR_AUTH

SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "learnerToken": {
        "type": "http", "scheme": "bearer", "bearerFormat": "lt_…",
        "description": "A learner token from POST /api/v1/learners.",
    },
    "instructorKey": {
        "type": "http", "scheme": "bearer", "bearerFormat": "ik_… or is_…",
        "description": "An instructor API key (chain-tutor create-instructor) "
                       "or a login token (POST /api/v1/instructors/login).",
    },
    "instructorPassword": {
        "type": "http", "scheme": "basic",
        "description": "An instructor's email and password.",
    },
}

docs_assets = Blueprint("api_docs_assets", __name__, url_prefix=SWAGGER_UI_ASSETS_URL.rstrip("/"))


@docs_assets.get("/<path:filename>")
def swagger_asset(filename: str) -> Response:
    """Serve one file of the vendored Swagger UI."""
    return send_from_directory(Path(swagger_ui_path), filename, max_age=86400)


def document(api: Api, app: Flask) -> None:
    """Add the security schemes to the document and serve the docs assets."""
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    app.register_blueprint(docs_assets)
