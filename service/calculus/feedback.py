"""What the tutor tells a learner about an answer: one or two sentences, Unicode maths.

Each recognised misconception gets its own sentence naming the missing or
wrong factor, taken from the decomposition (``du/dx = 2``), so the learner
knows what to fix without being handed the whole answer.
"""

from __future__ import annotations

import sympy as sp

from .misconceptions import RECORDS, Misconception, WrongDerivative
from .printing import to_text


def math_text(expr: sp.Expr) -> str:
    """``expr`` in the Unicode maths the learner reads, as the solutions print it.

    >>> math_text(6 * (2 * sp.Symbol("x") + 1) ** 2)
    '6(2x + 1)²'
    """
    return to_text(expr)


_SLIPS = {
    "product_rule": "Use the product rule, (fg)′ = f′g + fg′: the derivative of a product is not "
                    "the product of the derivatives.",
    "quotient_rule": "Use the quotient rule, (f/g)′ = (f′g − fg′)/g²: the derivative of a quotient "
                     "is not the quotient of the derivatives.",
    "general_power": "The exponent depends on the variable too, so the power rule alone does not "
                     "apply: write f^g as e^(g·ln f) and use the chain rule.",
}


def _where(wrong: WrongDerivative) -> str:
    """A prefix placing the slip inside a larger expression, or nothing."""
    return "" if wrong.context is None else f"In the derivative of {math_text(wrong.context)}: "


def misconception_feedback(wrong: WrongDerivative) -> str:
    """The sentence for an answer recognised as ``wrong``."""
    if wrong.misconception is None:
        return "Not quite. " + _SLIPS.get(wrong.slip or "", "Find each local derivative and multiply them.")
    text = RECORDS[wrong.misconception].feedback(wrong)
    if wrong.context is None or wrong.misconception is Misconception.SIGN_ERROR:  # _sign names its context itself
        return text
    return _where(wrong) + text[0].lower() + text[1:]
