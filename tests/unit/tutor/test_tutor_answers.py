"""Reading answers: Leibniz tags, and maths told apart from sentences."""

from __future__ import annotations

import pytest

from service.tutor.answers import FINAL_TAG, Answer, looks_like_maths, read_answer


@pytest.mark.parametrize(("text", "answer"), [
    ("u = 2x + 1", Answer("u", "2x + 1")),
    ("du/dx = 2", Answer("du/dx", "2")),
    ("dy/du = 3u^2", Answer("dy/du", "3u^2")),
    ("dy / dx = 6(2x+1)^2", Answer("dy/dx", "6(2x+1)^2")),
    ("dL/dw = 2(a - y)", Answer("dL/dw", "2(a - y)")),
    ("y' = 6(2x+1)^2", Answer(FINAL_TAG, "6(2x+1)^2")),
    ("f'(x) = cos(x)", Answer(FINAL_TAG, "cos(x)")),
    ("inner function is 2x+1", Answer("inner", "2x+1")),
    ("6(2x+1)^2", Answer(None, "6(2x+1)^2")),
    ("  it's 3u^2 ", Answer(None, "3u^2")),
    ("the answer is -2x e^(-x^2)", Answer(None, "-2x e^(-x^2)")),
    ("u =", Answer("u", "")),
])
def test_read_answer(text, answer):
    assert read_answer(text) == answer


@pytest.mark.parametrize("text", ["3(2x+1)^2", "cos u", "x", "sinx", "σ(z)(1-σ(z))", "e^(-x^2)",
                                  "sin(3x", "2x +", "sinus(x)", "√(1-x²)"])
def test_maths(text):
    assert looks_like_maths(text)


@pytest.mark.parametrize("text", ["what is this", "I love calculus", "<img src=x onerror=alert(1)>",
                                  "", "please tell me more"])
def test_not_maths(text):
    assert not looks_like_maths(text)
