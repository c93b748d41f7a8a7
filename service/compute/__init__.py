"""Bounded computation: every piece of calculus work on learner input ends within a budget.

The core refuses obviously explosive input before any work
(:func:`service.calculus.estimate_cost`); what remains runs here, in worker
processes that are killed and replaced when over their time or memory
budget (:mod:`service.compute.pool`). Costly-looking work goes to a separate
small lane, so a flood of it slows only itself.

The web layer and the use cases call :func:`run_budgeted`; the domain stays
pure and never knows. :func:`init_app` reads the settings; the pool is made
on first use in each process and shared by apps with the same settings (the
tests build an app per test). With ``COMPUTE_POOL`` false the work runs in
the calling thread (the estimate still applies, the time budget does not).

>>> run_budgeted(len, "outside any app: in the calling thread")
38
"""

from __future__ import annotations

import atexit
import re
from functools import lru_cache
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context

from service.calculus import ExpressionError, ExpressionTooCostly, estimate_cost, parse_expression
from service.compute.pool import BudgetExceeded, ComputePool, LaneBusy, LaneSettings

__all__ = ["BudgetExceeded", "LaneBusy", "DEFAULTS", "init_app", "start", "run_budgeted", "pooled", "Assessment", "assess", "is_heavy", "close_pools"]

T = TypeVar("T")

# Defaults, with room to spare: the slowest request of the test corpora and
# the content takes under 0.5 s of computation (bench/README.md), and the
# contract wants every request answered within 5 s, database work included.
DEFAULTS: dict[str, Any] = {
    "COMPUTE_POOL": True,           # false: compute in the request's thread (no time budget)
    "COMPUTE_SECONDS": 3.0,         # per call, waiting for a free process included
    "COMPUTE_MEMORY_MB": 1024,      # address space of each child (RLIMIT_AS); 0: no limit
    "COMPUTE_PROCESSES": 2,         # the ordinary lane
    "COMPUTE_HEAVY_PROCESSES": 1,   # the lane of costly-looking work
    "COMPUTE_HEAVY_NICE": 19,       # its CPU priority: the lowest, below the web workers'
    "COMPUTE_HEAVY_WAIT": 0.2,      # how long a costly request waits for the busy heavy lane
}

_pools: dict[tuple[LaneSettings, LaneSettings], ComputePool] = {}
# What a request says it wants differentiated ("differentiate sin(x^2)") or answers ("dy/dx = ...").
_MATHS_AFTER = re.compile(r"(?:differentiate|derivative of|d/d\w)\s*(?P<maths>.+)$|=(?P<answer>[^=]+)$",
                          re.IGNORECASE)


def init_app(app: Flask) -> None:
    """Fill in the compute settings and attach the (lazily started) pool to ``app``."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions["compute"] = _pool_for(app.config) if app.config["COMPUTE_POOL"] else None


def start(app: Flask) -> None:
    """Start ``app``'s compute children now rather than on the first request.

    For a server's worker process once it is up (``chain-tutor run`` calls
    this from gunicorn's ``post_worker_init``): the first learner then does
    not wait for the children to import sympy.
    """
    pool = app.extensions.get("compute")
    if pool is not None:
        pool.lanes()


def run_budgeted(fn: Callable[..., T], *args: Any, heavy: bool = False, spent: float = 0.0) -> T:
    """``fn(*args)`` within the current app's compute budget.

    Raises :class:`BudgetExceeded` when the work ran over its time or memory
    budget (the child doing it was killed) and :class:`LaneBusy` when no
    process came free in time; both are ``ExpressionTooCostly``, so the API
    answers 422. ``spent``: seconds of this request's budget already used
    (by an earlier call). Outside an app, or with ``COMPUTE_POOL`` false,
    ``fn`` runs in the calling thread.
    """
    if not pooled():
        return fn(*args)
    pool: ComputePool = current_app.extensions["compute"]
    return pool.run(fn, args, heavy, spent)


def pooled() -> bool:
    """Whether work sent to :func:`run_budgeted` now runs in the pool (not in this thread)."""
    return (has_app_context() and current_app.extensions.get("compute") is not None
            and bool(current_app.config["COMPUTE_POOL"]))


@dataclass(frozen=True)
class Assessment:
    """How costly the maths in some texts looks: ``refusal`` is the core's reason when it is too costly."""

    heavy: bool
    refusal: str | None = None


def is_heavy(*texts: str | None) -> bool:
    """Whether any maths in ``texts`` looks costly enough for the heavy lane (see :func:`assess`).

    >>> is_heavy("(x+1)^2"), is_heavy("dy/dx = e^(e^(e^x))"), is_heavy("hint please")
    (False, True, False)
    """
    return assess(*texts).heavy


def assess(*texts: str | None) -> Assessment:
    """How costly the maths in ``texts`` (whole, or after ``=`` or "differentiate") looks.

    Cheap: it only parses (a few ms) and walks the tree. Text the core
    cannot read is not heavy (reading it fails fast); text it refuses as too
    costly is heavy, with the refusal's message.

    >>> assess("dy/dx = x^x^x^x^x").refusal
    'that expression is too big to work with here: a tower of 4 stacked powers or exponentials (at most 3); try a shorter one, or one chain at a time'
    """
    return _assess(tuple(text for text in texts if text))


# Remembered, refusals included (the parser does not cache those): a client
# sending the same costly text again and again costs the web worker nothing.
@lru_cache(maxsize=4096)
def _assess(texts: tuple[str, ...]) -> Assessment:
    heavy = False
    for candidate in _maths_in(texts):
        try:
            heavy = heavy or estimate_cost(parse_expression(candidate)).is_heavy()
        except ExpressionTooCostly as refused:
            return Assessment(heavy=True, refusal=refused.message)
        except ExpressionError:
            continue
    return Assessment(heavy=heavy)


def close_pools() -> None:
    """Stop every pool's children (at exit, and for tests that want a fresh pool)."""
    for pool in _pools.values():
        pool.close()
    _pools.clear()


def _maths_in(texts: Iterable[str]) -> Iterable[str]:
    for text in texts:
        yield text
        found = _MATHS_AFTER.search(text)
        if found is not None:
            yield (found["maths"] or found["answer"]).strip()


def _pool_for(config: Mapping[str, Any]) -> ComputePool:
    seconds, memory = float(config["COMPUTE_SECONDS"]), int(config["COMPUTE_MEMORY_MB"])
    ordinary = LaneSettings("ordinary", int(config["COMPUTE_PROCESSES"]), seconds, memory,
                            nice=0, wait=seconds)
    heavy = LaneSettings("heavy", int(config["COMPUTE_HEAVY_PROCESSES"]), seconds, memory,
                         nice=int(config["COMPUTE_HEAVY_NICE"]), wait=float(config["COMPUTE_HEAVY_WAIT"]))
    key = (ordinary, heavy)
    if key not in _pools:
        if not _pools:
            atexit.register(close_pools)
        _pools[key] = ComputePool(ordinary, heavy)
    return _pools[key]
