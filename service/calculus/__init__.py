"""The calculus core: reading expressions, chain decomposition, worked
solutions and answer checking. Pure sympy: no Flask, no database.

>>> from service import calculus
>>> calculus.solve("(2x+1)^3").derivative_text
'6(2x + 1)²'
"""

from .errors import ExpressionError
from .cost import Cost, ExpressionTooCostly, estimate_cost
from .functions import sigmoid
from .parsing import parse_expression
from .chain import decompose, decompose_chain
from .solution import Solution, solve
from .checking import Verdict, check_answer, check_step
from .misconceptions import MISCONCEPTIONS

__all__ = [
    "ExpressionError", "ExpressionTooCostly", "Cost", "estimate_cost", "sigmoid", "parse_expression", "decompose", "decompose_chain",
    "Solution", "solve", "Verdict", "check_answer", "check_step", "MISCONCEPTIONS",
    "clear_caches",
]


def clear_caches() -> None:
    """Forget everything the core memoised: a worker meeting its first expression.

    For benchmarks that time a cold call (with sympy's own ``clear_cache``);
    the caches are bounded and never stale, so the service never needs this.
    """
    from . import checking, equivalence, numeric, parsing, printing

    for cached in (parsing._parse_text, numeric._evaluator, printing._text_of, printing._sympy_text_of,
                   equivalence._values_at, equivalence._expected_samples, equivalence._derivative_samples,
                   checking._read_problem, checking._analyse, checking._analyse_cut):
        cached.cache_clear()
