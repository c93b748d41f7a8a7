"""``POST /api/v1/check``: verdicts and misconceptions, over HTTP."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_right_answer_in_another_form_is_correct(client: FlaskClient) -> None:
    response = client.post("/api/v1/check", json={"problem": "(2x+1)^3", "answer": "6(2x+1)²"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["correct"] is True and body["misconception"] is None
    assert set(body) == {"correct", "misconception", "feedback"}


def test_a_wrong_answer_gets_its_misconception_and_feedback(client: FlaskClient) -> None:
    body = client.post("/api/v1/check",
                       json={"problem": "(2x+1)^3", "answer": "3(2x+1)^2"}).get_json()
    assert body["correct"] is False
    assert body["misconception"] == "missing_inner_derivative"
    assert "2" in body["feedback"]


def test_the_variable_is_passed_on(client: FlaskClient) -> None:
    body = client.post("/api/v1/check",
                       json={"problem": "sin(3t)", "answer": "3cos(3t)", "variable": "t"}).get_json()
    assert body["correct"] is True


def test_the_expected_answer_is_not_leaked(client: FlaskClient) -> None:
    body = client.post("/api/v1/check", json={"problem": "sin(x^2)", "answer": "cos(x^2)"}).get_json()
    assert "expected" not in body and body["correct"] is False


def test_an_unreadable_answer_is_422_saying_so(client: FlaskClient) -> None:
    response = client.post("/api/v1/check", json={"problem": "(2x+1)^3", "answer": "3(2x+1"})
    assert response.status_code == 422
    assert "answer" in response.get_json()["error"]["message"]
