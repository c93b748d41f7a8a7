"""``/api/v1/exercises``: the public exercise bank, filtered and paginated."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import make_exercise


def _bank(session) -> None:
    make_exercise(session, slug="easy-outer", difficulty=1, skills=("outer_derivative",))
    make_exercise(session, slug="easy-inner", difficulty=1, skills=("inner_derivative",))
    make_exercise(session, slug="hard-both", difficulty=4,
                  skills=("outer_derivative", "long_chains"), expression="sin(cos(x^2))")


def test_all_exercises_in_bank_order(client: FlaskClient, session) -> None:
    _bank(session)
    body = client.get("/api/v1/exercises").get_json()
    assert [e["slug"] for e in body["items"]] == ["easy-outer", "easy-inner", "hard-both"]
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 20)


def test_filters_by_skill_and_difficulty(client: FlaskClient, session) -> None:
    _bank(session)
    by_skill = client.get("/api/v1/exercises?skill=outer_derivative").get_json()
    assert [e["slug"] for e in by_skill["items"]] == ["easy-outer", "hard-both"]
    both = client.get("/api/v1/exercises?skill=outer_derivative&difficulty=4").get_json()
    assert [e["slug"] for e in both["items"]] == ["hard-both"] and both["total"] == 1


def test_pages(client: FlaskClient, session) -> None:
    _bank(session)
    second = client.get("/api/v1/exercises?per_page=2&page=2").get_json()
    assert [e["slug"] for e in second["items"]] == ["hard-both"] and second["total"] == 3
    beyond = client.get("/api/v1/exercises?per_page=2&page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 3


def test_bad_filters_are_422(client: FlaskClient) -> None:
    for query in ("skill=flying", "difficulty=9", "per_page=0", "page=abc"):
        response = client.get(f"/api/v1/exercises?{query}")
        assert response.status_code == 422, query
        assert query.split("=")[0] in response.get_json()["error"]["errors"]


def test_one_exercise(client: FlaskClient, session) -> None:
    _bank(session)
    body = client.get("/api/v1/exercises/hard-both").get_json()
    assert body == {"slug": "hard-both", "expression": "sin(cos(x^2))", "variable": "x",
                    "difficulty": 4, "skills": ["outer_derivative", "long_chains"],
                    "family": "power", "prompt": None, "lesson": None}
