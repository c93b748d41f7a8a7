"""Sessions and credentials: a logout ends the session on the server, a
password change and an API-key rotation revoke what came before, a learner
replaces its token; the same from the ``chain-tutor`` commands. And the
security headers a deployment behind TLS asks for.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.cli import main
from service.extensions import db
from tests.api.conftest import Cast, basic
from tests.factories import DEFAULT_PASSWORD, bearer

NEW_PASSWORD = "a brand new passphrase"


def dashboard_login(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD) -> str:
    """Log in; return the page's CSRF token."""
    page = client.get("/dashboard/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/dashboard/login", data={"email": email, "password": password,
                                                      "csrf_token": token, "next": ""})
    assert response.status_code == 302
    courses = client.get("/dashboard/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', courses).group(1)  # type: ignore[union-attr]


def test_a_cookie_saved_before_logout_no_longer_opens_the_dashboard(app: Flask, cast: Cast) -> None:
    client = app.test_client()
    csrf = dashboard_login(client, cast.instructor_email)
    saved = client.get_cookie("session")
    assert saved is not None
    assert client.post("/dashboard/logout", data={"csrf_token": csrf}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved.value)
    response = replay.get("/dashboard/")
    assert response.status_code == 302 and "/dashboard/login" in response.headers["Location"]


def test_a_password_change_revokes_tokens_and_sessions(app: Flask, client: FlaskClient, cast: Cast) -> None:
    browser = app.test_client()
    dashboard_login(browser, cast.instructor_email)
    login = client.post("/api/v1/instructors/login",
                        json={"email": cast.instructor_email, "password": DEFAULT_PASSWORD})
    token = login.get_json()["token"]
    wrong = client.post("/api/v1/instructors/me/password", headers=bearer(token),
                        json={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 403
    changed = client.post("/api/v1/instructors/me/password", headers=bearer(token),
                          json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200
    assert client.get("/api/v1/instructors/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/instructors/me", headers=basic(cast.instructor_email, DEFAULT_PASSWORD)).status_code == 401
    assert client.get("/api/v1/instructors/me", headers=basic(cast.instructor_email, NEW_PASSWORD)).status_code == 200
    assert browser.get("/dashboard/").status_code == 302


def test_a_rotated_api_key_replaces_the_old_one(client: FlaskClient, cast: Cast) -> None:
    rotated = client.post("/api/v1/instructors/me/api-key", headers=bearer(cast.instructor_key))
    assert rotated.status_code == 200
    new_key = rotated.get_json()["api_key"]
    assert new_key.startswith("ik_") and new_key != cast.instructor_key
    assert client.get("/api/v1/instructors/me", headers=bearer(cast.instructor_key)).status_code == 401
    assert client.get("/api/v1/instructors/me", headers=bearer(new_key)).status_code == 200


def test_a_learner_replaces_its_token_and_the_old_one_answers_401(client: FlaskClient, cast: Cast) -> None:
    url = f"/api/v1/learners/{cast.learner.id}"
    assert client.get(url, headers=cast.learner.headers).status_code == 200  # now trusted by this process
    assert client.post(f"{url}/token", headers=bearer(cast.instructor_key)).status_code == 403
    assert client.post(f"{url}/token", headers=cast.other_learner.headers).status_code == 403
    replaced = client.post(f"{url}/token", headers=cast.learner.headers)
    assert replaced.status_code == 200
    assert client.get(url, headers=cast.learner.headers).status_code == 401
    assert client.get(url, headers=bearer(replaced.get_json()["token"])).status_code == 200


def test_the_commands_change_a_password_rotate_a_key_and_replace_a_token(
        app: Flask, client: FlaskClient, cast: Cast) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["set-password", "--email", cast.instructor_email],
                           input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/instructors/me", headers=basic(cast.instructor_email, NEW_PASSWORD)).status_code == 200

    result = runner.invoke(main, ["rotate-api-key", "--email", cast.instructor_email])
    assert result.exit_code == 0, result.output
    new_key = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/instructors/me", headers=bearer(cast.instructor_key)).status_code == 401
    assert client.get("/api/v1/instructors/me", headers=bearer(new_key)).status_code == 200

    result = runner.invoke(main, ["replace-learner-token", cast.learner.id])
    assert result.exit_code == 0, result.output
    new_token = result.output.strip().splitlines()[-1]
    assert client.get(f"/api/v1/learners/{cast.learner.id}", headers=cast.learner.headers).status_code == 401
    assert client.get(f"/api/v1/learners/{cast.learner.id}", headers=bearer(new_token)).status_code == 200

    assert runner.invoke(main, ["rotate-api-key", "--email", "nobody@example.org"]).exit_code != 0


def test_every_page_has_a_csp_and_only_embed_may_be_framed_by_others(client: FlaskClient) -> None:
    for path in ("/", "/solve?expr=x", "/dashboard/login", "/api/v1/docs"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy, path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    docs = client.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs
    embed = client.get("/embed")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers


def test_behind_a_tls_proxy_cookies_are_secure_hsts_is_sent_and_clients_are_told_apart(
        database_url: str, app_factory: Callable[..., Flask]) -> None:
    app = app_factory(database_url, PROXY_FIX_HOPS=1, HSTS_SECONDS=3600, SESSION_COOKIE_SECURE=True,
                      FORCE_HTTPS=True, RATELIMIT_ENABLED=True, RATE_LIMIT_LEARNERS="1/minute")
    client = app.test_client()
    plain = client.get("/embed")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    page = client.get("/dashboard/login", headers=proxied)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=3600")
    assert "Secure" in page.headers["Set-Cookie"]
    assert client.post("/api/v1/learners", json={}, headers=proxied).status_code == 201
    assert client.post("/api/v1/learners", json={}, headers=proxied).status_code == 429
    other_client = {**proxied, "X-Forwarded-For": "198.51.100.9"}
    assert client.post("/api/v1/learners", json={}, headers=other_client).status_code == 201
