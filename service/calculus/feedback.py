"""What the tutor tells a learner about an answer: one or two sentences, Unicode maths.

Each recognised misconception gets its own sentence naming the missing or
wrong factor, taken from the decomposition (``du/dx = 2``), so the learner
knows what to fix without being handed the whole answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .derivation import ChainRule, Link
from .misconceptions import WrongDerivative, unlowered_power_derivative
from .printing import to_text


def math_text(expr: sp.Expr) -> str:
    """``expr`` in the Unicode maths the learner reads, as the solutions print it.

    >>> math_text(6 * (2 * sp.Symbol("x") + 1) ** 2)
    '6(2x + 1)²'
    """
    return to_text(expr)


def _local(link: Link) -> str:
    """``du/dv = 2v = 6x``: a local derivative in its input, and in the variable when that differs."""
    in_input = math_text(link.derivative)
    in_variable = math_text(link.derivative_in_variable)
    shown = in_input if in_input == in_variable else f"{in_input} = {in_variable}"
    return f"{link.leibniz} = {shown}"


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _where(wrong: WrongDerivative) -> str:
    """A prefix placing the slip inside a larger expression, or nothing."""
    return "" if wrong.context is None else f"In the derivative of {math_text(wrong.context)}: "


def _missing_inner(wrong: WrongDerivative) -> str:
    factors = [_local(link) for link in wrong.missing]
    noun = "factor" if len(factors) == 1 else "factors"
    pronoun = "it" if len(factors) == 1 else "them"
    return (f"You differentiated the outer function but left out the inner {noun} "
            f"{_listed(factors)}: multiply by {pronoun}.")


def _missing_link(wrong: WrongDerivative) -> str:
    link = wrong.missing[0]
    return (f"One link of the chain is missing: you left out {_local(link)}. "
            f"Multiply every local derivative: {_leibniz_product(wrong.chain)}.")


def _input_in_variable(wrong: WrongDerivative) -> sp.Expr:
    """What the wrong link's input stands for, in the variable (``u = 2x + 1``)."""
    links = wrong.chain.links
    index = links.index(wrong.link)
    return links[index - 1].expression_in_variable if index > 0 else wrong.link.input


def _outer_not_at_inner(wrong: WrongDerivative) -> str:
    link = wrong.link
    return (f"Evaluate {link.leibniz} = {math_text(link.derivative)} at the inner function "
            f"{link.input} = {math_text(_input_in_variable(wrong))}, not at {wrong.chain.variable}: "
            f"{math_text(wrong.wrong_factor)} is the outer derivative at {wrong.chain.variable}.")


def _power_rule(wrong: WrongDerivative) -> str:
    if wrong.link is not None:
        expression, symbol = wrong.link.expression, wrong.link.input
    else:
        expression, symbol = wrong.subject.expression, wrong.subject.variable
    right = sp.diff(expression, symbol)
    unlowered = unlowered_power_derivative(expression, symbol)
    return (f"Power rule: the exponent drops by one, so d/d{symbol} {math_text(expression)} = "
            f"{math_text(right)}, not {math_text(unlowered)}.")


def _sign(wrong: WrongDerivative) -> str:
    if wrong.context is not None:
        return f"Check the sign of the derivative of {math_text(wrong.context)}."
    if wrong.link is not None:
        return (f"Check the sign of {wrong.link.leibniz}, the derivative of "
                f"{math_text(wrong.link.expression)}: your answer has the right size but the wrong sign.")
    return ("Check the sign: your answer has the right size but the wrong sign. "
            "Look at the sign of each local derivative.")


def _leibniz_product(chain: ChainRule) -> str:
    """``dy/dx = dy/du · du/dx``, outermost first as the lesson writes it."""
    outer, variable = chain.links[-1].name, chain.variable
    factors = " · ".join(link.leibniz for link in reversed(chain.links))
    return f"d{outer}/d{variable} = {factors}"


def _added(wrong: WrongDerivative) -> str:
    return ("The chain rule multiplies the local derivatives, it does not add them: "
            f"{_leibniz_product(wrong.chain)}.")


def _composed(wrong: WrongDerivative) -> str:
    link = wrong.link
    return (f"Evaluate the outer derivative {link.leibniz} = {math_text(link.derivative)} at the inner "
            f"function {link.input} = {math_text(_input_in_variable(wrong))}, not at the inner derivative; "
            "then multiply by the inner derivative.")


_SLIPS = {
    "product_rule": "Use the product rule, (fg)′ = f′g + fg′: the derivative of a product is not "
                    "the product of the derivatives.",
    "quotient_rule": "Use the quotient rule, (f/g)′ = (f′g − fg′)/g²: the derivative of a quotient "
                     "is not the quotient of the derivatives.",
    "general_power": "The exponent depends on the variable too, so the power rule alone does not "
                     "apply: write f^g as e^(g·ln f) and use the chain rule.",
}

_TEXTS = {
    "missing_inner_derivative": _missing_inner,
    "missing_link": _missing_link,
    "outer_not_at_inner": _outer_not_at_inner,
    "power_rule_exponent": _power_rule,
    "sign_error": _sign,
    "added_instead_of_multiplied": _added,
    "composed_derivatives": _composed,
}


def misconception_feedback(wrong: WrongDerivative) -> str:
    """The sentence for an answer recognised as ``wrong``."""
    if wrong.misconception is None:
        return "Not quite. " + _SLIPS.get(wrong.slip or "", "Find each local derivative and multiply them.")
    text = _TEXTS[wrong.misconception](wrong)
    if wrong.context is None or wrong.misconception == "sign_error":  # _sign names its context itself
        return text
    return _where(wrong) + text[0].lower() + text[1:]
