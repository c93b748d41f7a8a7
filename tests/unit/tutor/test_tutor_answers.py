"""Reading answers: Leibniz tags split from the maths (sentences are told apart by the reading)."""

from __future__ import annotations

import pytest

from service.tutor.answers import FINAL_TAG, Answer, read_answer


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
