"""``POST /api/v1/preview``: how chat input reads, for the widget's live preview."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient

MATHML = "{http://www.w3.org/1998/Math/MathML}"


def preview(client: FlaskClient, text: str, **extra: str) -> dict:
    response = client.post("/api/v1/preview", json={"expression": text, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def parsed(mathml: str) -> ET.Element:
    # sympy's MathML uses HTML entities; declare the one that appears in these answers.
    return ET.fromstring(mathml.replace("&InvisibleTimes;", "&#x2062;"))


def test_an_expression_reads_as_the_parser_reads_it(client: FlaskClient) -> None:
    body = preview(client, "3(2x+1)^2 * 2")
    assert body["kind"] == "expression"
    assert body["text"] == "6(2x + 1)²"
    # The typeset echo keeps what the learner wrote, in their order.
    assert body["latex"] == r"3 \left(2 x + 1\right)^{2} \cdot 2"
    assert parsed(body["mathml"]).tag == f"{MATHML}math"
    assert "tag" not in body and "intent" not in body


def test_the_echo_keeps_the_learners_order(client: FlaskClient) -> None:
    body = preview(client, "(sigmoid(wx) - y)^2", variable="w")
    leaves = [e.text for e in parsed(body["mathml"]).iter() if e.tag in (f"{MATHML}mi", f"{MATHML}mo")]
    assert leaves.index("σ") < leaves.index("−") < leaves.index("y")
    assert "+" not in leaves


@pytest.mark.parametrize(("text", "tag", "shown", "first"), [
    ("du/dx = 2", "du/dx", "du/dx = 2", "mfrac"),
    ("u = 2x + 1", "u", "u = 2x + 1", "mi"),
    ("y' = 6(2x+1)^2", "final", "y' = 6(2x + 1)²", "msup"),
])
def test_a_tagged_answer_keeps_its_tag(client: FlaskClient, text: str, tag: str, shown: str, first: str) -> None:
    body = preview(client, text)
    assert (body["kind"], body["tag"], body["text"]) == ("expression", tag, shown)
    row = parsed(body["mathml"])[0]
    assert row[0].tag == f"{MATHML}{first}" and row[1].text == "="


@pytest.mark.parametrize(("text", "intent"), [
    ("hint", "hint"), ("what is the next factor", "next_factor"),
    ("show me the solution", "solution"), ("new problem", "new_problem"),
])
def test_the_widget_buttons_read_as_requests(client: FlaskClient, text: str, intent: str) -> None:
    body = preview(client, text)
    assert body == {"kind": "request", "intent": intent, "text": intent.replace("_", " ")}


def test_differentiate_shows_the_problem(client: FlaskClient) -> None:
    body = preview(client, "differentiate sin(x^2)")
    assert (body["kind"], body["intent"], body["text"]) == ("request", "differentiate", "differentiate sin(x²)")
    assert parsed(body["mathml"]).tag == f"{MATHML}math"


def test_a_sentence_has_nothing_to_show(client: FlaskClient) -> None:
    assert preview(client, "blorp zanzibar quux") == {"kind": "sentence"}


def test_the_variable_is_used(client: FlaskClient) -> None:
    # With w as the variable, e is still Euler's number; with e as the variable it is a symbol.
    assert preview(client, "e^w", variable="w")["latex"] == "e^{w}"
    assert preview(client, "e^2", variable="e")["latex"] == "e^{2}"


@pytest.mark.parametrize(("body", "status"), [
    ({"expression": "sin((3x"}, 422),
    ({"expression": ""}, 422),
    ({"expression": "x", "variable": "1x"}, 422),
    ({}, 422),
])
def test_bad_input_is_a_422_with_a_message(client: FlaskClient, body: dict, status: int) -> None:
    response = client.post("/api/v1/preview", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_the_parser_message_and_position_come_back(client: FlaskClient) -> None:
    error = client.post("/api/v1/preview", json={"expression": "sin((3x"}).get_json()["error"]
    assert error["message"] == "unbalanced parenthesis after 'sin('"
    assert error["position"] == 3
