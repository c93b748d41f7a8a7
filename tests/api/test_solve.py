"""``POST /api/v1/solve``: the core's worked solution, over HTTP."""

from __future__ import annotations

from flask.testing import FlaskClient

from service import calculus


def test_the_answer_is_the_solution_dict(client: FlaskClient) -> None:
    response = client.post("/api/v1/solve", json={"expression": "sin((3x)^2)"})
    assert response.status_code == 200
    assert response.get_json() == calculus.solve("sin((3x)^2)").to_dict()


def test_a_lesson_example_has_its_links_innermost_first(client: FlaskClient) -> None:
    body = client.post("/api/v1/solve", json={"expression": "(2x+1)^3"}).get_json()
    assert body["pure_chain"] is True
    assert body["variable"] == "x"
    assert [(link["name"], link["expression"]) for link in body["links"]] == [
        ("u", "2*x + 1"), ("y", "u**3")]
    assert body["derivative"] == "6*(2*x + 1)**2"
    assert body["mathml"].startswith("<math")
    assert all({"text", "latex"} <= set(step) for step in body["steps"])


def test_the_variable_can_be_chosen(client: FlaskClient) -> None:
    body = client.post("/api/v1/solve",
                       json={"expression": "(σ(w·x) − y)^2", "variable": "w"}).get_json()
    assert body["variable"] == "w"
    assert len(body["links"]) == 3
    assert "sigmoid" in body["derivative"]


def test_a_mixed_expression_still_gets_a_derivative(client: FlaskClient) -> None:
    body = client.post("/api/v1/solve", json={"expression": "x·sin(x²)"}).get_json()
    assert body["pure_chain"] is False
    assert body["derivative"] == calculus.solve("x*sin(x^2)").to_dict()["derivative"]


def test_an_unreadable_expression_is_422_with_the_cores_message(client: FlaskClient) -> None:
    response = client.post("/api/v1/solve", json={"expression": "sin(x"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "unbalanced parenthesis after 'sin('"
    assert error["position"] == 3


def test_an_unknown_function_is_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/solve", json={"expression": "foo(x)"})
    assert response.status_code == 422
    assert "foo" in response.get_json()["error"]["message"]


def test_a_bad_variable_name_is_422_before_the_core(client: FlaskClient) -> None:
    response = client.post("/api/v1/solve", json={"expression": "x^2", "variable": "__import__('os')"})
    assert response.status_code == 422
    assert "variable" in response.get_json()["error"]["errors"]


def test_an_expression_past_the_length_limit_is_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/solve", json={"expression": "x+" * 600 + "x"})
    assert response.status_code == 422
    assert "expression" in response.get_json()["error"]["errors"]
