"""The chat widget in a real browser, embedded in a plain page of another origin
with one ``<script>`` tag, as an integrator would: solving a problem with a
hint, markup typed by a learner, keyboard-only use, a reload, a phone screen,
and the ``<iframe>`` form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from service.extensions import db
from service.models import Enrolment, Learner
from tests.browser.conftest import LiveServer, ThirdPartySite
from tests.factories import make_course, make_instructor

CHAT = "chain-tutor-chat"
HOSTILE = "<img src=x onerror=alert(1)>"
PERCENT = re.compile(r"^\d{1,3}%$")
# The widget's state lives in its (open) shadow root; Playwright's CSS pierces it,
# but counting and focus checks run in the page.
_TUTOR_REPLIED = """(before) => {
  const root = document.querySelector('chain-tutor-chat').shadowRoot;
  return root.querySelectorAll('.bubble.tutor').length > before
      && root.querySelector('.log').getAttribute('aria-busy') !== 'true';
}"""
_FOCUSED = """() => {
  const active = document.querySelector('chain-tutor-chat').shadowRoot.activeElement;
  return active ? (active.id || active.dataset.action || active.tagName.toLowerCase()) : null;
}"""


def embed_widget(site: ThirdPartySite, server: LiveServer, name: str, attributes: str = "") -> str:
    """A third-party page that embeds the widget exactly as the README says."""
    body = (f"<h1>Week 3: the chain rule</h1><p>Practise below.</p>"
            f'<script src="{server.url}/widget.js" defer></script>'
            f"<chain-tutor-chat {attributes}></chain-tutor-chat>")
    return site.page(name, body)


def open_widget(page: Page, url: str) -> None:
    """Open the page and wait for the tutor's first question."""
    page.goto(url)
    expect(page.locator(f"{CHAT} .bubble.tutor[data-kind=question]").first).to_be_visible()


def say(page: Page, text: str) -> None:
    """Type ``text`` in the chat, press Enter, wait for the tutor's reply."""
    before = page.locator(f"{CHAT} .bubble.tutor").count()
    box = page.locator(f"{CHAT} #input")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(_TUTOR_REPLIED, arg=before)


def last_learner_verdict(page: Page) -> str | None:
    return page.locator(f"{CHAT} .bubble.learner").last.get_attribute("data-correct")


def test_learner_solves_with_a_hint_on_a_third_party_page(
        browser_page: Page, live_server: LiveServer, third_party: ThirdPartySite,
        dialogs: list[str], snap: Callable[[Page, str], Path]) -> None:
    page = browser_page
    url = embed_widget(third_party, live_server, "solve.html", 'expression="(2x+1)^3"')
    assert url.split("/")[2] != live_server.url.split("/")[2], "the page must be on another origin"
    open_widget(page, url)
    expect(page.locator(f"{CHAT} .problem")).to_have_text("Problem: (2x+1)^3")

    # The live preview reads what is typed before it is sent.
    page.locator(f"{CHAT} #input").fill("3(2x+1)^2*2")
    preview = page.locator(f"{CHAT} .preview")
    expect(preview).to_contain_text("I read this as")
    expect(preview.locator("math")).to_have_count(1)
    page.locator(f"{CHAT} #input").fill("sin((3x")
    expect(preview).to_contain_text("unbalanced parenthesis")

    say(page, "u = 2x + 1")
    assert last_learner_verdict(page) == "true"
    page.get_by_role("button", name="Hint").click()
    hint = page.locator(f"{CHAT} .bubble.tutor[data-kind=hint]")
    expect(hint).to_have_count(1)
    expect(hint).to_contain_text("Hint")
    snap(page, "hint")
    say(page, "dy/du = 3u^2")
    assert last_learner_verdict(page) == "true"
    say(page, "du/dx = 2")
    say(page, "dy/dx = 6(2x+1)^2")
    assert last_learner_verdict(page) == "true"

    recap = page.locator(f"{CHAT} .bubble.tutor[data-kind=explanation]")
    expect(recap).to_contain_text("To recap")
    expect(recap).to_contain_text("6(2x + 1)²")
    expect(page.locator(f"{CHAT} .solved")).to_be_visible()
    expect(page.locator(f"{CHAT} details.mastery .average")).to_have_text(PERCENT)
    assert dialogs == []


def test_markup_typed_by_a_learner_shows_as_text(browser_page: Page, live_server: LiveServer,
                                                 third_party: ThirdPartySite, dialogs: list[str]) -> None:
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "hostile.html"))
    page.locator(f"{CHAT} #input").fill(HOSTILE)
    page.wait_for_timeout(600)  # long enough for the debounced preview to come back
    say(page, HOSTILE)
    expect(page.locator(f"{CHAT} .bubble.learner").last).to_have_text(HOSTILE)
    images = page.evaluate("""() => document.querySelectorAll('img').length
        + document.querySelector('chain-tutor-chat').shadowRoot.querySelectorAll('img').length""")
    assert images == 0
    assert dialogs == []


def test_a_course_code_enrols_the_learner(browser_page: Page, live_server: LiveServer,
                                          third_party: ThirdPartySite) -> None:
    with live_server.app.app_context():
        course = make_course(db.session, make_instructor(db.session).id, "Calculus I")
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "course.html", f'course="{course.code}"'))
    learner_id = stored_identity(page, live_server)["learnerId"]
    with live_server.app.app_context():
        enrolled = db.session.scalars(sa.select(Enrolment.course_id).where(Enrolment.learner_id == learner_id))
        assert list(enrolled) == [course.id]


def test_keyboard_only(browser_page: Page, live_server: LiveServer, third_party: ThirdPartySite,
                       snap: Callable[[Page, str], Path]) -> None:
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "keyboard.html", 'expression="(2x+1)^3"'))
    tab_to(page, "input")
    page.keyboard.type("u = 2x + 1")
    before = page.locator(f"{CHAT} .bubble.tutor").count()
    page.keyboard.press("Enter")
    page.wait_for_function(_TUTOR_REPLIED, arg=before)
    assert last_learner_verdict(page) == "true"

    tab_to(page, "hint")
    outline = page.evaluate("""() => getComputedStyle(
        document.querySelector('chain-tutor-chat').shadowRoot.activeElement).outlineStyle""")
    assert outline != "none", "the focused button must show where focus is"
    snap(page, "hint-focused")
    before = page.locator(f"{CHAT} .bubble.tutor").count()
    page.keyboard.press("Space")
    page.wait_for_function(_TUTOR_REPLIED, arg=before)
    expect(page.locator(f"{CHAT} .bubble.tutor[data-kind=hint]")).to_have_count(1)

    tab_to(page, "next_factor")
    before = page.locator(f"{CHAT} .bubble.tutor").count()
    page.keyboard.press("Enter")
    page.wait_for_function(_TUTOR_REPLIED, arg=before)
    expect(page.locator(f"{CHAT} .bubble.tutor").last).to_contain_text("next factor")


def test_a_reload_keeps_the_learner_and_the_conversation(
        browser_page: Page, live_server: LiveServer, third_party: ThirdPartySite) -> None:
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "reload.html", 'expression="e^(-x^2)"'))
    say(page, "u = -x^2")
    identity = stored_identity(page, live_server)
    bubbles = page.locator(f"{CHAT} .bubble").count()

    page.reload()
    expect(page.locator(f"{CHAT} .bubble.learner")).to_have_text(["u = -x^2"])
    expect(page.locator(f"{CHAT} .bubble")).to_have_count(bubbles)
    assert stored_identity(page, live_server) == identity
    say(page, "hint")
    assert stored_identity(page, live_server)["conversationId"] == identity["conversationId"]


def test_works_at_phone_width(browser_page: Page, live_server: LiveServer,
                              third_party: ThirdPartySite) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    open_widget(page, embed_widget(third_party, live_server, "phone.html", 'expression="(2x+1)^3"'))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    for control in page.locator(f"{CHAT} button:visible").all():
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    say(page, "u = 2x + 1")
    assert last_learner_verdict(page) == "true"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


def test_the_iframe_form_on_a_third_party_page(browser_page: Page, live_server: LiveServer,
                                               third_party: ThirdPartySite) -> None:
    page = browser_page
    src = f"{live_server.url}/embed?expression=(2x%2B1)%5E3"
    page.goto(third_party.page("iframe.html", f'<iframe src="{src}" title="Chain Tutor" '
                                              f'width="420" height="600"></iframe>'))
    frame = page.frame_locator("iframe")
    expect(frame.locator(f"{CHAT} .bubble.tutor[data-kind=question]").first).to_be_visible()
    expect(frame.locator(f"{CHAT} .problem")).to_have_text("Problem: (2x+1)^3")


def tab_to(page: Page, target: str, limit: int = 15) -> None:
    """Press Tab until the widget's focused control is ``target`` (an id or a button's intent)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(_FOCUSED) == target:
            return
    raise AssertionError(f"{target!r} cannot be reached with Tab")


def stored_identity(page: Page, server: LiveServer) -> dict:
    return page.evaluate("(key) => JSON.parse(localStorage.getItem(key))", f"chain-tutor:{server.url}")


_PREVIEW_LEAVES = """() => Array.from(document.querySelector('chain-tutor-chat').shadowRoot
  .querySelectorAll('.preview math mi, .preview math mo, .preview math mn')).map((e) => e.textContent)"""
_PREVIEW_CLIPPED = """() => {
  const box = document.querySelector('chain-tutor-chat').shadowRoot.querySelector('.preview');
  const math = box.querySelector('math').getBoundingClientRect(), outer = box.getBoundingClientRect();
  return math.top < outer.top - 0.5 || math.bottom > outer.bottom + 0.5 || box.scrollHeight > box.clientHeight + 1;
}"""


def test_maths_is_typeset_in_the_chat_and_the_preview_keeps_the_learners_order(
        browser_page: Page, live_server: LiveServer, third_party: ThirdPartySite,
        snap: Callable[[Page, str], Path]) -> None:
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "maths.html",
                                   'expression="(sigmoid(w*x)-y)^2" variable="w"'))
    box = page.locator(f"{CHAT} #input")
    box.fill("(sigmoid(wx) - y)^2")
    expect(page.locator(f"{CHAT} .preview math")).to_be_visible()
    leaves = page.evaluate(_PREVIEW_LEAVES)
    assert "+" not in leaves and leaves.index("σ") < leaves.index("−") < leaves.index("y"), leaves
    box.fill("-2x/e^{x^2}")
    expect(page.locator(f"{CHAT} .preview mfrac")).to_be_visible()
    assert not page.evaluate(_PREVIEW_CLIPPED), "the fraction must show whole in the preview"
    snap(page, "preview-fraction")

    say(page, "z = wx")
    typeset = page.locator(f"{CHAT} .bubble.tutor .m")
    expect(typeset.first).to_be_visible()
    assert typeset.locator("math").count() >= 1
    # Each piece of maths has its words beside it for screen readers; the MathML is hidden from them.
    first = typeset.first
    expect(first.locator("math")).to_have_attribute("aria-hidden", "true")
    assert first.locator(".visually-hidden").text_content()


def test_the_host_page_can_name_the_learner(browser_page: Page, live_server: LiveServer,
                                            third_party: ThirdPartySite) -> None:
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "named.html", 'learner-name="Ada"'))
    expect(page.locator(f"{CHAT} .name-ask")).to_be_hidden()
    identity = stored_identity(page, live_server)
    with live_server.app.app_context():
        learner = db.session.get(Learner, identity["learnerId"])
        assert (learner.name, learner.source) == ("Ada", "widget")
        assert learner.source_host == third_party.url.split("/")[2]


def test_the_widget_asks_a_first_name_once(browser_page: Page, live_server: LiveServer,
                                           third_party: ThirdPartySite) -> None:
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "ask.html"))
    ask = page.locator(f"{CHAT} .name-ask")
    expect(ask).to_be_visible()
    page.locator(f"{CHAT} #name").fill("Grace")
    page.locator(f"{CHAT} #name").press("Enter")
    expect(ask).to_be_hidden()
    page.wait_for_function("(key) => JSON.parse(localStorage.getItem(key)).name === 'Grace'",
                           arg=f"chain-tutor:{live_server.url}")
    with live_server.app.app_context():
        assert db.session.get(Learner, stored_identity(page, live_server)["learnerId"]).name == "Grace"
    page.reload()
    expect(page.locator(f"{CHAT} .bubble.tutor").first).to_be_visible()
    expect(ask).to_be_hidden()


def test_the_buttons_send_named_actions(browser_page: Page, live_server: LiveServer,
                                        third_party: ThirdPartySite) -> None:
    page = browser_page
    open_widget(page, embed_widget(third_party, live_server, "actions.html", 'expression="(2x+1)^3"'))
    sent: list[dict] = []
    page.on("request", lambda request: sent.append(request.post_data_json)
            if request.method == "POST" and request.url.endswith("/messages") else None)
    for label, action, kind in (("Hint", "hint", "hint"), ("Next factor", "next_factor", "info"),
                                ("Solution", "solution", "solution")):
        before = page.locator(f"{CHAT} .bubble.tutor").count()
        page.locator(f'{CHAT} button[data-action="{action}"]').click()
        page.wait_for_function(_TUTOR_REPLIED, arg=before)
        assert sent[-1] == {"action": action}, f"{label} sent {sent[-1]}"
        expect(page.locator(f"{CHAT} .bubble.tutor[data-kind={kind}]").last).to_be_visible()
    # The transcript shows each press as words, the same after a reload as before it.
    learner_said = page.locator(f"{CHAT} .bubble.learner").all_text_contents()
    assert learner_said == ["Hint, please.", "Which factor is next?", "Show me the solution."]
    page.reload()
    expect(page.locator(f"{CHAT} .bubble.learner")).to_have_text(learner_said)
