"""Each intent is read from the ways learners say it (the reading pipeline, end to end)."""

from __future__ import annotations

import pytest

from service.tutor.intents import Intent
from service.tutor.reading import read as recognise

CASES = {
    Intent.HINT: ["hint", "Can I have a hint?", "I'm stuck", "I don't know", "give me a clue", "?", "hnit"],
    Intent.SOLUTION: ["I give up", "show me the solution", "show the answer", "just solve it",
                      "solution"],
    Intent.NEXT_FACTOR: ["what is the next factor?", "next factor", "which factor is missing?",
                         "what's missing"],
    Intent.WHY_MULTIPLY: ["why do we multiply?", "Why multiply the derivatives"],
    Intent.WHY: ["explain", "why?", "why does it work", "but why", "I still don't understand why"],
    Intent.CONFUSED: ["huh?", "I'm confused", "what?", "idk", "lost", "say it differently",
                      "what do you mean?", "I don't understand"],
    Intent.PROGRESS: ["how am I doing?", "what should I practise?"],
    Intent.WHO: ["who are you", "what is this?", "are you a bot?"],
    Intent.HARDER: ["harder", "give me a harder one"],
    Intent.WITH_LOG: ["one with ln please"],
    Intent.LONG_CHAIN: ["a three-link one"],
    Intent.OUT_OF_SCOPE: ["integrate 2x cos(x^2)", "what is the limit of sin(x)/x", "tell me a joke"],
    Intent.CHAIN_RULE: ["what is the chain rule?", "What's the chain rule", "explain the chain rule",
                        "tell me about the gears", "gear analogy", "chain rule?"],
    Intent.REPEAT: ["repeat the question", "repeat", "what was the question?", "say that again"],
    Intent.SKIP: ["skip", "new problem", "next", "another one", "give me a different problem",
                  "next question"],
    Intent.GREETING: ["hi", "Hello!", "hey there", "good morning"],
    Intent.THANKS: ["thanks", "thank you!", "cheers"],
    Intent.HELP: ["help", "what can you do?", "how does this work?"],
    Intent.YES: ["yes", "ok", "sure!", "let's go"],
    Intent.NO: ["no", "no thanks", "not now"],
}


@pytest.mark.parametrize(("intent", "text"),
                         [(intent, text) for intent, texts in CASES.items() for text in texts])
def test_intent(intent, text):
    assert recognise(text).intent is intent


@pytest.mark.parametrize(("text", "expression", "variable"), [
    ("differentiate (2x+1)^3", "(2x+1)^3", None),
    ("Differentiate e^(-x^2).", "e^(-x^2)", None),
    ("what's the derivative of sin((3x)^2)?", "sin((3x)^2)", None),
    ("What is the derivative of ln(x^2+1)", "ln(x^2+1)", None),
    ("derivative of tan(5x)", "tan(5x)", None),
    ("d/dx sin((3x)^2)", "sin((3x)^2)", "x"),
    ("d/dw (σ(wx) − y)^2", "(σ(wx) − y)^2", "w"),
    ("differentiate (σ(wx) − y)^2 with respect to w", "(σ(wx) − y)^2", "w"),
    ("can you differentiate sqrt(1-t^2) wrt t?", "sqrt(1-t^2)", "t"),
    # the name a learner gives the function is not part of it
    ("differentiate L = (σ(wx) − y)^2 with respect to w", "(σ(wx) − y)^2", "w"),
    ("what is the derivative of f(x) = sin(x^2)?", "sin(x^2)", None),
    ("d/dx y = e^(3x)", "e^(3x)", "x"),
])
def test_differentiate_carries_the_expression_and_variable(text, expression, variable):
    match = recognise(text)
    assert match.intent is Intent.DIFFERENTIATE
    assert (match.expression, match.variable) == (expression, variable)


@pytest.mark.parametrize("text", [
    "6(2x+1)^2", "dy/dx = 6(2x+1)^2", "du/dx = 2", "u = 2x + 1", "cos(u)", "x",
    "<img src=x onerror=alert(1)>", "what is the weather like",
])
def test_answers_and_chatter_are_no_request(text):
    assert recognise(text).intent in (Intent.ANSWER, Intent.NONE, Intent.OUT_OF_SCOPE)
