"""Every page at a phone's width and a desktop's: nothing wider than the screen.

Each page is opened at 375 px and 1280 px (and the widest-risk pages at
320 px too); the document must not scroll sideways (anything wide scrolls
inside its own box), and each gets a screenshot in ``test-artifacts/`` to look
at. On the landing page the chat must be one tap away from the top.
"""

from __future__ import annotations

from collections.abc import Iterator
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

WIDTHS = (320, 375, 1280)
NEURON = "/solve?expr=" + quote("(sigmoid(w*x)-y)^2") + "&variable=w"
LEARNER_PAGES = {
    "landing": "/",
    "solve-form": "/solve",
    "solve-neuron": NEURON,
    "solve-long": "/solve?expr=" + quote("sqrt(1+ln(cos(x^3)))*e^(sin(x^2))/(1+x^2)^3"),
    "solve-error": "/solve?expr=" + quote("sin((3x"),
    "embed": "/embed",
    "login": "/dashboard/login",
}
DASHBOARD_PAGES = ("courses", "overview", "mastery", "misconceptions", "exercises", "learner")
# scrollWidth counts content that pokes out of the page; 1 px of rounding is allowed.
_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
_WIDEST = """() => {
  const limit = window.innerWidth;
  return Array.from(document.querySelectorAll('body *'))
    .map((e) => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.right > limit + 1 && r.width > 0)
    .slice(0, 5).map(([e, r]) => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(r.right)}`);
}"""


@pytest.fixture(scope="module")
def school(live_server: LiveServer) -> Classroom:
    return make_classroom(live_server)


@pytest.fixture
def page_at(browser: Browser, request: pytest.FixtureRequest) -> Iterator:
    """``page_at(width)``: a fresh page that many CSS pixels wide (a phone's height)."""
    contexts = []

    def make(width: int) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 740 if width < 600 else 800},
                                      device_scale_factor=1)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def assert_fits(page: Page, label: str) -> None:
    page.screenshot(path=str(_artifact(f"layout-{label}")), full_page=True)
    overflow = page.evaluate(_OVERFLOW)
    assert overflow <= 1, f"{label}: the page is {overflow}px wider than the screen: {page.evaluate(_WIDEST)}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(LEARNER_PAGES))
def test_learner_pages_fit_the_screen(page_at, live_server: LiveServer, name: str, width: int) -> None:
    page = page_at(width)
    page.goto(live_server.url + LEARNER_PAGES[name])
    if name in ("landing", "embed"):
        expect(page.locator("chain-tutor-chat .bubble.tutor").first).to_be_visible()
    assert_fits(page, f"{name}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_widget_on_a_third_party_page_fits(page_at, live_server: LiveServer, third_party: ThirdPartySite,
                                               width: int) -> None:
    url = third_party.page("narrow.html", f'<h1>Week 3</h1><script src="{live_server.url}/widget.js" defer>'
                                          f'</script><chain-tutor-chat expression="e^(-x^2)"></chain-tutor-chat>')
    page = page_at(width)
    page.goto(url)
    expect(page.locator("chain-tutor-chat .bubble.tutor").first).to_be_visible()
    assert_fits(page, f"third-party-{width}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", DASHBOARD_PAGES)
def test_dashboard_pages_fit_the_screen(page_at, live_server: LiveServer, school: Classroom,
                                        name: str, width: int) -> None:
    page = page_at(width)
    log_in(page, live_server, school.email)
    course = f"{live_server.url}/dashboard/courses/{school.course_id}"
    address = {"courses": f"{live_server.url}/dashboard/", "overview": f"{course}/",
               "learner": f"{course}/learners/{school.learner_id}"}.get(name, f"{course}/{name}")
    page.goto(address)
    assert_fits(page, f"dashboard-{name}-{width}")


@pytest.mark.parametrize("width", (375, 1280))
def test_the_chat_is_one_tap_from_the_top_of_the_landing_page(page_at, live_server: LiveServer,
                                                              width: int) -> None:
    page = page_at(width)
    page.goto(live_server.url + "/")
    chat = page.locator("chain-tutor-chat")
    expect(chat.locator(".bubble.tutor").first).to_be_visible()
    if width >= 960:
        expect(chat).to_be_in_viewport()  # beside the lesson, no tap needed
        return
    expect(chat).not_to_be_in_viewport()
    jump = page.get_by_role("link", name="Practise with the tutor")
    expect(jump).to_be_in_viewport()
    jump.click()
    expect(chat.locator("#input")).to_be_in_viewport()
    page.screenshot(path=str(_artifact(f"layout-jump-to-chat-{width}")))


def test_the_chain_is_drawn_top_to_bottom_on_a_phone(page_at, live_server: LiveServer) -> None:
    page = page_at(375)
    page.goto(live_server.url + NEURON)
    down = page.locator("svg.chain-down")
    expect(down).to_be_visible()
    expect(page.locator("svg.chain-across")).to_be_hidden()
    gears = down.locator(".gear-name")
    expect(gears).to_have_text(["w", "z", "a", "L"])
    boxes = [gears.nth(i).bounding_box() for i in range(4)]
    assert all(b is not None for b in boxes)
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes), "the gears go down the screen"
    # Legible: the labels keep at least 13 px on screen (the drawing is not shrunk to fit).
    ratio = down.locator(".ratio").first
    size = ratio.evaluate("(t) => t.getBoundingClientRect().height")
    assert size >= 13, f"the chain's labels are {size}px tall"
    down.screenshot(path=str(_artifact("layout-chain-down-375")))
