"""An instructor finds a learner's work on the dashboard, in a real browser.

The learner's side goes through the public HTTP API (join the course with
its code, start ``(2x+1)^3``, answer wrong, ask for a hint, answer right),
exactly as the widget does; the instructor's side is Chromium: log in, open
the course, find the misconception, open the learner, read the attempt and
the mastery.
"""

from __future__ import annotations

import secrets

import pytest
import requests
from playwright.sync_api import Page, expect

from service.extensions import db
from service.usecases import create_course, create_instructor
from tests.browser.conftest import LiveServer

PASSWORD = "a long browser password"
WRONG_ANSWER = "dy/dx = 3(2x+1)^2"  # the outer derivative alone: the inner factor 2 left out


def api(server: LiveServer, path: str, token: str | None = None, **body: object) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=30)
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture
def classroom(live_server: LiveServer) -> dict[str, str]:
    """An instructor and a course, and a learner who tried (2x+1)^3 in it through the API."""
    suffix = secrets.token_hex(3)
    with live_server.app.app_context():
        teacher = create_instructor(db.session, f"teacher-{suffix}@example.org", "Grace", PASSWORD)
        course = create_course(db.session, teacher.id, f"Calculus {suffix}")
    learner = api(live_server, "/learners", name=f"Ada {suffix}", course_code=course.code)
    conversation = api(live_server, "/conversations", learner["token"], expression="(2x+1)^3")
    path = f"/conversations/{conversation['id']}/messages"
    wrong = api(live_server, path, learner["token"], text=WRONG_ANSWER)
    assert wrong["verdict"]["correct"] is False and wrong["verdict"]["misconception"]
    api(live_server, path, learner["token"], text="hint")
    right = api(live_server, path, learner["token"], text="dy/dx = 6(2x+1)^2")
    assert right["verdict"]["correct"] is True
    return {"email": teacher.email, "course": course.title, "learner": f"Ada {suffix}",
            "misconception": wrong["verdict"]["misconception"]}


def test_an_instructor_finds_the_attempt_its_misconception_and_the_mastery(
        live_server: LiveServer, browser_page: Page, classroom: dict[str, str], snap) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="Instructor login")).to_be_visible()
    page.get_by_label("Email").fill(classroom["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name=classroom["course"]).click()
    expect(page.locator('[data-figure="learners"]')).to_have_text("1")
    expect(page.locator('[data-figure="attempts"]')).to_have_text("2")
    snap(page, "overview")

    page.get_by_role("link", name="Misconceptions", exact=True).click()
    row = page.locator(f'tr[data-misconception="{classroom["misconception"]}"]')
    expect(row).to_contain_text("3(2x+1)^2")
    expect(page.locator("canvas[data-chart]")).to_be_visible()
    snap(page, "misconceptions")

    page.get_by_role("link", name="Mastery", exact=True).click()
    page.get_by_role("link", name=classroom["learner"]).click()
    expect(page.get_by_role("heading", name=classroom["learner"])).to_be_visible()
    attempts = page.locator("table.attempts")
    expect(attempts).to_contain_text("3(2x+1)^2")
    expect(attempts).to_contain_text(classroom["misconception"])
    expect(attempts.locator("tr.correct")).to_contain_text("6(2x+1)^2")
    mastery = page.locator("table.mastery-list")
    expect(mastery.locator("tr")).to_have_count(7)  # the header and the six skills
    expect(mastery).not_to_contain_text("—")
    expect(page.locator("ol.transcript")).to_contain_text("6(2x+1)^2")
