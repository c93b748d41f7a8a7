"""An instructor finds a learner's work on the dashboard, in a real browser.

The learner's side goes through the public HTTP API (join the course with
its code, start ``(2x+1)^3``, answer wrong, ask for a hint, answer right),
exactly as the widget does; the instructor's side is Chromium: log in, open
the course, find the misconception, open the learner, read the attempt and
the mastery.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Classroom, LiveServer, log_in, make_classroom


@pytest.fixture
def classroom(live_server: LiveServer) -> Classroom:
    return make_classroom(live_server)


def test_an_instructor_finds_the_attempt_its_misconception_and_the_mastery(
        live_server: LiveServer, browser_page: Page, classroom: Classroom, snap) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="Instructor login")).to_be_visible()
    log_in(page, live_server, classroom.email)

    page.get_by_role("link", name=classroom.course).click()
    expect(page.locator('[data-figure="learners"]')).to_have_text("2")
    expect(page.locator('[data-figure="attempts"]')).to_have_text("3")
    # It opens on who needs help: the anonymous learner, labelled (never "(no name)"),
    # stopped on e^(-x^2) with an answer no misconception explains.
    stuck = page.locator("ol.struggling li")
    expect(stuck).to_have_count(1)
    expect(stuck).to_contain_text(f"Learner {classroom.anonymous_id[:6]}")
    expect(stuck).to_contain_text("e^(-x^2)")
    expect(stuck).to_contain_text("1 wrong answer · 1 hint")
    expect(stuck).to_contain_text("Other (not a known misconception)")
    expect(page.locator("body")).not_to_contain_text("(no name)")
    expect(page.locator("table.finished")).to_contain_text(classroom.learner)
    # A hint, then the right answer: solved with hints (issue 13's outcomes), not solved.
    expect(page.locator('.outcomes [data-outcome="solved_with_hints"]')).to_contain_text("1")
    snap(page, "overview")

    page.get_by_role("link", name="Misconceptions", exact=True).click()
    row = page.locator(f'tr[data-misconception="{classroom.misconception}"]')
    expect(row).to_contain_text("3(2x+1)^2")
    expect(row).to_contain_text("Inner derivative left out")
    expect(row).to_contain_text("1 (50%)")  # one learner of the two
    expect(page.locator('tr[data-misconception="other"]')).to_contain_text("17x")
    expect(page.locator("canvas[data-chart]")).to_be_visible()
    snap(page, "misconceptions")

    page.get_by_role("link", name="Mastery", exact=True).click()
    page.get_by_role("link", name=classroom.learner).click()
    expect(page.get_by_role("heading", name=classroom.learner)).to_be_visible()
    attempts = page.locator("table.attempts")
    expect(attempts).to_contain_text("3(2x+1)^2")
    expect(attempts).to_contain_text("Inner derivative left out")
    expect(attempts.locator("tr.correct")).to_contain_text("6(2x+1)^2")
    mastery = page.locator("table.mastery-list")
    expect(mastery.locator("tr")).to_have_count(7)  # the header and the six skills
    expect(mastery).not_to_contain_text("—")
    expect(page.locator("ol.transcript")).to_contain_text("6(2x+1)^2")
