"""The compute pool's tasks, run in this process: what they return and refuse."""

from __future__ import annotations

import pytest

from service.calculus import ExpressionTooCostly
from service.compute import tasks


def test_solve_returns_the_solution_dict() -> None:
    assert tasks.solve("(2x+1)^3", None)["derivative"] == "6*(2*x + 1)**2"


def test_a_worked_solution_longer_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "MAX_SOLUTION_CHARS", 200)
    with pytest.raises(ExpressionTooCostly, match="too long to show"):
        tasks.solve("(2x+1)^3", None)


def test_check_returns_the_verdict() -> None:
    assert tasks.check("(2x+1)^3", "6(2x+1)^2", "x").correct
