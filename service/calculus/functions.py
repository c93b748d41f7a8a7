"""The functions a learner may use, and the sigmoid that sympy lacks.

Everything the parser will turn into a function call is listed here, so the
whitelist is data that the parser, the rule namer and the printers share.
"""

from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - sympy names functions in lower case
    """The logistic function σ(z) = 1 / (1 + e^(−z)).

    Its derivative is written in terms of itself, σ' = σ(1 − σ), the form
    used in every machine-learning text, so solutions keep σ where the
    learner used it.

    >>> z = sp.Symbol("z")
    >>> sp.diff(sigmoid(z), z)
    (1 - sigmoid(z))*sigmoid(z)
    >>> sigmoid(0)
    1/2
    """

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec):
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_number:
            return None
        return (1 / (1 + sp.exp(-arg)))._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        if self.args[0].is_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        inner = printer._print(self.args[0])
        base = rf"\sigma\left({inner}\right)"
        return base if exp is None else rf"\sigma^{{{exp}}}\left({inner}\right)"


# Names a learner may call, mapped to the sympy callable that builds them.
# Aliases (``ln``, ``arcsin``, ``σ``) sit beside the canonical names.
FUNCTIONS: dict[str, object] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "cot": sp.cot, "sec": sp.sec, "csc": sp.csc, "cosec": sp.csc,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "acot": sp.acot, "asec": sp.asec, "acsc": sp.acsc,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
    "arccot": sp.acot, "arcsec": sp.asec, "arccsc": sp.acsc,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "coth": sp.coth, "sech": sp.sech, "csch": sp.csch,
    "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "arsinh": sp.asinh, "arcosh": sp.acosh, "artanh": sp.atanh,
    "arcsinh": sp.asinh, "arccosh": sp.acosh, "arctanh": sp.atanh,
    "exp": sp.exp,
    "ln": sp.log, "log": sp.log,
    "sqrt": sp.sqrt,
    "sigmoid": sigmoid, "σ": sigmoid, "sigma": sigmoid,
}

# ``sin^-1(x)`` is the inverse function, as calculus texts write it.
INVERSES: dict[str, str] = {
    "sin": "asin", "cos": "acos", "tan": "atan",
    "cot": "acot", "sec": "asec", "csc": "acsc", "cosec": "acsc",
    "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
}

# Named constants a learner may type.
CONSTANTS: dict[str, sp.Expr] = {
    "pi": sp.pi, "π": sp.pi, "e": sp.E,
}

# The names sympy's ``parse_expr`` needs to read back a derivative we print.
PRINTED_NAMES: dict[str, object] = {"sigmoid": sigmoid, "E": sp.E}
