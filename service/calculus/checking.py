"""Checking a learner's answer: the final derivative, or one step of the chain.

An answer is right when it is the same function as the expected one (see
``equivalence.py``: numeric sampling, then a cheap symbolic check), whatever
its form. A wrong answer is compared with the wrong derivatives each
misconception would produce (``misconceptions.py``), built from the problem's
own decomposition, and the feedback names the factor to fix.

Steps are named as the lesson names them: a link's function by its letter
(``u``), a local derivative by its Leibniz name (``dy/du``), the final
derivative ``dy/dx``; ``inner`` and ``outer`` for a two-link chain. A step may
be written in its input or in the variable: for ``sin((3x)²)``, ``u`` accepts
``v²``, ``(3x)²`` and ``9x²``, and ``dy/du`` accepts ``cos u`` and ``cos(9x²)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import sympy as sp

from .chain import decompose
from .derivation import Derivation
from .equivalence import Comparison, compare, compare_derivative
from .errors import ExpressionError
from .feedback import misconception_feedback
from .candidates import wrong_derivatives, wrong_local_derivatives
from .misconceptions import WrongDerivative
from .parsing import parse_expression
from .functions import sigmoid
from .printing import to_sympy_text, to_text
from .recut import chain_through
from .step_targets import StepTarget, TargetKind, step_targets


@dataclass(frozen=True)
class Verdict:
    """What the tutor makes of an answer.

    ``misconception`` is a name from :data:`MISCONCEPTIONS` or None;
    ``feedback`` is one or two sentences for the learner; ``expected`` (the
    right expression, a sympy string) is for logs and instructors, and not
    shown to learners unless asked for.
    """

    correct: bool
    misconception: str | None
    feedback: str
    expected: str | None = None

    def to_dict(self, include_expected: bool = False) -> dict[str, object]:
        """The contract's ``{"correct", "misconception", "feedback"}``, plus ``expected`` on request.

        >>> Verdict(True, None, "Right.", "2").to_dict()
        {'correct': True, 'misconception': None, 'feedback': 'Right.'}
        """
        shown: dict[str, object] = {
            "correct": self.correct, "misconception": self.misconception, "feedback": self.feedback,
        }
        if include_expected:
            shown["expected"] = self.expected
        return shown


# A name: a letter, then letters, digits or underscores (``x``, ``w1``, ``θ``).
_NAME = r"[^\W\d]\w*"
# A tag such as ``dy/dx =``, ``y' =``, ``f(x) =`` or ``u =`` in front of an answer.
_TAG = re.compile(rf"^\s*(?:d\s*(?:{_NAME})?\s*/\s*d\s*{_NAME}|{_NAME}\s*'?(?:\(\s*{_NAME}\s*\))?)\s*=(?!=)")


def _parse(text: str | sp.Expr, variable: str, where: str) -> sp.Expr:
    """Parse ``text``, saying in the error whether the problem or the answer is wrong."""
    if isinstance(text, sp.Basic):
        return text
    try:
        return parse_expression(text, variable)
    except ExpressionError as error:
        # type(error): a too costly expression stays ExpressionTooCostly.
        raise type(error)(error.message, error.position, location=where) from error


def _parse_answer(answer: str, variable: str) -> sp.Expr:
    """The answer's expression, without a leading tag (``dy/dx = ...``)."""
    tag = _TAG.match(answer) if isinstance(answer, str) else None
    if tag is not None and answer[tag.end():].strip():
        # The position must stay an index into what the learner typed.
        try:
            return parse_expression(answer[tag.end():], variable)
        except ExpressionError as error:
            position = None if error.position is None else error.position + tag.end()
            raise type(error)(error.message, position, location="your answer") from error
    return _parse(answer, variable, "your answer")


def _symbol(variable: str | None, problem: sp.Expr) -> sp.Symbol:
    """The variable to differentiate by; with none given, the problem's only symbol, else x."""
    if variable is None:
        symbols = problem.free_symbols
        return next(iter(symbols)) if len(symbols) == 1 else sp.Symbol("x")
    if not isinstance(variable, str) or not re.fullmatch(_NAME, variable):
        raise ExpressionError(f"in the problem: '{variable}' is not a variable name")
    return sp.Symbol(variable)


def _in_variable(answer: sp.Expr, target: StepTarget) -> sp.Expr:
    """Replace the link letters this step may be written in by what they stand for."""
    names = {str(symbol): value for symbol, value in target.substitutions.items()}
    mapping = {symbol: names[symbol.name] for symbol in answer.free_symbols if symbol.name in names}
    return answer.xreplace(mapping) if mapping else answer


def _recognise(comparison: Comparison, candidates: list[WrongDerivative]) -> WrongDerivative | None:
    for wrong in candidates:
        if comparison.matches(wrong.derivative):
            return wrong
    return None


def _judge(problem: sp.Expr, analysis: _Analysis, target: StepTarget, answer: sp.Expr) -> Verdict:
    """The verdict on ``answer`` for one step (the final derivative is a step too)."""
    targets = analysis.targets
    rewritten = _in_variable(answer, target)
    if target.kind is TargetKind.FINAL:
        # Against the problem itself, not the printed derivative: one source of truth.
        comparison = compare_derivative(problem, target.variable, rewritten)
    else:
        comparison = compare(target.expected, rewritten, domain=(problem,))
    expected = to_sympy_text(target.expected)
    if comparison.equal:
        return Verdict(True, None, f"Right: {target.shown()}.", expected)
    wrong = _recognise(comparison, analysis.candidates(target))
    if wrong is not None:
        # The contract's plain string, not the enum member (it is serialised and stored).
        name = None if wrong.misconception is None else wrong.misconception.value
        return Verdict(False, name, misconception_feedback(wrong), expected)
    return Verdict(False, None, _unrecognised(problem, targets, target, answer, comparison), expected)


def _right_at_once(problem: sp.Expr, variable: sp.Symbol, answer: sp.Expr) -> Verdict | None:
    """The verdict on a right final answer, found without decomposing the problem.

    Decomposing costs several milliseconds on a cold sympy cache; a right
    answer needs only the derivative's values, which ``compare_derivative``
    gets by automatic differentiation. The answer is echoed in Unicode maths.
    """
    if not compare_derivative(problem, variable, answer).equal:
        return None
    # Printed as typed: evaluating the learner's tree would cost more than the check.
    shown = to_text(answer)
    if "y" in {s.name for s in problem.free_symbols} | {variable.name}:
        return Verdict(True, None, f"Right: the derivative by {variable} is {shown}.", to_sympy_text(answer))
    return Verdict(True, None, f"Right: dy/d{variable} = {shown}.", to_sympy_text(answer))


def _candidates(tree: Derivation, target: StepTarget) -> tuple[WrongDerivative, ...]:
    if target.kind is TargetKind.FINAL:
        return tuple(wrong_derivatives(tree))
    if target.kind is TargetKind.LOCAL:
        return tuple(wrong_local_derivatives(target.chain, target.index))
    return ()


@dataclass(frozen=True)
class _Analysis:
    """A problem's derivation tree and checkable steps, shared by every answer to it.

    Cached per problem (:func:`_analyse`): a tutor checks several answers on
    one problem, and decomposing it again for each costs more than the check.
    Nothing here is ever mutated: sympy expressions and the frozen tree are
    immutable, the targets are a read-only mapping, and the misconception
    candidates of a step (found on its first wrong answer) are kept as tuples.
    """

    tree: Derivation
    targets: Mapping[str, StepTarget]
    _candidates: dict[str, tuple[WrongDerivative, ...]] = field(default_factory=dict, compare=False)

    def candidates(self, target: StepTarget) -> tuple[WrongDerivative, ...]:
        """The wrong answers of ``target``'s misconceptions, most specific first."""
        found = self._candidates.get(target.name)
        if found is None:
            # Two threads may both compute it; they store equal tuples.
            found = self._candidates.setdefault(target.name, _candidates(self.tree, target))
        return found


# Keyed by the problem as stored (a string and a variable name), so a
# conversation's turns all hit; bounded, as a server sees many problems.
@lru_cache(maxsize=512)
def _read_problem(problem: str, variable: str | None) -> tuple[sp.Expr, sp.Symbol]:
    """The parsed problem and its variable (a bad one raises, and is not cached)."""
    expr = _parse(problem, variable, "the problem")
    return expr, _symbol(variable, expr)


@lru_cache(maxsize=512)
def _analyse(expr: sp.Expr, symbol: sp.Symbol) -> _Analysis:
    """Decompose the problem and name its steps, once per problem."""
    tree = decompose(expr, symbol)
    return _Analysis(tree, MappingProxyType(step_targets(tree)))


@lru_cache(maxsize=512)
def _analyse_cut(expr: sp.Expr, symbol: sp.Symbol, cuts: tuple[tuple[str, str], ...]) -> _Analysis:
    """The steps of the problem's chain cut where a learner cut it (see ``recut.py``)."""
    try:
        values = tuple((name, sp.sympify(value, locals={"sigmoid": sigmoid})) for name, value in cuts)
    except (sp.SympifyError, TypeError) as error:
        raise ExpressionError(f"the chain's links are not readable: {error}", location="the problem") from error
    chain = chain_through(expr, symbol, values)
    if chain is None:
        names = ", ".join(f"{name} = {value}" for name, value in cuts)
        raise ExpressionError(f"{names} does not cut this problem into a chain", location="the problem")
    return _Analysis(chain, MappingProxyType(step_targets(chain)))


def _analysis(expr: sp.Expr, symbol: sp.Symbol, cuts: Sequence[tuple[str, str]]) -> _Analysis:
    return _analyse_cut(expr, symbol, tuple(map(tuple, cuts))) if cuts else _analyse(expr, symbol)


def _other_step(targets: Mapping[str, StepTarget], target: StepTarget, answer: sp.Expr,
                comparison: Comparison) -> str | None:
    """The name of another step the answer is right for (``du/dx`` given for ``dy/du``)."""
    seen = {id(target)}
    for name, other in targets.items():
        if id(other) in seen or other.expected == target.expected:
            continue
        seen.add(id(other))
        if comparison.agree(other.expected, _in_variable(answer, other)):
            return name
    return None


def _letters_for(target: StepTarget) -> str:
    """What an answer to ``target`` may be written in: its link's input, or the variable.

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> _letters_for(StepTarget(TargetKind.FINAL, "dy/dx", x, x))
    'x'
    """
    link = target.link
    source = target.bottom_input if target.kind is TargetKind.SPAN else link.input if link else None
    if source is None or source == target.variable:
        return str(target.variable)
    return f"{source} or in {target.variable}"


def _unrecognised(problem: sp.Expr, targets: Mapping[str, StepTarget], target: StepTarget,
                  answer: sp.Expr, comparison: Comparison) -> str:
    """Feedback for a wrong answer no misconception explains."""
    if target.kind is TargetKind.FINAL and comparison.matches(problem):
        return "That is the function itself: now differentiate it."
    other = _other_step(targets, target, answer, comparison)
    if other is not None:
        said = targets[other].describe(other, reveal=True)
        return f"That is {said}; this step asks for {target.describe()}."
    strangers = sorted(str(s) for s in answer.free_symbols - target.allowed_symbols(problem))
    if strangers:
        verb = "is" if len(strangers) == 1 else "are"
        return (f"Not quite: {', '.join(strangers)} {verb} not part of this step; "
                f"write it in {_letters_for(target)}.")
    return "Not quite. " + target.hint()


def check_answer(problem: str | sp.Expr, answer: str, variable: str | None = "x") -> Verdict:
    """Is ``answer`` the derivative of ``problem`` by ``variable``?

    Any equivalent form is right. A wrong answer gets the name of the
    misconception that explains it, if one does, and feedback naming the
    missing or wrong factor. Bad text raises :class:`ExpressionError` saying
    whether the problem or the answer is at fault.

    >>> verdict = check_answer("(2x+1)^3", "3(2x+1)^2")
    >>> verdict.correct, verdict.misconception
    (False, 'missing_inner_derivative')
    >>> check_answer("(2x+1)^3", "24x^2 + 24x + 6").correct
    True
    """
    return check_step(problem, "dy/dx", answer, variable)


def check_step(problem: str | sp.Expr, step: str, answer: str, variable: str | None = "x",
               cuts: Sequence[tuple[str, str]] = ()) -> Verdict:
    """Check one step of the chain: ``u``, ``du/dx``, ``dy/du``, ``inner``, ``outer`` or ``dy/dx``.

    A function or a local derivative may be written in its input or in the
    variable. An unknown step raises :class:`ExpressionError` listing the
    steps of this problem. ``cuts`` (letter, sympy string in the variable;
    innermost first) checks against the chain cut there instead of the
    core's own (see ``recut.py``).

    >>> check_step("sin((3x)^2)", "u", "9x^2").correct
    True
    >>> check_step("(2x+1)^3", "dy/du", "3u^3").misconception
    'power_rule_exponent'
    """
    if isinstance(problem, str) and (variable is None or isinstance(variable, str)):
        expr, symbol = _read_problem(problem, variable)
    else:
        expr = _parse(problem, variable, "the problem")
        symbol = _symbol(variable, expr)
    key = re.sub(r"\s+", "", step) if isinstance(step, str) else ""
    if key.lower() in ("inner", "outer"):
        key = key.lower()
    answer_expr = _parse_answer(answer, symbol.name)
    if key == "dy/dx":
        verdict = _right_at_once(expr, symbol, answer_expr)
        if verdict is not None:
            return verdict
    analysis = _analysis(expr, symbol, cuts)
    target = analysis.targets.get(key)
    if target is None:
        names = ", ".join(analysis.targets)
        raise ExpressionError(f"unknown step '{step}': the steps of this problem are {names}")
    return _judge(expr, analysis, target, answer_expr)


def possible_misconceptions(problem: str, step: str = "dy/dx", variable: str | None = "x",
                            cuts: Sequence[tuple[str, str]] = ()) -> frozenset[str]:
    """The misconceptions that could show in an answer to ``step`` of ``problem``.

    Those for which the core builds a candidate wrong answer; a right answer
    there is evidence against each of them. Cached with the problem's
    analysis; an unknown step or a bad problem raises :class:`ExpressionError`.

    >>> sorted(possible_misconceptions("(2x+1)^3", "dy/du"))
    ['outer_not_at_inner', 'power_rule_exponent', 'sign_error']
    """
    expr, symbol = _read_problem(problem, variable)
    analysis = _analysis(expr, symbol, cuts)
    target = analysis.targets.get(re.sub(r"\s+", "", step))
    if target is None:
        raise ExpressionError(f"unknown step '{step}': the steps of this problem are {', '.join(analysis.targets)}")
    return frozenset(wrong.misconception.value for wrong in analysis.candidates(target)
                     if wrong.misconception is not None)


__all__ = ["Verdict", "check_answer", "check_step", "possible_misconceptions"]
