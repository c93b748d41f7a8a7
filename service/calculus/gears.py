"""The lesson's gear view: every local derivative at one point, multiplied.

"If u turns twice as fast as x (du/dx = 2), and y turns three times as fast
as u (dy/du = 3), then y turns six times as fast as x (dy/dx = 6)." The
point is the first of a few simple values where every local derivative is
real, finite and (if possible) not zero; other symbols get simple values of
their own. Values are exact when they are rational, otherwise floats to four
significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .derivation import ChainRule
from .printing import to_text

# Values tried for the variable, simplest first; other symbols are held at OTHER_VALUE.
CANDIDATES: tuple[sp.Rational, ...] = tuple(
    sp.Rational(v) for v in ("1", "1/2", "2", "1/3", "3/2", "-1", "1/4", "3", "-1/2", "1/5")
)
OTHER_VALUE = sp.Integer(1)
SIGNIFICANT_DIGITS = 4


@dataclass(frozen=True)
class Gear:
    """One local derivative at the point: ``du/dx = 2``."""

    leibniz: str
    value: sp.Expr


@dataclass(frozen=True)
class GearView:
    """The local derivatives at ``point``, outermost first, and their product."""

    point: dict[sp.Symbol, sp.Rational]
    output: sp.Symbol
    variable: sp.Symbol
    gears: tuple[Gear, ...]
    product: sp.Expr

    @property
    def text(self) -> str:
        """``At x = 1: dy/du = 27, du/dx = 2, so dy/dx = 27 × 2 = 54.``"""
        at = ", ".join(f"{symbol} = {to_text(value)}" for symbol, value in self.point.items())
        factors = ", ".join(f"{gear.leibniz} = {show(gear.value)}" for gear in self.gears)
        times = " × ".join(_factor(gear.value) for gear in self.gears)
        final = f"d{self.output}/d{self.variable}"
        if len(self.gears) == 1:
            return f"At {at}: {final} = {show(self.product)}."
        return f"At {at}: {factors}, so {final} = {times} = {show(self.product)}."

    def to_dict(self) -> dict[str, object]:
        return {
            "point": {str(symbol): str(value) for symbol, value in self.point.items()},
            "factors": [{"leibniz": gear.leibniz, "value": show(gear.value)} for gear in self.gears],
            "product": show(self.product),
            "text": self.text,
        }


def show(value: sp.Expr) -> str:
    """A gear value as text: exact when rational, else 4 significant digits.

    >>> show(sp.Rational(27)), show(sp.cos(9))
    ('27', '−0.9111')
    """
    if value.is_Rational:
        return to_text(value)
    return f"{float(value):.{SIGNIFICANT_DIGITS}g}".replace("-", "−")


def _factor(value: sp.Expr) -> str:
    text = show(value)
    return f"({text})" if text.startswith("−") else text


# A periodic function's argument past this size is no "simple point" to show; and evaluating it
# makes mpmath reduce the argument by pi at a precision that grows with its magnitude (hours for
# sec of 2 to a power of size 10^12, found by tests/unit/test_hostile_input.py).
_PERIODIC = (sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot)
_LARGEST_PERIODIC_ARGUMENT = 1e6


def _value(expr: sp.Expr, point: dict[sp.Symbol, sp.Rational]) -> sp.Expr | None:
    """``expr`` at ``point``: a rational, a real Float, or None if not real and finite."""
    value = expr.xreplace(point)
    if value.is_Rational:
        return value
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not value.is_number or _huge_periodic_argument(value):
        return None
    try:
        number = complex(value.evalf(15))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if abs(number.imag) > 1e-12 * max(1.0, abs(number.real)) or number.real != number.real \
            or abs(number.real) == float("inf"):
        return None
    return sp.Float(number.real, 15)


def _huge_periodic_argument(value: sp.Expr) -> bool:
    """Whether a trigonometric function in ``value`` has an argument too large to evaluate quickly.

    Innermost first, so that each argument checked holds only periodic
    functions of small arguments.
    """
    for node in sp.postorder_traversal(value):
        if isinstance(node, _PERIODIC):
            try:
                size = abs(complex(node.args[0].evalf(15)))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return True
            if not size < _LARGEST_PERIODIC_ARGUMENT:  # NaN too
                return True
    return False


def _points(chain: ChainRule):
    others = sorted((s for s in chain.expression.free_symbols if s != chain.variable), key=str)
    fixed = {symbol: OTHER_VALUE for symbol in others}
    for candidate in CANDIDATES:
        yield {chain.variable: candidate, **fixed}


def gear_view(chain: ChainRule) -> GearView | None:
    """The chain's local derivatives at a simple point, and their product.

    None when no candidate point makes every local derivative real and finite.

    >>> x = sp.Symbol("x")
    >>> from .chain import decompose
    >>> gear_view(decompose(sp.Pow(2*x + 1, 3, evaluate=False), x)).text
    'At x = 1: dy/du = 27, du/dx = 2, so dy/dx = 27 × 2 = 54.'
    """
    fallback: GearView | None = None
    for point in _points(chain):
        values = [_value(link.derivative_in_variable, point) for link in reversed(chain.links)]
        if any(value is None for value in values):
            continue
        product = sp.Mul(*values)
        gears = tuple(Gear(link.leibniz, value) for link, value in zip(reversed(chain.links), values))
        view = GearView(point, chain.links[-1].name, chain.variable, gears, product)
        # A zero gear stops the machine: prefer a point where every one turns.
        if all(value != 0 for value in values):
            return view
        fallback = fallback or view
    return fallback


__all__ = ["Gear", "GearView", "gear_view", "show"]
