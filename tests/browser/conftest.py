"""Fixtures for browser tests: the real app on a live server, a plain
third-party site on another origin, and Debian's Chromium driven by Playwright.

``live_server``
    the whole product (API, pages, widget, dashboards) served by werkzeug in
    a thread on a free port of 127.0.0.1, on a temporary SQLite database that
    is migrated and has ``content/`` loaded, exactly as ``chain-tutor run``
    prepares one. One server per test session; ``.url`` is its base URL and
    ``.app`` the Flask app (``with live_server.app.app_context(): ...`` to
    seed data with the factories).
``third_party``
    a tiny static web server on another port (so another origin), where a
    test puts a plain HTML page: ``third_party.page("x.html", body_html)``.
``browser_page``
    a fresh page in a fresh browser context (its own localStorage and
    cookies) at 1280×800; after the test a full-page screenshot goes to
    ``test-artifacts/<test name>.png``. ``dialogs`` lists the message of every
    JavaScript dialog the page opened (each one is dismissed).
``snap``
    ``snap(page, "step")`` writes an extra screenshot for the current test.

Where Chromium or Playwright is missing the tests are skipped with a one-line
reason that says how to enable them, unless ``CHAIN_TUTOR_REQUIRE_BROWSER`` is
set (``.ci/run`` sets it): then a missing browser fails the run, so CI can
never pass with the browser suite silently skipped.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from service.app import create_app
from service.commands.server import prepare_database
from tests.integration.conftest import dispose_engines

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000
REQUIRE_BROWSER = "CHAIN_TUTOR_REQUIRE_BROWSER"

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright

    # Assertions wait as long as actions do: the first turn of a session may start the compute
    # pool, and a loaded machine (2 cores shared) is slower than Playwright's 5 s default.
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


@dataclass(frozen=True)
class LiveServer:
    """The app served over HTTP: ``url`` has no trailing slash."""

    url: str
    app: Flask


@dataclass(frozen=True)
class ThirdPartySite:
    """A static site on its own origin; :meth:`page` publishes one HTML page."""

    url: str
    root: Path

    def page(self, name: str, body: str, title: str = "A course site") -> str:
        """Write ``body`` into a minimal HTML page called ``name``; return its URL."""
        html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{title}</title></head><body>{body}</body></html>")
        (self.root / name).write_text(html, encoding="utf-8")
        return f"{self.url}/{name}"


def _serve_in_thread(server: BaseWSGIServer | http.server.HTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on a free port, its database migrated and its content loaded."""
    folder = tmp_path_factory.mktemp("live")
    with pytest.MonkeyPatch.context() as patch:
        # create_app reads the instance folder from the environment; keep it out of the repository.
        patch.setenv("CHAIN_TUTOR_INSTANCE", str(folder / "instance"))
        app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
                          "SECRET_KEY": "browser-tests", "AUTO_MIGRATE": True})
    with app.app_context():
        prepare_database(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = _serve_in_thread(server)
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    dispose_engines(app)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the base class names it format
        pass


@pytest.fixture(scope="session")
def third_party(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThirdPartySite]:
    """A plain static site on another port of 127.0.0.1: another origin than the app."""
    root = tmp_path_factory.mktemp("third-party")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = _serve_in_thread(server)
    yield ThirdPartySite(url=f"http://127.0.0.1:{server.server_port}", root=root)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once per session."""
    if sync_playwright is None:
        _browser_unavailable("browser tests need Playwright: pip install -e '.[test]' enables them")
    if not CHROMIUM.exists():
        _browser_unavailable(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium enables them")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _browser_unavailable(reason: str) -> None:
    """Skip the browser tests with ``reason``, or fail when the run requires them."""
    if os.environ.get(REQUIRE_BROWSER):
        pytest.fail(f"{reason} ({REQUIRE_BROWSER} is set: this run must not skip the browser tests)")
    pytest.skip(reason)


@pytest.fixture
def dialogs() -> list[str]:
    """The messages of the JavaScript dialogs (alert, confirm, ...) the page opened."""
    return []


@pytest.fixture
def browser_page(browser: Browser, dialogs: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page (own storage) at desktop size; screenshotted to test-artifacts/ afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()

    def dismiss(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page
    try:
        page.screenshot(path=str(_artifact(request.node.name)), full_page=True)
    finally:
        context.close()


@pytest.fixture
def snap(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``snap(page, "label")``: an extra screenshot of the current test, returned as a path."""

    def take(page: Page, label: str) -> Path:
        path = _artifact(f"{request.node.name}-{label}")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")




# ---- a course with some learners, and an instructor logged in -------------------

PASSWORD = "a long browser password"
WRONG_ANSWER = "dy/dx = 3(2x+1)^2"  # the outer derivative alone: the inner factor 2 left out


def api(server: LiveServer, path: str, token: str | None = None, **body: object) -> dict:
    """POST ``body`` to the API as the widget does; the answer's JSON (201 or 200 expected)."""
    import requests  # only the browser tests need it

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=30)
    assert response.status_code in (200, 201), response.text
    return response.json()


@dataclass(frozen=True)
class Classroom:
    """An instructor, a course, and the learners who worked in it (see :func:`make_classroom`)."""

    email: str
    course_id: int
    course: str
    code: str
    learner: str
    learner_id: str
    misconception: str
    anonymous_id: str


def make_classroom(server: LiveServer) -> Classroom:
    """A course where Ada (named) solved (2x+1)^3 after a wrong answer and a hint,
    and an anonymous learner gave an answer no misconception explains, asked for a hint and stopped."""
    import secrets

    from service.extensions import db
    from service.usecases import create_course, create_instructor

    suffix = secrets.token_hex(3)
    with server.app.app_context():
        teacher = create_instructor(db.session, f"teacher-{suffix}@example.org", "Grace", PASSWORD)
        course = create_course(db.session, teacher.id, f"Calculus {suffix}")
    learner = api(server, "/learners", name=f"Ada {suffix}", course_code=course.code)
    conversation = api(server, "/conversations", learner["token"], expression="(2x+1)^3")
    path = f"/conversations/{conversation['id']}/messages"
    wrong = api(server, path, learner["token"], text=WRONG_ANSWER)
    assert wrong["verdict"]["correct"] is False and wrong["verdict"]["misconception"]
    api(server, path, learner["token"], text="hint")
    right = api(server, path, learner["token"], text="dy/dx = 6(2x+1)^2")
    assert right["verdict"]["correct"] is True

    anonymous = api(server, "/learners", course_code=course.code)
    other = api(server, "/conversations", anonymous["token"], expression="e^(-x^2)")
    other_path = f"/conversations/{other['id']}/messages"
    api(server, other_path, anonymous["token"], text="dy/dx = 17x")
    api(server, other_path, anonymous["token"], text="hint")
    return Classroom(email=teacher.email, course_id=course.id, course=course.title, code=course.code,
                     learner=f"Ada {suffix}", learner_id=learner["id"],
                     misconception=wrong["verdict"]["misconception"], anonymous_id=anonymous["id"])


def log_in(page: Page, server: LiveServer, email: str) -> None:
    """Log in on the dashboard's form, as an instructor would."""
    page.goto(f"{server.url}/dashboard/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/dashboard/")
