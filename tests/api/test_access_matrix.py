"""Who may do what: every route × every kind of caller, and the status each gets.

``learner`` is enrolled in the course of ``instructor``; ``other_learner``
is in no course; ``other_instructor`` teaches another course. Public routes
answer everyone; learner data answers only the learner and its instructor.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Cast
from tests.factories import DEFAULT_PASSWORD, make_exercise, make_lesson

WHO = ("anonymous", "learner", "other_learner", "instructor", "other_instructor")

# (method, path, body, expected status per caller in WHO's order).
# ``{learner}``, ``{course}`` and ``{code}`` are filled from the cast.
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]] = [
    ("GET", "/api/v1/ping", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/v1/openapi.json", None, (200, 200, 200, 200, 200)),
    ("POST", "/api/v1/solve", {"expression": "(2x+1)^3"}, (200, 200, 200, 200, 200)),
    ("POST", "/api/v1/check", {"problem": "(2x+1)^3", "answer": "6(2x+1)^2"}, (200, 200, 200, 200, 200)),
    ("POST", "/api/v1/preview", {"expression": "du/dx = 2"}, (200, 200, 200, 200, 200)),
    ("POST", "/api/v1/learners", {"name": "Cy"}, (201, 201, 201, 201, 201)),
    ("GET", "/api/v1/learners/{learner}", None, (401, 200, 403, 200, 403)),
    ("PATCH", "/api/v1/learners/{learner}", {"name": "Ada"}, (401, 200, 403, 403, 403)),
    ("GET", "/api/v1/learners/{learner}/progress", None, (401, 200, 403, 200, 403)),
    ("GET", "/api/v1/lessons", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/v1/lessons/chain-rule", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/v1/exercises", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/v1/exercises/cube", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/v1/courses", None, (401, 403, 403, 200, 200)),
    ("POST", "/api/v1/courses", {"title": "New"}, (401, 403, 403, 201, 201)),
    ("GET", "/api/v1/courses/{course}/learners", None, (401, 403, 403, 200, 403)),
    # The learner is already in the course: a second enrolment is a conflict.
    ("POST", "/api/v1/courses/enrol", {"code": "{code}"}, (401, 409, 201, 403, 403)),
    ("POST", "/api/v1/instructors/login",
     {"email": "teacher@example.org", "password": DEFAULT_PASSWORD}, (200, 200, 200, 200, 200)),
    ("GET", "/api/v1/instructors/me", None, (401, 403, 403, 200, 200)),
    # Each caller replaces only its own credential (and then no longer sends the old one).
    ("POST", "/api/v1/learners/{learner}/token", {}, (401, 200, 403, 403, 403)),
    ("POST", "/api/v1/instructors/me/api-key", {}, (401, 403, 403, 200, 200)),
    ("POST", "/api/v1/instructors/me/password",
     {"current_password": DEFAULT_PASSWORD, "new_password": "another long password"}, (401, 403, 403, 200, 200)),
]

def _fill(text: str, cast: Cast) -> str:
    return text.format(learner=cast.learner.id, course=cast.course_id, code=cast.course_code)


# One database per route rather than per (route, caller): the callers of a
# row run in WHO's order on the same data, which every row above allows for.
@pytest.mark.parametrize(("method", "path", "body", "expected"),
                         [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX])
def test_access(client: FlaskClient, cast: Cast, session, method: str, path: str,
                body: dict[str, Any] | None, expected: tuple[int, ...]) -> None:
    make_lesson(session, "chain-rule")
    make_exercise(session, slug="cube")
    json = {key: _fill(value, cast) for key, value in body.items()} if body else None
    got = {}
    for who in WHO:
        response = client.open(_fill(path, cast), method=method, json=json, headers=cast.headers(who))
        got[who] = response.status_code
        if response.status_code >= 400:
            assert response.get_json()["error"]["status"] == response.status_code
        if response.status_code == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert got == dict(zip(WHO, expected, strict=True))


def test_matrix_covers_every_api_route(app) -> None:
    """A route added without a row here would escape the access rules' test."""
    listed = {(method, path.replace("{learner}", "<learner_id>").replace("{course}", "<course_id>")
               .replace("chain-rule", "<slug>").replace("cube", "<slug>"))
              for method, path, _, _ in MATRIX}
    routes = {
        (method, _plain(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.startswith("/api/v1/docs")
        and rule.endpoint.split(".")[0] in _OWN_BLUEPRINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - listed == set()


_OWN_BLUEPRINTS = {"ping", "solve", "check", "learners", "lessons", "exercises", "courses",
                   "instructors", "preview"}


def _plain(rule: str) -> str:
    # "/api/v1/courses/<int(max=9):course_id>" -> "/api/v1/courses/<course_id>"
    return re.sub(r"<[^:>]+:", "<", rule)
