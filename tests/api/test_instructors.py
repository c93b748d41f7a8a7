"""Instructors: login, API keys, HTTP Basic, and ``chain-tutor create-instructor``."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from service.cli import main
from tests.api.conftest import Cast, basic
from tests.factories import DEFAULT_PASSWORD, bearer


def test_login_gives_a_bearer_token_that_works(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/instructors/login",
                           json={"email": " Teacher@Example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"].startswith("is_") and body["token_type"] == "Bearer"
    assert body["instructor"] == {"id": cast.instructor_id, "email": "teacher@example.org",
                                  "name": "Grace"}
    assert "password" not in body["instructor"]
    me = client.get("/api/v1/instructors/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.get_json()["id"] == cast.instructor_id


def test_a_wrong_password_is_401(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/instructors/login",
                           json={"email": cast.instructor_email, "password": "wrong"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "The email or the password is wrong."


def test_an_unknown_email_answers_like_a_wrong_password(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/instructors/login",
                           json={"email": "nobody@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "The email or the password is wrong."


def test_a_tampered_login_token_is_401(client: FlaskClient, cast: Cast) -> None:
    token = client.post("/api/v1/instructors/login",
                        json={"email": cast.instructor_email, "password": DEFAULT_PASSWORD}
                        ).get_json()["token"]
    response = client.get("/api/v1/instructors/me", headers=bearer(token[:-2] + "xx"))
    assert response.status_code == 401


def test_http_basic_and_the_api_key_work_where_instructors_may_go(client: FlaskClient, cast: Cast) -> None:
    by_password = client.get("/api/v1/courses", headers=basic(cast.instructor_email, DEFAULT_PASSWORD))
    by_key = client.get("/api/v1/courses", headers=bearer(cast.instructor_key))
    assert by_password.status_code == by_key.status_code == 200
    assert by_password.get_json() == by_key.get_json()
    wrong = client.get("/api/v1/courses", headers=basic(cast.instructor_email, "nope"))
    assert wrong.status_code == 401


def test_create_instructor_prints_a_working_api_key(app: Flask, client: FlaskClient) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["create-instructor", "--email", "ada@example.org", "--name", "Ada",
                                  "--password", "long enough password"])
    assert result.exit_code == 0, result.output
    api_key = result.output.strip().splitlines()[-1]
    assert api_key.startswith("ik_")
    me = client.get("/api/v1/instructors/me", headers=bearer(api_key))
    assert me.get_json()["email"] == "ada@example.org"


def test_create_instructor_prompts_for_the_password(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["create-instructor", "--email", "bo@example.org", "--name", "Bo"],
                           input="a fine password\na fine password\n")
    assert result.exit_code == 0, result.output
    assert "ik_" in result.output


def test_create_instructor_refuses_a_taken_email_and_a_short_password(app: Flask) -> None:
    runner = app.test_cli_runner()
    args = ["create-instructor", "--email", "cy@example.org", "--name", "Cy", "--password"]
    assert runner.invoke(main, [*args, "long enough password"]).exit_code == 0
    taken = runner.invoke(main, [*args, "another long password"])
    assert taken.exit_code == 1 and "already exists" in taken.output
    short = runner.invoke(main, ["create-instructor", "--email", "d@example.org", "--name", "D",
                                 "--password", "short"])
    assert short.exit_code == 2 and "at least 8" in short.output
