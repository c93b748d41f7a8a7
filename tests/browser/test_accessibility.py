"""axe-core on every page and on the widget, and the dashboards by keyboard alone.

axe-core (vendored in ``tests/browser/vendor``) is injected into each page
(the context bypasses our CSP for that one script) and run on the whole
document, the widget's open shadow root included. A serious or critical
violation fails the test with axe's own description of it; lesser ones
are listed in the test's output to read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    DEFAULT_TIMEOUT_MS,
    Classroom,
    LiveServer,
    ThirdPartySite,
    _artifact,
    log_in,
    make_classroom,
)

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING = ("serious", "critical")
LEARNER_PAGES = {
    "landing": "/",
    "solve-form": "/solve",
    "solve-neuron": "/solve?expr=" + quote("(sigmoid(w*x)-y)^2") + "&variable=w",
    "solve-error": "/solve?expr=" + quote("sin((3x"),
    "embed": "/embed",
    "login": "/dashboard/login",
}
DASHBOARD_PAGES = ("courses", "overview", "mastery", "misconceptions", "exercises", "learner")
_RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
}"""


@pytest.fixture(scope="module")
def school(live_server: LiveServer) -> Classroom:
    return make_classroom(live_server)


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def assert_accessible(page: Page, label: str) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_RUN_AXE)
    page.screenshot(path=str(_artifact(f"axe-{label}")), full_page=True)
    for minor in (v for v in violations if v["impact"] not in BLOCKING):
        print(f"{label}: {minor['impact']} {minor['id']}: {minor['help']} {minor['targets']}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{label}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['targets'])}" for v in blocking)


@pytest.mark.parametrize("name", list(LEARNER_PAGES))
def test_learner_pages_have_no_serious_violation(axe_page: Page, live_server: LiveServer, name: str) -> None:
    axe_page.goto(live_server.url + LEARNER_PAGES[name])
    if name in ("landing", "embed"):
        expect(axe_page.locator("chain-tutor-chat .bubble.tutor").first).to_be_visible()
    assert_accessible(axe_page, name)


def test_the_widget_on_a_third_party_page_has_no_serious_violation(
        axe_page: Page, live_server: LiveServer, third_party: ThirdPartySite) -> None:
    url = third_party.page("axe.html", f'<main><h1>Week 3</h1><script src="{live_server.url}/widget.js" defer>'
                                       f'</script><chain-tutor-chat expression="(2x+1)^3"></chain-tutor-chat></main>')
    axe_page.goto(url)
    chat = axe_page.locator("chain-tutor-chat")
    expect(chat.locator(".bubble.tutor").first).to_be_visible()
    # A few turns, so that typeset maths, a hint and the preview are on the page too.
    box = chat.locator("#input")
    box.fill("u = 2x + 1")
    box.press("Enter")
    expect(chat.locator(".bubble.tutor .m").first).to_be_attached()
    box.fill("dy/du = 3u^2")
    expect(chat.locator(".preview math")).to_be_visible()
    assert_accessible(axe_page, "widget")


@pytest.mark.parametrize("name", DASHBOARD_PAGES)
def test_dashboard_pages_have_no_serious_violation(axe_page: Page, live_server: LiveServer, school: Classroom,
                                                   name: str) -> None:
    log_in(axe_page, live_server, school.email)
    course = f"{live_server.url}/dashboard/courses/{school.course_id}"
    address = {"courses": f"{live_server.url}/dashboard/", "overview": f"{course}/",
               "learner": f"{course}/learners/{school.learner_id}"}.get(name, f"{course}/{name}")
    axe_page.goto(address)
    assert_accessible(axe_page, f"dashboard-{name}")


def focused(page: Page) -> str:
    return page.evaluate("() => { const e = document.activeElement;"
                         " return (e.getAttribute('aria-label') || e.textContent || e.name || e.id).trim(); }")


def tab_until(page: Page, wanted: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == wanted:
            return
    raise AssertionError(f"Tab never reached {wanted!r}")


def test_the_dashboard_works_by_keyboard_alone(axe_page: Page, live_server: LiveServer, school: Classroom) -> None:
    page = axe_page
    page.goto(f"{live_server.url}/dashboard/login")
    tab_until(page, "email")
    page.keyboard.type(school.email)
    page.keyboard.press("Tab")
    page.keyboard.type("a long browser password")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    tab_until(page, school.course)
    page.keyboard.press("Enter")
    expect(page.locator("ol.struggling li")).to_have_count(1)
    tab_until(page, "Misconceptions")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link must show where focus is"
    page.keyboard.press("Enter")
    expect(page.locator('tr[data-misconception="other"]')).to_be_visible()
    tab_until(page, "q")  # the learner search field of the filters
    page.keyboard.type(school.learner[:3])
    page.keyboard.press("Enter")
    expect(page.locator('tr[data-misconception="other"]')).to_have_count(0)
    page.screenshot(path=str(_artifact("keyboard-dashboard")))
