"""The Flask extensions, created once here and initialised by the factory.

Nothing here touches configuration or opens a database at import time;
:func:`service.app.create_app` calls :func:`init_app` for each app.
"""

from __future__ import annotations

from pathlib import Path

import flask_smorest
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from service.database import configure_engines
from service.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = flask_smorest.Api()

# migrations/ sits at the repository root, beside the service package; the
# package is installed editable (pip install -e .), so this path is stable
# and `chain-tutor db ...` finds it from any working directory.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def init_app(app: Flask) -> None:
    """Initialise the database, migrations and API extensions for ``app``."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    api.init_app(app)
    with app.app_context():
        configure_engines(app, list(db.engines.values()))
