"""Fixtures for tests that need a real database: ``app``, ``db_session``,
``client``, ``runner``, and empty databases for the migration tests.

Every test gets a database of its own. By default that is an SQLite file
in the test's ``tmp_path``. When ``TEST_DATABASE_URL`` names a PostgreSQL
server (any database on it, e.g. ``.../postgres``), the session creates a
uniquely named database there, builds the tables once, empties them
before each test (TRUNCATE is much faster than dropping and recreating
twelve tables), and drops the database at the end.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session

from service.app import create_app
from service.extensions import db
from service.models import Base

TEST_DATABASE_ENV = "TEST_DATABASE_URL"


def postgres_server_url() -> str | None:
    """The PostgreSQL URL tests may create databases through, if one is given."""
    url = os.environ.get(TEST_DATABASE_ENV)
    return url or None


def run_outside_transaction(server_url: str, statement: str) -> None:
    """Run one statement in autocommit mode (CREATE/DROP DATABASE refuse a transaction)."""
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def create_postgres_database(server_url: str) -> str:
    """Create a uniquely named, empty database and return its URL."""
    name = f"chain_tutor_test_{os.getpid()}_{secrets.token_hex(4)}"
    run_outside_transaction(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, database_url: str) -> None:
    """Drop a database made by :func:`create_postgres_database`, even if still in use."""
    name = make_url(database_url).database
    run_outside_transaction(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings_for_tests(database_url: str, **settings: object) -> dict[str, object]:
    """Settings for a test app on ``database_url``; they win over the environment."""
    config: dict[str, object] = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "AUTO_MIGRATE": False,
        # Every request of the suite comes from 127.0.0.1: rate limits are
        # off unless a test turns them on (tests/api/test_rate_limits.py).
        "RATELIMIT_ENABLED": False,
    }
    config.update(settings)
    return config


def dispose_engines(app: Flask) -> None:
    """Close the app's pooled connections (else they leak as ResourceWarnings)."""
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def empty_tables(connection: sa.Connection) -> None:
    """Delete every row of every model table, resetting id sequences on PostgreSQL."""
    tables = Base.metadata.sorted_tables
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            connection.execute(table.delete())


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """One database for the whole test session on the TEST_DATABASE_URL server."""
    server_url = postgres_server_url()
    if server_url is None:
        pytest.skip(f"{TEST_DATABASE_ENV} is not set")
    database_url = create_postgres_database(server_url)
    engine = sa.create_engine(database_url)
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()
    yield database_url
    drop_postgres_database(server_url, database_url)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of this test's database, its tables created and empty."""
    if postgres_server_url() is None:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        engine = sa.create_engine(f"sqlite:///{path}")
        try:
            Base.metadata.create_all(engine)
        finally:
            engine.dispose()
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database_url")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            # A test that dropped tables (a migration test) must not break the next one.
            Base.metadata.create_all(connection)
            empty_tables(connection)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def empty_database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """Make databases with no tables at all: ``factory("sqlite")`` or ``factory("postgresql")``.

    For migration tests, which must start from nothing. A PostgreSQL
    database is made only when TEST_DATABASE_URL is set (else the test is
    skipped) and is dropped after the test.
    """
    made: list[str] = []

    def factory(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.sqlite3'}"
        server_url = postgres_server_url()
        if server_url is None:
            pytest.skip(f"{TEST_DATABASE_ENV} is not set")
        made.append(create_postgres_database(server_url))
        return made[-1]

    yield factory
    server_url = postgres_server_url()
    for url in made:
        if server_url is not None:
            drop_postgres_database(server_url, url)


@pytest.fixture
def instance_path(tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh instance folder, so no test writes into the repository's own."""
    path = os.path.join(tmp_path, "instance")
    monkeypatch.setenv("CHAIN_TUTOR_INSTANCE", path)
    return path


@pytest.fixture
def create_app_closing(instance_path: str) -> Iterator[Callable[..., Flask]]:
    """``create_app`` as it is (environment included), its apps closed after the test."""
    made: list[Flask] = []

    def factory(config: dict[str, object] | None = None) -> Flask:
        made.append(create_app(config))
        return made[-1]

    yield factory
    for app in made:
        dispose_engines(app)


@pytest.fixture
def app_factory(create_app_closing: Callable[..., Flask]) -> Callable[..., Flask]:
    """Build test apps: ``app_factory(database_url, **settings)``; closed after the test."""

    def factory(database_url: str, **settings: object) -> Flask:
        return create_app_closing(settings_for_tests(database_url, **settings))

    return factory


@pytest.fixture
def app(database_url: str, app_factory: Callable[..., Flask]) -> Flask:
    """The application on this test's database."""
    return app_factory(database_url)


@pytest.fixture
def db_session(app: Flask) -> Iterator[scoped_session[sa.orm.Session]]:
    """Flask-SQLAlchemy's session, inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner whose commands get ``app``: ``runner.invoke(main, ["db", "current"])``."""
    return app.test_cli_runner()
