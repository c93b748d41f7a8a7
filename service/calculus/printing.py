"""Printers: Unicode text as a textbook writes it, LaTeX and presentation MathML.

The text printer writes implicit multiplication the way the lesson does
(``6(2x + 1)²``, ``18x·cos(9x²)``, ``σ(z)(1 − σ(z))``), superscripts for
integer exponents, ``√`` for square roots, ``ln`` for the natural log and
``σ`` for the sigmoid. A product that was built unevaluated (by the tidy in
``tidy.py``) keeps the order of its factors; an evaluated one is ordered
number, monomials, functions, bracketed sums.

>>> x = sp.Symbol("x")
>>> to_text(6*(2*x + 1)**2)
'6(2x + 1)²'
>>> to_text(-2*x*sp.exp(-x**2))
'−2x·e^(−x²)'
"""

from __future__ import annotations

from enum import IntEnum
from functools import cmp_to_key, lru_cache

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.mathml import MathMLPresentationPrinter

from .functions import sigmoid

MINUS = "−"  # U+2212, the minus sign of typeset maths

_SUPERSCRIPTS = str.maketrans(
    "0123456789-+()=abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾⁼ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
)
_SUPERSCRIPTABLE = set("0123456789-abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

# Printed names of functions whose sympy name differs from the textbook's.
_NAMES: dict[type, str] = {
    sp.log: "ln", sigmoid: "σ",
    sp.asin: "arcsin", sp.acos: "arccos", sp.atan: "arctan",
    sp.acot: "arccot", sp.asec: "arcsec", sp.acsc: "arccsc",
    sp.asinh: "arsinh", sp.acosh: "arcosh", sp.atanh: "artanh",
}
# sin²(x) is how texts write a power of these; others get σ(z)².
_POWER_BEFORE_ARGUMENT = (
    sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.sinh, sp.cosh, sp.tanh,
    sp.coth, sp.sech, sp.csch,
)


class Kind(IntEnum):
    """What a factor of a product looks like; evaluated products print in this order."""

    NUMBER = 0
    MONOMIAL = 1   # x, x², w
    FUNCTION = 2   # sin(x), eˣ, √x
    GROUP = 3      # (2x + 1), (a − y)²
    OTHER = 4


def _is_exp(expr: sp.Basic) -> bool:
    return isinstance(expr, sp.exp) or (expr.is_Pow and expr.base is sp.E)


def kind_of(factor: sp.Expr) -> Kind:
    """How a factor prints inside a product (see :class:`Kind`)."""
    if factor.is_Number:
        return Kind.NUMBER
    # π and e sit with the letters after the coefficient: 2πx.
    if factor.is_Symbol or factor.is_NumberSymbol:
        return Kind.MONOMIAL
    if _is_exp(factor) or isinstance(factor, sp.Function):
        return Kind.FUNCTION
    if factor.is_Pow:
        if factor.exp == sp.Rational(1, 2):
            return Kind.FUNCTION
        return Kind.GROUP if factor.base.is_Add else kind_of(factor.base)
    return Kind.GROUP if factor.is_Add else Kind.OTHER


_CANONICAL = cmp_to_key(sp.Basic.compare)


def is_kept_order(expr: sp.Mul) -> bool:
    """Whether a product was built unevaluated on purpose (its order is kept).

    sympy sorts an evaluated product's factors canonically; any other order
    was chosen (by ``tidy.py``). Rebuilding the product to compare would cost
    far more on a cold cache than this sort.
    """
    args = list(expr.args)
    return args != sorted(args, key=_CANONICAL)


def superscript(text: str) -> str | None:
    """``text`` in superscript characters, or None when one has none.

    >>> superscript("-2"), superscript("u"), superscript("q")
    ('⁻²', 'ᵘ', None)
    """
    if not text or not set(text) <= _SUPERSCRIPTABLE:
        return None
    return text.translate(_SUPERSCRIPTS)


class TextPrinter:
    """Prints sympy expressions as Unicode maths (see the module docstring)."""

    def doprint(self, expr: sp.Basic) -> str:
        return self.print(sp.sympify(expr))

    def print(self, expr: sp.Basic) -> str:
        if expr.is_Add:
            return self.add(expr)
        if expr.is_Mul:
            return self.mul(expr)
        if expr.is_Pow or isinstance(expr, sp.exp):
            return self.power(expr)
        if isinstance(expr, sp.Abs):
            return f"|{self.print(expr.args[0])}|"
        if isinstance(expr, sp.Function):
            return self.function(expr)
        return self.atom(expr)

    def atom(self, expr: sp.Basic) -> str:
        if expr is sp.E:
            return "e"
        if expr is sp.pi:
            return "π"
        if expr is sp.oo:
            return "∞"
        if expr is sp.I:
            return "i"
        if expr.is_Symbol:
            name = expr.name
            stem = name.rstrip("0123456789")
            return stem + name[len(stem):].translate(_SUBSCRIPTS) if stem else name
        if expr.is_Float:
            return f"{float(expr):.4g}".replace("-", MINUS)
        if expr.is_Rational:
            text = str(expr.p) if expr.q == 1 else f"{expr.p}/{expr.q}"
            return text.replace("-", MINUS)
        return sp.sstr(expr).replace("-", MINUS)

    def add(self, expr: sp.Add) -> str:
        terms = ordered_terms(expr)
        text = self.print(terms[0])
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                text += f" {MINUS} {self.print(_negated(term))}"
            else:
                text += f" + {self.print(term)}"
        return text

    def mul(self, expr: sp.Mul) -> str:
        factors = list(expr.args)
        if not is_kept_order(expr):
            factors.sort(key=kind_of)
        coefficient = sp.Integer(1)
        numerator: list[sp.Expr] = []
        denominator: list[sp.Expr] = []
        for factor in factors:
            if factor.is_Rational:
                coefficient *= factor
            elif factor.is_Pow and not _is_exp(factor) and factor.exp.is_number and factor.exp.is_negative:
                denominator.append(factor.base if factor.exp == -1 else sp.Pow(factor.base, -factor.exp))
            else:
                numerator.append(factor)
        sign = MINUS if coefficient.is_negative else ""
        coefficient = abs(coefficient)
        if coefficient.q != 1:
            denominator.insert(0, sp.Integer(coefficient.q))
        top = self.product(([sp.Integer(coefficient.p)] if coefficient.p != 1 else []) + numerator)
        if not denominator:
            return sign + top
        bottom = self.product(denominator)
        # A lone sum is bracketed by product() already.
        if len(denominator) > 1 or denominator[0].is_Mul:
            bottom = f"({bottom})"
        return f"{sign}{top}/{bottom}"

    def product(self, factors: list[sp.Expr]) -> str:
        """Factors side by side, with ``·`` where juxtaposition would mislead."""
        if not factors:
            return "1"
        pieces = [self.factor(f) for f in factors]
        text = pieces[0]
        for left, right, piece in zip(factors, factors[1:], pieces[1:]):
            text += _joiner(left, right, text, piece) + piece
        return text

    def factor(self, factor: sp.Expr) -> str:
        text = self.print(factor)
        return f"({text})" if factor.is_Add or (factor.is_Number and factor.is_negative) else text

    def power(self, expr: sp.Expr) -> str:
        base, exponent = (sp.E, expr.args[0]) if isinstance(expr, sp.exp) else expr.args
        if base is not sp.E and exponent.is_number and exponent.is_negative:
            return f"1/{self.factor_for_denominator(sp.Pow(base, -exponent))}"
        if exponent == sp.Rational(1, 2):
            inner = self.print(base)
            return f"√{inner}" if base.is_Symbol or base.is_Integer else f"√({inner})"
        if exponent == sp.Rational(1, 3):
            inner = self.print(base)
            return f"∛{inner}" if base.is_Symbol or base.is_Integer else f"∛({inner})"
        if isinstance(base, _POWER_BEFORE_ARGUMENT) and exponent.is_Integer and exponent > 0:
            name = type(base).__name__
            return f"{name}{superscript(str(exponent))}({self.print(base.args[0])})"
        base_text = self.print(base)
        if base.is_Add or base.is_Mul or base.is_Pow or base.is_Rational and not base.is_Integer \
                or (base.is_Number and base.is_negative):
            base_text = f"({base_text})"
        exponent_text = self.print(exponent)
        raised = superscript(exponent_text.replace(MINUS, "-")) if exponent.is_Integer or exponent.is_Symbol else None
        if raised is not None and (len(exponent_text) == 1 or exponent.is_Integer):
            return base_text + raised
        if exponent.is_Symbol or (exponent.is_Integer and exponent >= 0):
            return f"{base_text}^{exponent_text}"
        return f"{base_text}^({exponent_text})"

    def factor_for_denominator(self, expr: sp.Expr) -> str:
        text = self.print(expr)
        return f"({text})" if expr.is_Add or expr.is_Mul else text

    def function(self, expr: sp.Function) -> str:
        name = _NAMES.get(type(expr), type(expr).__name__)
        arguments = ", ".join(self.print(arg) for arg in expr.args)
        return f"{name}({arguments})"


def ordered_terms(expr: sp.Add) -> list[sp.Expr]:
    """Sympy's order of terms, but led by a positive one: ``σ(wx) − y``."""
    terms = expr.as_ordered_terms()
    if terms[0].could_extract_minus_sign():
        positive = [term for term in terms if not term.could_extract_minus_sign()]
        if positive:
            terms.remove(positive[0])
            terms.insert(0, positive[0])
    return terms


def _negated(term: sp.Expr) -> sp.Expr:
    """``−term`` keeping an unevaluated product's order."""
    if term.is_Mul and term.args and term.args[0].is_Number:
        rest = term.args[1:]
        coefficient = -term.args[0]
        if coefficient == 1:
            return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return sp.Mul(coefficient, *rest, evaluate=False)
    return -term


def _joiner(left: sp.Expr, right: sp.Expr, text: str, piece: str) -> str:
    """What goes between two printed factors: nothing or ``·``."""
    left_kind, right_kind = kind_of(left), kind_of(right)
    if right_kind is Kind.NUMBER or piece[:1].isdigit() or text[-1:] in "⁰¹²³⁴⁵⁶⁷⁸⁹" and piece[:1].isdigit():
        return "·"
    if right_kind is Kind.GROUP:
        return ""
    if right_kind is Kind.MONOMIAL:
        short = len(text.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹")) >= 1 and len(piece.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹")) == 1
        return "" if left_kind in (Kind.NUMBER, Kind.MONOMIAL) and short and _single_letter(left) else "·"
    if right_kind is Kind.FUNCTION:
        return "·" if left_kind is Kind.MONOMIAL else ""
    return "·"


def _single_letter(factor: sp.Expr) -> bool:
    base = factor.base if factor.is_Pow else factor
    return not base.is_Symbol or len(base.name) == 1


class _OrderedLatexPrinter(LatexPrinter):
    """LaTeX that keeps an unevaluated product's order and writes ln."""

    def _print_Mul(self, expr: sp.Mul) -> str:
        # The same factor order as the text printer: kept, or by kind.
        if not is_kept_order(expr):
            expr = sp.Mul._from_args(sorted(expr.args, key=kind_of))
        saved = self._settings["order"]
        self._settings["order"] = "none"
        try:
            return super()._print_Mul(expr)
        finally:
            self._settings["order"] = saved

    def _as_ordered_terms(self, expr, order=None):
        # Sums print in the text printer's order, even inside a kept product.
        return ordered_terms(expr)


class _MathMLPrinter(MathMLPresentationPrinter):
    """Presentation MathML with σ for the sigmoid."""

    def _print_sigmoid(self, expr: sigmoid):
        mrow = self.dom.createElement("mrow")
        name = self.dom.createElement("mi")
        name.appendChild(self.dom.createTextNode("σ"))
        mrow.appendChild(name)
        mrow.appendChild(self._print_Function_arguments(expr))
        return mrow

    def _print_Function_arguments(self, expr: sp.Function):
        fenced = self.dom.createElement("mrow")
        for text, node in (("(", None), (None, expr.args[0]), (")", None)):
            if node is not None:
                fenced.appendChild(self._print(node))
                continue
            bracket = self.dom.createElement("mo")
            bracket.appendChild(self.dom.createTextNode(text))
            fenced.appendChild(bracket)
        return fenced


def to_text(expr: sp.Basic) -> str:
    """Unicode maths as a textbook prints it.

    >>> z = sp.Symbol("z")
    >>> to_text(sigmoid(z) * (1 - sigmoid(z)))
    'σ(z)(1 − σ(z))'
    >>> to_text(sp.sqrt(1 - sp.Symbol("x")**2))
    '√(1 − x²)'
    """
    if isinstance(expr, sp.Basic):
        return _text_of(expr)
    return TextPrinter().doprint(expr)


def to_sympy_text(expr: sp.Basic) -> str:
    """``expr`` as sympy's ``str`` writes it (``2*x + 1``), for logs and stored answers.

    >>> to_sympy_text(6*(2*sp.Symbol("x") + 1)**2)
    '6*(2*x + 1)**2'
    """
    return _sympy_text_of(expr) if isinstance(expr, sp.Basic) else sp.sstr(expr)


# Printing sorts the terms of every sum (sympy's ``as_ordered_terms``, a
# fraction of a millisecond each), and most of what a turn prints is fixed by
# its problem: the steps, the links, the expected answers. Keyed by the
# expression, which is immutable and equal only to the same tree (2 ≠ 2.0, and
# an unevaluated product's order counts), so a hit prints what printing would.
@lru_cache(maxsize=4096)
def _text_of(expr: sp.Basic) -> str:
    return TextPrinter().doprint(expr)


@lru_cache(maxsize=4096)
def _sympy_text_of(expr: sp.Basic) -> str:
    return sp.sstr(expr)


def to_latex(expr: sp.Basic) -> str:
    r"""LaTeX, with ``\ln`` and ``\sigma``.

    >>> to_latex(6*(2*sp.Symbol("x") + 1)**2)
    '6 \\left(2 x + 1\\right)^{2}'
    """
    return _OrderedLatexPrinter({"ln_notation": True, "inv_trig_style": "full"}).doprint(expr)


def to_mathml(expr: sp.Basic) -> str:
    """Presentation MathML wrapped in a ``<math>`` element."""
    body = _MathMLPrinter({"ln_notation": True}).doprint(expr)
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{body}</math>'


__all__ = [
    "MINUS", "Kind", "TextPrinter", "kind_of", "superscript", "to_text", "to_sympy_text", "to_latex",
    "to_mathml",
]
