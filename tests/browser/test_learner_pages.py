"""The learner pages in a real browser: the lesson beside the chat, and a
worked solution with its chain drawn as SVG."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer


def test_the_landing_page_shows_the_lesson_beside_the_chat(browser_page: Page, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/")
    expect(page.locator("article.lesson h1")).to_have_text("The chain rule for one variable")
    assert page.locator("article.lesson section h2").count() >= 10
    assert page.locator("article.lesson math").count() >= 20
    # MathML is laid out by the browser, not shown as its source text.
    box = page.locator("article.lesson math").first.bounding_box()
    assert box is not None and box["width"] > 0
    expect(page.locator("chain-tutor-chat .bubble.tutor[data-kind=question]").first).to_be_visible()
    expect(page.get_by_role("link", name="worked-solution page")).to_have_attribute("href", "/solve")
    expect(page.get_by_role("link", name="API documentation")).to_have_attribute("href", "/api/v1/docs")
    # Side by side on a desktop screen: the chat is to the right of the lesson.
    lesson, chat = page.locator("article.lesson").bounding_box(), page.locator("chain-tutor-chat").bounding_box()
    assert lesson is not None and chat is not None and chat["x"] >= lesson["x"] + lesson["width"]


def test_the_solution_page_draws_the_chain(browser_page: Page, live_server: LiveServer,
                                          snap: Callable[[Page, str], Path]) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/solve?expr=sin((3x)%5E2)")
    chain = page.locator("svg.chain-across")
    expect(chain).to_be_visible()
    expect(chain.locator(".arrow")).to_have_count(3)
    expect(chain.locator(".gear-name")).to_have_text(["x", "v", "u", "y"])
    expect(chain.locator(".ratio")).to_have_text(["dv/dx = 3", "du/dv = 2v", "dy/du = cos(u)"])
    assert page.locator(".result math, .steps math").count() >= 4
    snap(page, "solution")
    page.locator("#expr").fill("sin((3x")
    page.locator("#expr").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Unbalanced parenthesis after 'sin('")
