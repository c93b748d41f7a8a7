"""Every error is JSON ``{"error": {"message", "status", ...}}`` with the right 4xx."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import Cast


def error_of(response, status: int) -> dict:
    """The error object of a response, after checking its status and shape."""
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    return error


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/solve", data='{"expression": "x^2"', content_type="application/json")
    error = error_of(response, 400)
    assert "not valid JSON" in error["message"]


def test_a_body_that_is_not_json_is_415(client: FlaskClient) -> None:
    response = client.post("/api/v1/solve", data="expression=x^2",
                           content_type="application/x-www-form-urlencoded")
    assert "application/json" in error_of(response, 415)["message"]


def test_an_oversized_body_is_413(client: FlaskClient) -> None:
    huge = '{"expression": "' + "x+" * 40_000 + 'x"}'
    error_of(client.post("/api/v1/solve", data=huge, content_type="application/json"), 413)


def test_a_missing_field_is_422_with_field_errors(client: FlaskClient) -> None:
    error = error_of(client.post("/api/v1/check", json={"problem": "x^2"}), 422)
    assert error["errors"] == {"answer": ["Missing data for required field."]}
    assert "answer" in error["message"]


def test_a_field_of_the_wrong_type_and_an_unknown_field_are_422(client: FlaskClient) -> None:
    error = error_of(client.post("/api/v1/solve", json={"expression": 12, "colour": "red"}), 422)
    assert set(error["errors"]) == {"expression", "colour"}


def test_a_json_array_body_is_422(client: FlaskClient) -> None:
    error = error_of(client.post("/api/v1/solve", json=["x^2"]), 422)
    assert error["errors"]


def test_an_unreadable_expression_is_422_with_its_position(client: FlaskClient) -> None:
    error = error_of(client.post("/api/v1/solve", json={"expression": "sin(x"}), 422)
    assert "position" in error
    assert isinstance(error["position"], int)


def test_an_unknown_id_is_404(client: FlaskClient) -> None:
    error = error_of(client.get("/api/v1/exercises/no-such-exercise"), 404)
    assert "no-such-exercise" in error["message"]


def test_an_unknown_route_is_404(client: FlaskClient) -> None:
    error_of(client.get("/api/v1/no/such/route"), 404)


def test_a_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.get("/api/v1/solve")
    error_of(response, 405)
    assert "POST" in response.headers["Allow"]


def test_a_missing_credential_is_401_with_a_bearer_challenge(client: FlaskClient) -> None:
    response = client.get("/api/v1/courses")
    error_of(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="chain-tutor"'


def test_a_garbled_authorization_header_is_401(client: FlaskClient) -> None:
    error_of(client.get("/api/v1/courses", headers={"Authorization": "Token abc"}), 401)


def test_a_forbidden_call_is_403(client: FlaskClient, cast: Cast) -> None:
    response = client.get(f"/api/v1/learners/{cast.learner.id}", headers=cast.other_learner.headers)
    error_of(response, 403)


def test_a_conflict_is_409(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/api/v1/courses/enrol", json={"code": cast.course_code},
                           headers=cast.learner.headers)
    error_of(response, 409)


def test_pages_outside_the_api_keep_html_errors_for_browsers(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    as_json = client.get("/no-such-page", headers={"Accept": "application/json"})
    error_of(as_json, 404)


def test_a_crash_is_a_json_500_that_names_no_internals(app, client: FlaskClient) -> None:
    def crash() -> None:
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/crash-for-test", "crash_for_test", crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: no debugger, no re-raise
    response = client.get("/api/v1/crash-for-test")
    error = error_of(response, 500)
    assert error["message"] == "The server failed; this is a bug."
    assert b"secret" not in response.data


def test_a_nul_character_anywhere_is_400_before_the_database_sees_it(client: FlaskClient) -> None:
    # PostgreSQL cannot store NUL in text; found by the schemathesis run.
    answers = [
        client.post("/api/v1/instructors/login", json={"email": "a\u0000@b.c", "password": "x"}),
        client.post("/api/v1/learners", json={"name": "Ada\u0000"}),
        client.get("/api/v1/lessons/chain%00rule"),
        client.get("/api/v1/exercises?skill=outer%00"),
    ]
    for response in answers:
        assert response.status_code == 400, response.get_json()
        assert "NUL" in response.get_json()["error"]["message"]
