"""One data set, made through the public API, counted everywhere: every figure agrees.

A learner solves a problem unaided, one with a hint, gives up on one ("show
me the solution"), leaves two (a new problem asked mid-way, then a new
conversation) and has one in progress. The progress API, the learner page,
the course overview and the problems export must all say 2 of 6 solved,
with the same outcomes.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.calculus import solve
from service.extensions import db
from tests.factories import DEFAULT_PASSWORD, bearer, make_course, make_instructor, make_learner
from tests.integration.conftest import *

EXPECTED = {"solved": 1, "solved_with_hints": 1, "gave_up": 1, "abandoned": 2, "in_progress": 1}


@pytest.fixture
def session(app: Flask) -> Iterator[sa.orm.Session]:
    with app.app_context():
        engine = db.engine
    with sa.orm.Session(engine) as session:
        yield session


class Learner:
    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.headers, self.conversation = client, bearer(token), ""

    def start(self, expression: str) -> dict:
        response = self.client.post("/api/v1/conversations", json={"expression": expression},
                                    headers=self.headers)
        assert response.status_code == 201, response.get_json()
        self.conversation = response.get_json()["id"]
        return response.get_json()

    def say(self, text: str) -> dict:
        response = self.client.post(f"/api/v1/conversations/{self.conversation}/messages",
                                    json={"text": text}, headers=self.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def answer_final(self, state: dict) -> dict:
        derivative = solve(state["expression"], state["variable"]).to_dict()["derivative"]
        turn = self.say(f"dy/d{state['variable']} = {derivative}")
        assert turn["verdict"]["correct"], turn
        return turn


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, f"no figure {name}"
    return found.group(1)


def test_every_page_and_export_counts_the_same_outcomes(client: FlaskClient, session: sa.orm.Session) -> None:
    teacher = make_instructor(session, email="outcomes@example.org")
    course = make_course(session, teacher.id)
    handle = make_learner(session, "Lin", courses=(course.code,))
    lin = Learner(client, handle.token)

    lin.start("(2x+1)^3")
    turn = lin.answer_final({"expression": "(2x+1)^3", "variable": "x"})           # solved
    assert turn["state"]["outcome"] == "solved"
    turn = lin.say("next")
    lin.say("hint")
    turn = lin.answer_final(turn["state"])                                          # solved_with_hints
    assert turn["state"]["outcome"] == "solved_with_hints"
    lin.say("next")
    turn = lin.say("show me the solution")                                          # gave_up
    assert turn["state"]["outcome"] == "gave_up" and turn["state"]["solved"] is False
    lin.say("next")
    lin.say("differentiate sin(x^2)")                                               # abandoned
    lin.start("(3x+1)^2")                                # the previous one abandoned; this one in progress

    progress = client.get(f"/api/v1/learners/{handle.id}/progress", headers=lin.headers).get_json()
    assert progress["outcomes"] == EXPECTED
    assert (progress["solved"], progress["problems"]) == (2, 6)
    mixed = next(skill for skill in progress["skills"] if skill["skill"] == "mixed_rules")
    assert mixed["assessed"] is False and mixed["attempts"] == 0   # never exercised: no figure to trust
    assert any(skill["assessed"] for skill in progress["skills"])
    assert set(progress["misconceptions"]) >= {"missing_inner_derivative", "sign_error"}

    login_page = client.get("/dashboard/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    client.post("/dashboard/login", data={"email": "outcomes@example.org", "password": DEFAULT_PASSWORD,
                                          "csrf_token": token})
    learner_page = client.get(f"/dashboard/courses/{course.id}/learners/{handle.id}").get_data(as_text=True)
    assert (figure(learner_page, "solved"), figure(learner_page, "problems")) == ("2", "6")
    assert "1 unaided, 1 with hints" in learner_page and "1 gave up, 2 abandoned" in learner_page
    assert re.search(r'data-skill="mixed_rules">\s*<td>[^<]*</td>\s*<td class="num cell unpractised">not yet assessed',
                     learner_page)

    overview = client.get(f"/dashboard/courses/{course.id}/").get_data(as_text=True)
    assert figure(overview, "solve-rate") == "33%" and "2 of 6 problems solved" in overview

    export = client.get(f"/dashboard/courses/{course.id}/export/problems.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export)))
    assert Counter(row["outcome"] for row in rows) == EXPECTED

    statuses = [c["status"] for c in
                client.get(f"/api/v1/learners/{handle.id}/conversations", headers=lin.headers).get_json()]
    assert sorted(statuses) == ["abandoned", "in_progress"]
