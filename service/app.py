"""The application factory.

>>> app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "doc"})
>>> app.config["API_TITLE"]
'Chain Tutor'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from service import api as api_package
from service import dashboard
from service import compute, extensions
from service.config import default_settings, finish_config, settings_from_env
from service.web import health, pages

INSTANCE_ENV = "CHAIN_TUTOR_INSTANCE"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Chain Tutor application.

    Settings come from :func:`service.config.default_settings`, then the
    environment (``DATABASE_URL``, ``SECRET_KEY``, ...), then ``config``
    (tests pass theirs here). The instance folder is ``$CHAIN_TUTOR_INSTANCE``
    when set, else Flask's default.
    """
    instance_path = os.environ.get(INSTANCE_ENV)
    app = Flask(
        "service",
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.from_mapping(default_settings(app.instance_path))
    app.config.from_mapping(settings_from_env(os.environ))
    if config is not None:
        app.config.from_mapping(config)
    finish_config(app.config)
    # The default SQLite file lives in the instance folder, which may not exist yet.
    os.makedirs(app.instance_path, exist_ok=True)

    extensions.init_app(app)
    compute.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    api_package.init_app(app)
    dashboard.init_app(app)
    return app
