"""The work the compute pool runs in its children: plain functions of plain values.

Each is importable by name (a child receives the function by reference and
its arguments pickled) and returns what the web layer serialises.
"""

from __future__ import annotations

import json
from typing import Any

from service import calculus

# The largest worked solution sent back, as JSON characters: the corpora's
# largest is about 11,000 (cos(cos(cos(cos(cos(2x)))))); a product of 15
# binomials made 53,000 and the 79 made 1.16 MB, which the web
# worker would then have to serialise, holding up the learners it serves.
MAX_SOLUTION_CHARS = 40_000


def solve(expression: str, variable: str | None) -> dict[str, Any]:
    """A worked solution as ``Solution.to_dict()`` (printing included: it can be costly too).

    Raises ``ExpressionTooCostly`` when the solution is longer than
    :data:`MAX_SOLUTION_CHARS`.
    """
    solution = calculus.solve(expression, variable=variable).to_dict()
    if len(json.dumps(solution, default=str)) > MAX_SOLUTION_CHARS:
        raise calculus.ExpressionTooCostly(
            "the worked solution of that expression is too long to show here; "
            "try a shorter one, or one chain at a time")
    return solution


def check(problem: str, answer: str, variable: str | None) -> calculus.Verdict:
    """The core's verdict on a learner's derivative."""
    return calculus.check_answer(problem, answer, variable=variable)


def warm() -> None:
    """Run a small problem through the core once, so a new child's first request is not cold."""
    calculus.solve("sin((2x+1)^2)").to_dict()
    calculus.check_answer("(2x+1)^3", "6(2x+1)^2")
