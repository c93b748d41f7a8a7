"""The Flask extensions, created once here and initialised by the factory.

Nothing here touches configuration or opens a database at import time;
:func:`service.app.create_app` calls :func:`init_app` for each app.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import flask_smorest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

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
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                sa.event.listen(engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on what SQLite leaves off by default, on every new connection.

    Foreign keys (else ON DELETE CASCADE and every FK are ignored), WAL
    (readers do not block the writer, which matters with several server
    threads) and a busy timeout (a writer waits for the lock instead of
    failing at once with "database is locked").
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    finally:
        cursor.close()
