"""Maths typeset as written (service.calculus.typeset) and tutor messages cut
into words and maths (service.api.conversations.typesetting)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from service.api.conversations.typesetting import segments
from service.calculus import ExpressionError
from service.calculus.typeset import typed_latex

MATHML = "{http://www.w3.org/1998/Math/MathML}"


@pytest.mark.parametrize(("typed", "latex"), [
    ("(sigmoid(wx) - y)^2", r"\left(\sigma\left(w x\right) - y\right)^{2}"),
    ("1 + x", "1 + x"),
    ("3(2x+1)^2*2", r"3 \left(2 x + 1\right)^{2} \cdot 2"),
    ("-2x/e^{x^2}", r"-\frac{2 x}{e^{x^{2}}}"),
    ("e^(−x²)", "e^{-x^{2}}"),
    ("sin^2(3x)", r"\sin^{2}\left(3 x\right)"),
    ("2 × 3", r"2 \times 3"),
    ("(x+1)/(x-1)", r"\frac{x + 1}{x - 1}"),
    ("|x| + 1", r"\left|x\right| + 1"),
])
def test_maths_is_typeset_in_the_order_it_was_written(typed: str, latex: str) -> None:
    assert typed_latex(typed) == latex


def test_text_that_is_not_maths_is_refused() -> None:
    with pytest.raises(ExpressionError):
        typed_latex("inner")


def test_a_tutor_sentence_keeps_its_words_and_typesets_its_maths() -> None:
    parts = segments("Say du/dx = 2, so 2 × 3 = 6 turns of y (power rule).")
    assert [p["text"] for p in parts] == ["Say ", "du/dx = 2", ", so ", "2 × 3 = 6", " turns of y (power rule)."]
    maths = [ET.fromstring(p["math"]) for p in parts if "math" in p]
    assert all(m.tag == f"{MATHML}math" for m in maths)
    # "3 · 2 = 6" stays as the tutor wrote it, not "6 = 6".
    numbers = [e.text for e in maths[1].iter(f"{MATHML}mn")]
    assert numbers == ["2", "3", "6"]


def test_words_are_never_typeset_as_products_of_letters() -> None:
    parts = segments("so u = 2x + 1 is the inner function, and a ratio is what we need")
    assert [p["text"] for p in parts if "math" in p] == ["u = 2x + 1"]
    assert "".join(p["text"] for p in parts) == "so u = 2x + 1 is the inner function, and a ratio is what we need"


def test_markup_in_a_message_is_never_maths() -> None:
    parts = segments("<img src=x onerror=alert(1)> = 2")
    assert all("math" not in p or "<img" not in p["math"] for p in parts)
    assert "".join(p["text"] for p in parts) == "<img src=x onerror=alert(1)> = 2"
