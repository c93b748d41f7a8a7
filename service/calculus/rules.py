"""What kind of expression a node is, and which rule differentiates it.

The decomposer (``chain.py``) reads expressions through three questions
asked of a node and a variable:

* :func:`is_elementary` -- built from sums, products, constants, the
  variable and constant powers of it (``2x + 1``, ``-x²``, ``w·x``, ``x⁵``):
  the innermost link of a chain, differentiated by the power and sum rules;
* :func:`is_application` -- one function applied to something that depends
  on the variable (``sin(A)``, ``A³`` with ``A`` not the variable itself,
  ``2^A``): a link of a chain;
* :func:`strip_affine` -- the node under constant additive and multiplicative
  wraps (``3·sin(x²) + 1`` is a wrap of ``sin(x²)``).

:func:`rule_for_link` and :func:`rule_for_derivation` then name the rule
behind each local derivative, as the lesson does ("power rule",
"exponential rule", ...).
"""

from __future__ import annotations

import sympy as sp

from .derivation import (
    ChainRule, ConstantMultiple, Derivation, Elementary, GeneralPower,
    ProductRule, QuotientRule, Rule, SumRule,
)
from .functions import sigmoid

# Function classes grouped by the rule that differentiates them.
_FUNCTION_RULES: tuple[tuple[tuple[type, ...], Rule], ...] = (
    ((sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc), Rule.TRIG),
    ((sp.asin, sp.acos, sp.atan, sp.acot, sp.asec, sp.acsc), Rule.INVERSE_TRIG),
    ((sp.sinh, sp.cosh, sp.tanh, sp.coth, sp.sech, sp.csch), Rule.HYPERBOLIC),
    ((sp.asinh, sp.acosh, sp.atanh, sp.acoth, sp.asech, sp.acsch), Rule.INVERSE_HYPERBOLIC),
    ((sp.exp,), Rule.EXPONENTIAL),
    ((sp.log,), Rule.LOGARITHM),
    ((sigmoid,), Rule.SIGMOID),
    ((sp.Abs,), Rule.ABSOLUTE),
)

# Activation functions of machine learning: their links are named a (and
# the link feeding them z), as ML texts do.
ACTIVATIONS: tuple[type, ...] = (sigmoid, sp.tanh)


def depends(expr: sp.Basic, variable: sp.Symbol) -> bool:
    """Whether ``expr`` contains ``variable``.

    >>> x, w = sp.symbols("x w")
    >>> depends(w * x, x), depends(w, x)
    (True, False)
    """
    return variable in expr.free_symbols


def is_exp(expr: sp.Basic) -> bool:
    """Whether ``expr`` is ``e^A`` (an unevaluated ``E**A`` counts too)."""
    return isinstance(expr, sp.exp) or (expr.is_Pow and expr.base is sp.E)


def is_elementary(expr: sp.Basic, variable: sp.Symbol) -> bool:
    """Whether ``expr`` is a polynomial-like term: no function of the variable.

    >>> x, w = sp.symbols("x w")
    >>> is_elementary(2*x + 1, x), is_elementary(w*x**5, x)
    (True, True)
    >>> is_elementary(sp.Pow(sp.Mul(3, x, evaluate=False), 2, evaluate=False), x)
    False
    """
    if not depends(expr, variable) or expr == variable:
        return True
    if expr.is_Add or expr.is_Mul:
        return all(is_elementary(arg, variable) for arg in expr.args)
    if expr.is_Pow and not is_exp(expr):
        return expr.base == variable and not depends(expr.exp, variable)
    return False


def applied_argument(expr: sp.Basic, variable: sp.Symbol) -> sp.Expr | None:
    """The argument ``A`` when ``expr`` is one function applied to ``A``.

    ``sin(A)``, ``A^n`` (``A`` not the variable itself: ``x⁵`` is elementary)
    and ``a^A`` are applications; sums, products and ``f^g`` are not.

    >>> x = sp.Symbol("x")
    >>> applied_argument(sp.sin(x**2), x)
    x**2
    >>> applied_argument(x**5, x) is None
    True
    """
    if not depends(expr, variable):
        return None
    if expr.is_Pow:
        base, exponent = expr.args
        if is_exp(expr):
            return exponent
        if not depends(exponent, variable):
            return None if base == variable else base
        return exponent if not depends(base, variable) else None
    if isinstance(expr, sp.Function) and len(expr.args) == 1:
        return expr.args[0]
    return None


def is_application(expr: sp.Basic, variable: sp.Symbol) -> bool:
    """Whether ``expr`` is one function applied to something in the variable."""
    return applied_argument(expr, variable) is not None


def strip_affine(expr: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """The node under constant wraps: the one term or factor that depends.

    >>> x = sp.Symbol("x")
    >>> strip_affine(3*sp.sin(x**2) + 1, x)
    sin(x**2)
    """
    while expr.is_Add or expr.is_Mul:
        dependent = [arg for arg in expr.args if depends(arg, variable)]
        if len(dependent) != 1:
            break
        expr = dependent[0]
    return expr


def function_of(expr: sp.Expr, variable: sp.Symbol) -> type | None:
    """The outer function class of an application, under its wraps."""
    core = strip_affine(expr, variable)
    if is_exp(core):
        return sp.exp
    return type(core) if is_application(core, variable) else None


def rule_for_elementary(expr: sp.Expr, variable: sp.Symbol) -> Rule:
    """The rule for an elementary expression (constant, linear, power, polynomial).

    >>> x = sp.Symbol("x")
    >>> [rule_for_elementary(e, x).name for e in (sp.Integer(4), 2*x + 1, -x**2, sp.sqrt(x), x**2 + x)]
    ['CONSTANT', 'LINEAR', 'POWER', 'ROOT', 'POLYNOMIAL']
    """
    if not depends(expr, variable):
        return Rule.CONSTANT
    exponents = set()
    for term in sp.Add.make_args(sp.expand(expr)):
        if depends(term, variable):
            exponents.add(term.as_coeff_exponent(variable)[1])
    if exponents == {sp.Integer(1)}:
        return Rule.LINEAR
    if len(exponents) != 1:
        return Rule.POLYNOMIAL
    (exponent,) = exponents
    return Rule.POWER if exponent.is_integer else Rule.ROOT


def rule_for_link(expression: sp.Expr, input: sp.Symbol) -> Rule:
    """The rule giving a link's local derivative, from its outer function.

    ``expression`` is the link written in its ``input``:

    >>> u = sp.Symbol("u")
    >>> rule_for_link(6*u**2, u), rule_for_link(sp.exp(u), u), rule_for_link(2**u, u)
    (<Rule.POWER: 'power rule'>, <Rule.EXPONENTIAL: 'exponential rule'>, <Rule.GENERAL_EXPONENTIAL: 'exponential rule for a^u'>)
    """
    core = strip_affine(expression, input)
    if not is_application(core, input):
        return rule_for_elementary(expression, input)
    if core.is_Pow and not is_exp(core):
        if depends(core.exp, input):
            return Rule.GENERAL_EXPONENTIAL
        return Rule.POWER if core.exp.is_integer else Rule.ROOT
    function = function_of(core, input)
    for classes, rule in _FUNCTION_RULES:
        if function in classes:
            return rule
    return Rule.CHAIN


def rule_for_derivation(node: Derivation) -> Rule:
    """The rule a node of the derivation tree applies at its top."""
    if isinstance(node, Elementary):
        return node.rule
    if isinstance(node, ConstantMultiple) and node.inner is not None:
        return rule_for_derivation(node.inner)
    kinds: tuple[tuple[type, Rule], ...] = (
        (SumRule, Rule.SUM), (ProductRule, Rule.PRODUCT), (QuotientRule, Rule.QUOTIENT),
        (GeneralPower, Rule.GENERAL_POWER), (ChainRule, Rule.CHAIN),
    )
    for kind, rule in kinds:
        if isinstance(node, kind):
            return rule
    return Rule.CHAIN


def differentiate(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """``d expr / d symbol`` by the textbook rules, written the textbook way.

    sympy's ``diff`` differentiates ``b^n`` as ``b^n (n'·ln b + n·b'/b)`` and
    pays for building that logarithm and cancelling it; on a cold cache that is
    most of the cost of a worked solution. This walks the same rules directly
    (power, exponential, each function's own ``fdiff``, sum and product) and
    leaves anything else to ``diff``. Solutions are still checked against
    ``diff`` (``solution.py``).

    >>> u, x = sp.symbols("u x")
    >>> differentiate(u**3, u), differentiate(sp.sin(3*x**2 + 1), x)
    (3*u**2, 6*x*cos(3*x**2 + 1))
    """
    if not depends(expr, symbol):
        return sp.Integer(0)
    if expr == symbol:
        return sp.Integer(1)
    if expr.is_Add:
        return sp.Add(*(differentiate(term, symbol) for term in expr.args))
    if expr.is_Mul:
        constant = [f for f in expr.args if not depends(f, symbol)]
        factors = [f for f in expr.args if depends(f, symbol)]
        terms = (
            sp.Mul(differentiate(factor, symbol), *factors[:i], *factors[i + 1:])
            for i, factor in enumerate(factors)
        )
        return sp.Mul(*constant, sp.Add(*terms))
    if expr.is_Pow and not is_exp(expr):
        base, exponent = expr.args
        if not depends(exponent, symbol):
            return exponent * base ** (exponent - 1) * differentiate(base, symbol)
        if not depends(base, symbol):
            return expr * sp.log(base) * differentiate(exponent, symbol)
    elif isinstance(expr, sp.Function) and len(expr.args) == 1:
        argument = expr.args[0]
        return expr.fdiff(1) * differentiate(argument, symbol)
    return sp.diff(expr, symbol)


def is_activation(expression: sp.Expr, input: sp.Symbol) -> bool:
    """Whether a link applies an ML activation (sigmoid, tanh)."""
    return function_of(expression, input) in ACTIVATIONS


def is_loss_like(expression: sp.Expr, input: sp.Symbol) -> bool:
    """Whether a link is a power or a logarithm, as losses are (``(a − y)²``)."""
    core = strip_affine(expression, input)
    if isinstance(core, sp.log):
        return True
    return bool(core.is_Pow and not is_exp(core) and not depends(core.exp, input))


__all__ = [
    "ACTIVATIONS", "depends", "is_exp", "is_elementary", "applied_argument", "is_application",
    "strip_affine", "function_of", "differentiate", "rule_for_elementary", "rule_for_link", "rule_for_derivation",
    "is_activation", "is_loss_like",
]
