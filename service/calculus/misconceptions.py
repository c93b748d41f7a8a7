"""The misconception vocabulary: one declarative record per misconception.

Each :class:`MisconceptionRecord` says, in one place, what a misconception
is called (a typed :class:`Misconception` name, the contract's string), what
the learner's answer looks like, how the teacher's pages label it, which
name wins when two give the same wrong answer (``priority``), how its
candidate wrong answer is built from the derivation tree (``candidate``,
done by :mod:`service.calculus.candidates`), the feedback sentence it gets,
and the skills it is evidence *against* — so the knowledge model lowers
the skill the mistake shows, not whichever the step happened to be about:

============================ ============================================ ======================
name                         candidate answer                             evidence against
============================ ============================================ ======================
missing_inner_derivative     Dₙ alone: the outer derivative at the inner  inner_derivative
missing_link                 the product with one Dᵢ left out (n ≥ 3)     long_chains
outer_not_at_inner           Dᵢ taken at x instead of at its input        outer_derivative
power_rule_exponent          n·uⁿ in place of n·uⁿ⁻¹ in some Dᵢ           outer_derivative [*]
sign_error                   −(D₁·…·Dₙ)                                   outer, inner [*]
added_instead_of_multiplied  D₁ + … + Dₙ                                  multiply_factors
composed_derivatives         the outer derivative at the inner derivative multiply_factors
============================ ============================================ ======================

[*] ``local_slip``: on a step that asks for one local derivative
(``dy/du``, ``du/dx``) the slip is evidence against that step's own skill,
the local derivative it changed. A negated whole derivative cannot say
which factor flipped, so it counts against both local-derivative skills.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import sympy as sp

from .derivation import ChainRule, Derivation, Link
from .printing import to_text
from .skills import Skill


class Misconception(StrEnum):
    """The contract's misconception names; each member *is* its string."""

    MISSING_INNER_DERIVATIVE = "missing_inner_derivative"
    MISSING_LINK = "missing_link"
    OUTER_NOT_AT_INNER = "outer_not_at_inner"
    POWER_RULE_EXPONENT = "power_rule_exponent"
    COMPOSED_DERIVATIVES = "composed_derivatives"
    ADDED_INSTEAD_OF_MULTIPLIED = "added_instead_of_multiplied"
    SIGN_ERROR = "sign_error"


@dataclass(frozen=True)
class WrongDerivative:
    """A derivative a learner holding ``misconception`` would write.

    ``derivative`` is in the variable. ``link`` is the link whose local
    derivative is wrong or left out; ``missing`` the links whose factors were
    dropped; ``wrong_factor`` the wrong local derivative written in the
    variable (for ``power_rule_exponent`` and ``outer_not_at_inner``);
    ``context`` the sub-expression where the slip sits when it is not the
    whole problem; ``chain`` the chain the link belongs to (for feedback that
    names its other links); ``slip`` names an error outside the vocabulary
    (``"product_rule"``, ``"quotient_rule"``, ``"general_power"``);
    ``subject`` is the node whose derivative went wrong when no link
    names it (a power rule slip on ``x⁵`` itself).
    """

    misconception: Misconception | None
    derivative: sp.Expr
    link: Link | None = None
    missing: tuple[Link, ...] = ()
    wrong_factor: sp.Expr | None = None
    context: sp.Expr | None = None
    chain: ChainRule | None = None
    slip: str | None = None
    subject: Derivation | None = None


def unlowered_power_derivative(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr | None:
    """The derivative of ``expr`` by ``symbol`` with each power rule's exponent not lowered.

    None when no power rule applies (``2x + 1``): there is nothing to get wrong.

    >>> u = sp.Symbol("u")
    >>> unlowered_power_derivative(u**3, u)
    3*u**3
    >>> unlowered_power_derivative(-u**2 + 1, u)
    -2*u**2
    >>> unlowered_power_derivative(2*u + 1, u) is None
    True
    """
    if not expr.has(symbol):
        return None
    if expr.is_Add:
        parts = [(term, unlowered_power_derivative(term, symbol)) for term in expr.args]
        if all(wrong is None for _, wrong in parts):
            return None
        return sp.Add(*(sp.diff(term, symbol) if wrong is None else wrong for term, wrong in parts))
    if expr.is_Mul:
        constant, dependent = expr.as_independent(symbol, as_Add=False)
        if dependent.is_Mul:
            return None  # a product rule, not a single power
        wrong = unlowered_power_derivative(dependent, symbol)
        return None if wrong is None else constant * wrong
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.has(symbol) or exponent in (0, 1):
            return None
        return exponent * base**exponent * sp.diff(base, symbol)
    return None



def _local(link: Link) -> str:
    """``du/dv = 2v = 6x``: a local derivative in its input, and in the variable when that differs."""
    in_input = to_text(link.derivative)
    in_variable = to_text(link.derivative_in_variable)
    shown = in_input if in_input == in_variable else f"{in_input} = {in_variable}"
    return f"{link.leibniz} = {shown}"


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
    return (f"Evaluate {link.leibniz} = {to_text(link.derivative)} at the inner function "
            f"{link.input} = {to_text(_input_in_variable(wrong))}, not at {wrong.chain.variable}: "
            f"{to_text(wrong.wrong_factor)} is the outer derivative at {wrong.chain.variable}.")


def _power_rule(wrong: WrongDerivative) -> str:
    if wrong.link is not None:
        expression, symbol = wrong.link.expression, wrong.link.input
    else:
        expression, symbol = wrong.subject.expression, wrong.subject.variable
    right = sp.diff(expression, symbol)
    unlowered = unlowered_power_derivative(expression, symbol)
    return (f"Power rule: the exponent drops by one, so d/d{symbol} {to_text(expression)} = "
            f"{to_text(right)}, not {to_text(unlowered)}.")


def _sign(wrong: WrongDerivative) -> str:
    if wrong.context is not None:
        return f"Check the sign of the derivative of {to_text(wrong.context)}."
    if wrong.link is not None:
        return (f"Check the sign of {wrong.link.leibniz}, the derivative of "
                f"{to_text(wrong.link.expression)}: your answer has the right size but the wrong sign.")
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
    return (f"Evaluate the outer derivative {link.leibniz} = {to_text(link.derivative)} at the inner "
            f"function {link.input} = {to_text(_input_in_variable(wrong))}, not at the inner derivative; "
            "then multiply by the inner derivative.")



@dataclass(frozen=True)
class MisconceptionRecord:
    """Everything the product knows about one misconception.

    - ``description``: what the learner's answer looks like (the contract's words);
    - ``label``: a teacher's short name for it, for pages and exports;
    - ``priority``: when two misconceptions give the same wrong answer the
      lower number names it (the more specific diagnosis helps more);
    - ``candidate``: how its wrong answer is built from the local derivatives;
    - ``feedback``: the sentence for an answer it explains;
    - ``evidence_against``: the skills an answer showing it is evidence against;
    - ``local_slip``: on a one-local-derivative step, count it against that
      step's own skill instead (the derivative it changed).
    """

    name: Misconception
    description: str
    label: str
    priority: int
    candidate: str
    feedback: Callable[[WrongDerivative], str]
    evidence_against: tuple[Skill, ...]
    local_slip: bool = False


RECORDS: dict[Misconception, MisconceptionRecord] = {record.name: record for record in (
    MisconceptionRecord(
        Misconception.MISSING_INNER_DERIVATIVE, "f'(g(x)) with the inner factor g'(x) left out",
        "Inner derivative left out", 1, "Dₙ alone: the outer derivative at the inner function",
        _missing_inner, (Skill.INNER_DERIVATIVE,)),
    MisconceptionRecord(
        Misconception.MISSING_LINK, "in a chain of three or more functions, one local derivative left out",
        "A link of a long chain left out", 2, "the product D₁·…·Dₙ with one Dᵢ left out (n ≥ 3)",
        _missing_link, (Skill.LONG_CHAINS,)),
    MisconceptionRecord(
        Misconception.OUTER_NOT_AT_INNER, "f'(x)·g'(x): the outer derivative taken at x instead of at g(x)",
        "Outer derivative taken at x", 3, "one Dᵢ taken at the variable instead of at its input, times the rest",
        _outer_not_at_inner, (Skill.OUTER_DERIVATIVE,), local_slip=True),
    MisconceptionRecord(
        Misconception.POWER_RULE_EXPONENT, "n·u^n·u': the exponent not lowered",
        "Power rule exponent not lowered", 4, "n·uⁿ in place of n·uⁿ⁻¹ in some Dᵢ",
        _power_rule, (Skill.OUTER_DERIVATIVE,), local_slip=True),
    MisconceptionRecord(
        Misconception.COMPOSED_DERIVATIVES, "f'(g'(x)): the outer derivative applied to the inner derivative",
        "Derivatives composed, not multiplied", 5, "the outer derivative evaluated at the inner derivative",
        _composed, (Skill.MULTIPLY_FACTORS,)),
    MisconceptionRecord(
        Misconception.ADDED_INSTEAD_OF_MULTIPLIED, "f'(g(x)) + g'(x): the local derivatives added, not multiplied",
        "Local derivatives added", 6, "D₁ + … + Dₙ", _added, (Skill.MULTIPLY_FACTORS,)),
    MisconceptionRecord(
        Misconception.SIGN_ERROR, "the right magnitude with the wrong sign", "Sign error", 7,
        "−(D₁·…·Dₙ), or one Dᵢ negated", _sign,
        (Skill.OUTER_DERIVATIVE, Skill.INNER_DERIVATIVE), local_slip=True),
)}

# The contract's vocabulary, ``{name: description}``, most specific first.
MISCONCEPTIONS: dict[str, str] = {
    record.name.value: record.description for record in sorted(RECORDS.values(), key=lambda r: r.priority)}
# Misconception names from the most specific to the least; None (a slip
# outside the vocabulary) last.
PRIORITY: tuple[Misconception | None, ...] = (*(Misconception(name) for name in MISCONCEPTIONS), None)


def rank(name: Misconception | str | None) -> int:
    """Where ``name`` sorts among competing diagnoses (lower wins; None last).

    >>> rank("missing_inner_derivative") < rank("sign_error") < rank(None)
    True
    """
    return len(RECORDS) + 1 if name is None else RECORDS[Misconception(name)].priority


def evidence_against(name: Misconception | str | None, step_skills: Sequence[str],
                     local_step: bool) -> tuple[str, ...]:
    """The skills a wrong answer is evidence against.

    A recognised misconception names its own skills (``local_slip`` ones
    fall on the step's own skill when the step asks for one local
    derivative); a wrong answer no misconception explains counts against
    the step's own (main) skill.

    >>> evidence_against("missing_inner_derivative", ["multiply_factors"], local_step=False)
    ('inner_derivative',)
    >>> evidence_against("sign_error", ["inner_derivative"], local_step=True)
    ('inner_derivative',)
    >>> evidence_against(None, ["identify_functions", "long_chains"], local_step=False)
    ('identify_functions',)
    """
    if name is None:
        return tuple(step_skills[:1])
    record = RECORDS[Misconception(name)]
    if record.local_slip and local_step and step_skills:
        return (step_skills[0],)
    return tuple(skill.value for skill in record.evidence_against)


def label(name: str | None) -> str:
    """A teacher's name for a misconception (the raw name when it is not in the vocabulary).

    >>> label("sign_error"), label(None)
    ('Sign error', 'Not recognised')
    """
    if name is None:
        return "Not recognised"
    try:
        return RECORDS[Misconception(name)].label
    except ValueError:
        return name


__all__ = [
    "MISCONCEPTIONS", "PRIORITY", "RECORDS", "Misconception", "MisconceptionRecord", "WrongDerivative",
    "evidence_against", "label", "rank", "unlowered_power_derivative",
]
