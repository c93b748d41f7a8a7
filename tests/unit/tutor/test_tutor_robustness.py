"""Whatever a learner types, the tutor answers with a turn and never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.tutor.engine import respond, start
from service.tutor.messages import MESSAGE_KINDS
from service.tutor.turn import TutorContext

CONTEXT = TutorContext()
STATE = start(CONTEXT, "sin((3x)^2)").state

TOKENS = st.sampled_from([
    "x", "u", "v", "2", "3", "(", ")", "^", "*", "/", "+", "-", "=", "sin", "cos", "e", "σ",
    "du/dx", "dy/du", "hint", "next", "factor", "why", " ", "²", "<b>", "d/dx", "differentiate",
    # the reading's own words and slots
    " is ", "inner ", "the inside is ", " with respect to ", "e to the ", " squared", "integrate ",
    "what", "?", "i think ", "a ", " i ", "dL/dw", "harder", "sqrt of ", "'", "’", ":", "L = ",
])


def check(text: str) -> None:
    turn = respond(STATE, text, CONTEXT)
    assert turn.replies, text
    assert all(reply.kind in MESSAGE_KINDS and reply.role == "tutor" for reply in turn.replies)
    turn.state.to_dict()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_arbitrary_text(text):
    check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=12).map("".join))
def test_maths_like_text(text):
    check(text)


def test_a_very_long_message():
    turn = respond(STATE, "(" * 100_000, CONTEXT)
    assert "too long" in turn.replies[0].text
