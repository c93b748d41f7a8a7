"""``/api/v1/lessons``: public lesson content, sections rendered with MathML."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import make_lesson


def test_lessons_are_listed_without_their_sections(client: FlaskClient, session) -> None:
    make_lesson(session, "chain-rule")
    body = client.get("/api/v1/lessons").get_json()
    assert body == [{"slug": "chain-rule", "title": "The chain rule",
                     "summary": "Derivatives of compositions.", "position": 1}]


def test_a_lesson_has_its_sections_in_order_with_mathml(client: FlaskClient, session) -> None:
    make_lesson(session, "chain-rule", sections=3)
    body = client.get("/api/v1/lessons/chain-rule").get_json()
    sections = body["sections"]
    assert [s["slug"] for s in sections] == ["part-1", "part-2", "part-3"]
    first = sections[0]
    assert first["markdown"].startswith("If $u = 2x + 1$")
    assert "<math" in first["html"] and "$" not in first["html"]
    assert "<strong>du/dx</strong>" in first["html"]
    assert first["meta"] == {"expression": "(2x+1)^3"}


def test_an_unknown_lesson_is_404(client: FlaskClient) -> None:
    assert client.get("/api/v1/lessons/nope").status_code == 404
