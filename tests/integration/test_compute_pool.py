"""The compute lanes on their own: real child processes, killed over budget and replaced."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from service.config import settings_from_env

from service.calculus import ExpressionError
from service.compute import tasks
from service.compute.pool import BudgetExceeded, Lane, LaneBusy, LaneSettings


@pytest.fixture(scope="module")
def lane() -> Iterator[Lane]:
    made = Lane(LaneSettings("test", processes=1, seconds=1.0, memory_mb=768, nice=0, wait=0.1))
    yield made
    made.close()


def test_a_task_over_its_time_budget_is_stopped_and_the_lane_goes_on(lane: Lane) -> None:
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match="took too long"):
        lane.run(time.sleep, (30,))
    assert time.monotonic() - started < 1.0 + 2.0
    assert lane.run(tasks.solve, ("(2x+1)^3", None))["derivative"] == "6*(2*x + 1)**2"


def test_a_task_over_its_memory_budget_gets_a_memory_error_not_the_oom_killer(lane: Lane) -> None:
    with pytest.raises(BudgetExceeded, match="too much memory"):
        lane.run(bytearray, (2 * 1024**3,))
    assert lane.run(len, ("still here",)) == 10


def test_an_expression_error_in_a_child_keeps_its_message_and_position(lane: Lane) -> None:
    with pytest.raises(ExpressionError) as raised:
        lane.run(tasks.solve, ("sin((x", None))
    assert raised.value.position is not None and "parenthesis" in raised.value.message


def test_a_busy_lane_refuses_at_once_rather_than_queueing(lane: Lane) -> None:
    occupying = threading.Thread(target=lambda: pytest.raises(BudgetExceeded, lane.run, time.sleep, (30,)))
    occupying.start()
    time.sleep(0.2)
    started = time.monotonic()
    with pytest.raises(LaneBusy, match="busy"):
        lane.run(len, ("x",))
    assert time.monotonic() - started < 0.1 + 0.5
    occupying.join()


def test_the_budget_is_configured_from_the_environment() -> None:
    assert settings_from_env({"COMPUTE_SECONDS": "1.5", "COMPUTE_POOL": "off", "COMPUTE_PROCESSES": "3"}) == {
        "COMPUTE_SECONDS": 1.5, "COMPUTE_POOL": False, "COMPUTE_PROCESSES": 3}
