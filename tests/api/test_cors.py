"""CORS on the API: the widget calls it from other sites' pages, with bearer
tokens and no cookies, so every origin may read every answer."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import Cast

ORIGIN = {"Origin": "https://course.example.edu"}


def test_a_preflight_is_answered_before_any_check(client: FlaskClient) -> None:
    response = client.options("/api/v1/conversations", headers={
        **ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_answers_and_errors_are_readable_from_any_origin(client: FlaskClient, cast: Cast) -> None:
    ok = client.get(f"/api/v1/learners/{cast.learner.id}/progress", headers={**ORIGIN, **cast.learner.headers})
    refused = client.get(f"/api/v1/learners/{cast.learner.id}/progress", headers=ORIGIN)
    unreadable = client.post("/api/v1/solve", json={"expression": "sin((3x"}, headers=ORIGIN)
    assert (ok.status_code, refused.status_code, unreadable.status_code) == (200, 401, 422)
    for response in (ok, refused, unreadable):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_pages_outside_the_api_get_no_cors_headers(client: FlaskClient) -> None:
    assert "Access-Control-Allow-Origin" not in client.get("/healthz", headers=ORIGIN).headers
    assert "Access-Control-Allow-Origin" not in client.get("/solve", headers=ORIGIN).headers


def test_a_plain_options_request_is_not_a_preflight(client: FlaskClient) -> None:
    # Without Access-Control-Request-Method, Flask answers OPTIONS itself with the Allow header.
    response = client.options("/api/v1/solve")
    assert response.status_code == 200
    assert "POST" in response.headers["Allow"]
