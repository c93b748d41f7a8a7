"""The calculus core: reading expressions, chain decomposition, worked
solutions and answer checking. Pure sympy: no Flask, no database.

>>> from service import calculus
>>> calculus.solve("(2x+1)^3").derivative_text
'6(2x + 1)²'
"""

from .errors import ExpressionError
from .functions import sigmoid
from .parsing import parse_expression
from .chain import decompose, decompose_chain
from .solution import Solution, solve
from .checking import Verdict, check_answer, check_step
from .misconceptions import MISCONCEPTIONS

__all__ = [
    "ExpressionError", "sigmoid", "parse_expression", "decompose", "decompose_chain",
    "Solution", "solve", "Verdict", "check_answer", "check_step", "MISCONCEPTIONS",
]
