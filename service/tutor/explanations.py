"""The concept explanations the tutor gives when asked.

The lesson content (``content/``) is the source of truth: the web layer
passes its sections' plain text in ``TutorContext.lesson``, keyed by section
slug. These defaults, in the tutor's own words, are used when a section is
missing (a unit test, a terminal chat without content, a renamed section).
"""

from __future__ import annotations

from collections.abc import Mapping

# Section slugs of content/lessons/chain-rule/, used as concept keys.
CHAIN_RULE = "the-chain-rule"
GEARS = "gears"
WHY_MULTIPLY = "why-multiply"
LONGER_CHAINS = "longer-chains"
INNER_AND_OUTER = "inner-and-outer"
BACKPROPAGATION = "backpropagation"

DEFAULT_EXPLANATIONS: dict[str, str] = {
    CHAIN_RULE: (
        "The chain rule differentiates a function inside another function. If y = f(g(x)), "
        "then dy/dx = f'(g(x)) · g'(x): the derivative of the outer function, taken at the "
        "inner function, times the derivative of the inner function. With a name for the "
        "inner function, u = g(x) and y = f(u), it reads dy/dx = dy/du · du/dx."
    ),
    GEARS: (
        "Think of gears: turning x turns u, and turning u turns y (x → u → y). If u turns "
        "2 times as fast as x (du/dx = 2) and y turns 3 times as fast as u (dy/du = 3), "
        "then y turns 2 × 3 = 6 times as fast as x (dy/dx = 6). Each ratio is a local "
        "derivative, and the ratios multiply along the chain."
    ),
    WHY_MULTIPLY: (
        "We multiply because rates of change compound. A small nudge Δx changes u by about "
        "du/dx · Δx; that change in u changes y by about dy/du times as much, so y moves by "
        "dy/du · du/dx · Δx. The factor in front of Δx is dy/dx. Adding the derivatives "
        "would be like saying two gear ratios of 2 and 3 give a ratio of 5: they give 6."
    ),
    LONGER_CHAINS: (
        "Longer chains work the same way: if y depends on u, u on v and v on x, then "
        "dy/dx = dy/du · du/dv · dv/dx. Find each local derivative on its own, then "
        "multiply them all; leaving one out is the most common slip."
    ),
    INNER_AND_OUTER: (
        "The inner function is what gets computed first from x; the outer function is what "
        "is done to that result last. In (2x + 1)³, first 2x + 1 is computed (inner, "
        "u = 2x + 1), then it is cubed (outer, y = u³)."
    ),
    BACKPROPAGATION: (
        "A neural network is a long chain of functions, so the gradient of its loss is a "
        "product of local derivatives. Backpropagation computes them from the output back "
        "to the input and multiplies them as it goes: the chain rule, done layer by layer."
    ),
}


def explanation(lesson: Mapping[str, str], concept: str) -> str:
    """The explanation of ``concept``: the lesson's text if given, else ours.

    >>> explanation({"gears": "Gears turn."}, "gears")
    'Gears turn.'
    >>> explanation({}, "gears").startswith("Think of gears")
    True
    """
    text = lesson.get(concept, "").strip()
    return text or DEFAULT_EXPLANATIONS[concept]
