"""The work the compute pool runs in its children: plain functions of plain values.

Each is importable by name (a child receives the function by reference and
its arguments pickled) and returns what the web layer serialises.
"""

from __future__ import annotations

from typing import Any

from service import calculus


def solve(expression: str, variable: str | None) -> dict[str, Any]:
    """A worked solution as ``Solution.to_dict()`` (printing included: it can be costly too)."""
    return calculus.solve(expression, variable=variable).to_dict()


def check(problem: str, answer: str, variable: str | None) -> calculus.Verdict:
    """The core's verdict on a learner's derivative."""
    return calculus.check_answer(problem, answer, variable=variable)


def warm() -> None:
    """Run a small problem through the core once, so a new child's first request is not cold."""
    calculus.solve("sin((2x+1)^2)").to_dict()
    calculus.check_answer("(2x+1)^3", "6(2x+1)^2")
