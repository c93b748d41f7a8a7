"""The application factory, its configuration, ``/healthz``, and
``chain-tutor run`` serving the real thing with gunicorn.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.config import DEFAULT_CONTENT_DIR
from service.extensions import db
from service.models import Exercise, Lesson, Section

CONFIG_ENV = ("DATABASE_URL", "SECRET_KEY", "CONTENT_DIR", "MAX_CONTENT_LENGTH", "AUTO_MIGRATE")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, instance_path: str) -> pytest.MonkeyPatch:
    """No configuration in the environment but a fresh instance folder."""
    for name in CONFIG_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- configuration -----------------------------------------------------------

def test_defaults_put_sqlite_in_the_instance_folder(clean_env: pytest.MonkeyPatch,
                                                     instance_path: str,
                                                     create_app_closing: Callable[..., Flask]) -> None:
    app = create_app_closing({"SECRET_KEY": "x"})
    expected = Path(instance_path) / "chain_tutor.sqlite3"
    assert app.instance_path == instance_path and Path(instance_path).is_dir()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert app.config["CONTENT_DIR"] == str(DEFAULT_CONTENT_DIR)
    assert app.config["AUTO_MIGRATE"] is True
    assert (app.config["API_TITLE"], app.config["API_VERSION"]) == ("Chain Tutor", "v1")
    assert app.config["OPENAPI_URL_PREFIX"] == "/api/v1"


def test_environment_configures_the_app(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                        create_app_closing: Callable[..., Flask]) -> None:
    clean_env.setenv("DATABASE_URL", "postgres://someone@db.example:5432/tutor")
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    clean_env.setenv("CONTENT_DIR", str(tmp_path))
    clean_env.setenv("MAX_CONTENT_LENGTH", "1000")
    clean_env.setenv("AUTO_MIGRATE", "no")
    app = create_app_closing()
    # psycopg 3 is the installed driver; a bare postgres:// URL is pointed at it.
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example:5432/tutor"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["CONTENT_DIR"] == str(tmp_path)
    assert app.config["MAX_CONTENT_LENGTH"] == 1000
    assert app.config["AUTO_MIGRATE"] is False


def test_the_callers_config_beats_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                                  create_app_closing: Callable[..., Flask]) -> None:
    clean_env.setenv("DATABASE_URL", "sqlite:///from-env.sqlite3")
    clean_env.setenv("SECRET_KEY", "from-env")
    app = create_app_closing({"DATABASE_URL": f"sqlite:///{tmp_path / 'mine.sqlite3'}", "SECRET_KEY": "mine"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("mine.sqlite3")
    assert app.config["SECRET_KEY"] == "mine"


def test_a_missing_secret_key_is_random_per_app_and_logged(clean_env: pytest.MonkeyPatch,
                                                            create_app_closing: Callable[..., Flask],
                                                            caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="service.config"):
        first, second = create_app_closing(), create_app_closing()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert "SECRET_KEY is not set" in caplog.text


def test_a_bad_boolean_setting_is_refused(clean_env: pytest.MonkeyPatch,
                                          create_app_closing: Callable[..., Flask]) -> None:
    clean_env.setenv("AUTO_MIGRATE", "perhaps")
    with pytest.raises(ValueError, match="AUTO_MIGRATE"):
        create_app_closing({"SECRET_KEY": "x"})


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 1000


# -- health and documents ------------------------------------------------------

def test_healthz_and_readyz_answer_ok_when_the_database_takes_writes(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ready"}


UNREACHABLE = [
    pytest.param("sqlite:///{tmp}/no-such-directory/db.sqlite3", id="sqlite"),
    # Nothing listens on port 1, so the connection is refused at once.
    pytest.param("postgresql+psycopg://nobody@127.0.0.1:1/nothing", id="postgresql"),
]


@pytest.mark.parametrize("url", UNREACHABLE)
def test_without_a_database_the_process_is_live_but_not_ready(url: str, tmp_path: Path,
                                                              app_factory: Callable[..., Flask]) -> None:
    client = app_factory(url.format(tmp=tmp_path)).test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["status"] == "unavailable"


@pytest.mark.parametrize("url", UNREACHABLE)
def test_without_a_database_requests_answer_503_and_log_one_line(
        url: str, tmp_path: Path, app_factory: Callable[..., Flask], caplog: pytest.LogCaptureFixture) -> None:
    client = app_factory(url.format(tmp=tmp_path)).test_client()
    for _ in range(5):
        response = client.post("/api/v1/learners", json={"name": "Ada"})
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "database" in response.get_json()["error"]["message"]
    page = client.post("/dashboard/login", data={"email": "a@b.c", "password": "x"}, headers={"Accept": "text/html"})
    assert page.status_code in (400, 503)  # no CSRF token: refused before any query, or the database
    lines = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(lines) == 1 and "database unavailable" in lines[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)


def test_the_openapi_document_and_its_docs_page_are_served(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.get_json()["info"]["title"] == "Chain Tutor"
    assert document.get_json()["openapi"] == "3.0.3"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    # Swagger UI's files come from this app, not from a CDN the browser may not reach.
    assert b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    # A file response holds the file open until closed.
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and b"SwaggerUIBundle" in asset.data


# -- chain-tutor run -----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class Server:
    """A ``chain-tutor run`` process; ``output`` is filled in once it has ended."""

    base: str
    process: subprocess.Popen[str]
    output: str = ""


@contextmanager
def running_server(env: dict[str, str], cwd: Path) -> Iterator[Server]:
    """``chain-tutor run`` on a free port, yielded once /healthz says ok; stopped with SIGTERM."""
    port = free_port()
    command = [sys.executable, "-c", "from service.cli import main; main()",
               "run", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"server exited early:\n{process.stdout.read()}"  # type: ignore[union-attr]
            try:
                if get(f"{server.base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server did not become healthy"
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        server.output = process.stdout.read()
        process.stdout.close()


def content_counts(database_url: str) -> tuple[int, int, int]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                connection.scalar(sa.select(sa.func.count()).select_from(model)) or 0
                for model in (Lesson, Section, Exercise)
            )
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("backend", [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
])
def test_run_serves_with_gunicorn_on_an_empty_database(
        backend: str, tmp_path: Path, empty_database_factory: Callable[[str], str]) -> None:
    env = {name: value for name, value in os.environ.items() if name not in CONFIG_ENV}
    env["CHAIN_TUTOR_INSTANCE"] = str(tmp_path / "instance")
    if backend == "sqlite":
        # The default: a file in the instance folder, which does not exist yet.
        database_url = f"sqlite:///{tmp_path / 'instance' / 'chain_tutor.sqlite3'}"
    else:
        database_url = env["DATABASE_URL"] = empty_database_factory("postgresql")

    with running_server(env, tmp_path) as server:
        status, headers, body = get(f"{server.base}/healthz")
        assert status == 200 and b'"status":"ok"' in body.replace(b" ", b"")
        assert "gunicorn" in headers.get("Server", "")  # not Flask's development server
        assert get(f"{server.base}/api/v1/openapi.json")[0] == 200
        lessons, sections, exercises = content_counts(database_url)
        assert lessons >= 1 and sections >= 1 and exercises >= 40
    # SIGTERM is a clean, graceful stop.
    assert server.process.returncode == 0, server.output
    assert f"Chain Tutor is serving on {server.base}/" in server.output

    # A second start finds the database ready: nothing is loaded twice.
    with running_server(env, tmp_path) as server:
        assert get(f"{server.base}/healthz")[0] == 200
    assert server.process.returncode == 0, server.output
    assert content_counts(database_url) == (lessons, sections, exercises)


def test_run_starts_gunicorn_outside_any_app_context(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers fork from the process that calls ``StandaloneServer.run``. Had it an
    active app context, a worker's requests on its main thread (the sync worker)
    would all share it, and ``g``, which holds the caller's identity, with it:
    one learner's token answered for the next learner's requests."""
    from click.testing import CliRunner

    from service.cli import main
    from service.commands import server

    seen: dict[str, object] = {}

    def record(self: server.StandaloneServer) -> None:
        import flask
        seen["app context"] = flask.has_app_context()
        seen["app"] = self.application
        seen["options"] = self.options

    monkeypatch.setattr(server.StandaloneServer, "run", record)
    monkeypatch.setattr(gc, "freeze", lambda: seen.setdefault("froze", True))  # not this test process's heap
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'run.sqlite3'}")
    monkeypatch.setenv("CHAIN_TUTOR_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))  # `run` sets it; undone after
    result = CliRunner().invoke(main, ["run", "--port", "0", "--worker-class", "sync"])
    assert result.exit_code == 0, result.output
    assert seen["app context"] is False
    assert seen["options"]["worker_class"] == "sync"  # type: ignore[index]
    assert isinstance(seen["app"], Flask)
    assert seen["froze"] is True  # start-up's objects are hidden from the collector before the fork
    assert content_counts(f"sqlite:///{tmp_path / 'run.sqlite3'}")[0] == 1  # the database was prepared
