"""Prometheus metrics: what the service counts, and the calls that count it.

Every metric is created here, once, at import. Other code only calls the
small functions below (:func:`record_compute_budget_hit`,
:func:`record_rate_limit_rejection`, :func:`record_delivery`,
:func:`observe_turn`), so a metric's name and labels live in one place and a
caller never needs ``prometheus_client`` itself.

Under gunicorn with several worker processes each process counts on its own;
``chain-tutor run`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory
before this module is imported, and prometheus_client then keeps every
value in a memory-mapped file there that the ``/metrics`` view of any
worker adds up (:func:`exposition`). Without that variable (tests, ``flask
run``) the values live in this process, in the default registry.

>>> record_rate_limit_rejection("per-learner")
>>> RATE_LIMIT_REJECTIONS.labels(limit="per-learner")._value.get() >= 1
True
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Latency buckets around the service level (p99 <= 50 ms for a turn, every request within 5 s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DELIVERY_LAG_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)

REQUEST_LATENCY = Histogram(
    "chain_tutor_http_request_duration_seconds",
    "Time from the app receiving a request to its response, by route (the URL rule, not the path).",
    ["method", "route", "status"], buckets=LATENCY_BUCKETS,
)
TURN_LATENCY = Histogram(
    "chain_tutor_turn_duration_seconds",
    "A tutor turn in the use case (engine and database), by kind (start, message) and outcome.",
    ["kind", "outcome"], buckets=LATENCY_BUCKETS,
)
COMPUTE_BUDGET_HITS = Counter(
    "chain_tutor_compute_budget_hits_total",
    "Computations stopped by the compute budget (time or size), by operation.",
    ["operation"],
)
RATE_LIMIT_REJECTIONS = Counter(
    "chain_tutor_rate_limit_rejections_total",
    "Requests refused with 429 by the app's own rate limits, by limit.",
    ["limit"],
)
DELIVERY_LAG = Histogram(
    "chain_tutor_outbox_delivery_lag_seconds",
    "Time from an outbox event being written to its delivery attempt, by outcome.",
    ["outcome"], buckets=DELIVERY_LAG_BUCKETS,
)
# "livesum": the gauge of the whole server is the sum over its live worker processes.
DB_POOL_IN_USE = Gauge(
    "chain_tutor_db_pool_connections_in_use",
    "Database connections checked out of the pool (summed over live processes).",
    multiprocess_mode="livesum",
)
DB_POOL_OPEN = Gauge(
    "chain_tutor_db_pool_connections_open",
    "Database connections the pool holds open, idle or in use (summed over live processes).",
    multiprocess_mode="livesum",
)

P = ParamSpec("P")
R = TypeVar("R")


def record_compute_budget_hit(operation: str) -> None:
    """Count one computation stopped by the compute budget (``operation``: solve, check, turn...)."""
    COMPUTE_BUDGET_HITS.labels(operation=operation).inc()


def record_rate_limit_rejection(limit: str) -> None:
    """Count one request refused by the app's rate limit named ``limit``."""
    RATE_LIMIT_REJECTIONS.labels(limit=limit).inc()


def record_delivery(lag_seconds: float, outcome: str = "delivered") -> None:
    """Record one delivery attempt of an outbox event, ``lag_seconds`` after the event was written.

    ``outcome`` is ``delivered``, ``failed`` (will be retried) or ``dead`` (given up).
    """
    DELIVERY_LAG.labels(outcome=outcome).observe(max(0.0, lag_seconds))


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Record one HTTP request's time under its route."""
    REQUEST_LATENCY.labels(method=method, route=route, status=str(status)).observe(seconds)


def turn_outcome(view: Any) -> str:
    """Name what a turn came to, from the use case's ``TurnView``: for counting, not for logic.

    >>> from types import SimpleNamespace as NS
    >>> turn_outcome(NS(verdict={"correct": False}, state={"solved": False}))
    'wrong_answer'
    >>> turn_outcome(NS(verdict=None, state={"solved": True}))
    'solved'

    A stored reply sent again for a repeated Idempotency-Key is ``replayed``.
    """
    if getattr(view, "replayed", False):
        return "replayed"
    state = getattr(view, "state", None) or {}
    verdict = getattr(view, "verdict", None)
    if state.get("solved"):
        return "solved"
    if verdict is not None:
        return "right_answer" if verdict.get("correct") else "wrong_answer"
    return "other"


def observe_turn(kind: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a use case that runs a tutor turn: time it and count its outcome.

    A use case that raises counts under the exception's class name
    (``NotFound``, ``Conflict``, ...), then the exception goes on.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def observed(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            outcome = "error"
            try:
                result = function(*args, **kwargs)
                outcome = turn_outcome(result)
                return result
            except Exception as error:
                outcome = type(error).__name__
                raise
            finally:
                TURN_LATENCY.labels(kind=kind, outcome=outcome).observe(time.perf_counter() - started)

        return observed

    return decorate


def pool_checked_out() -> None:
    DB_POOL_IN_USE.inc()


def pool_checked_in() -> None:
    DB_POOL_IN_USE.dec()


def pool_connected() -> None:
    DB_POOL_OPEN.inc()


def pool_closed() -> None:
    DB_POOL_OPEN.dec()


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The metrics in Prometheus' text format: this process's (or every worker's) plus ``extra``.

    ``extra`` collectors are asked afresh on each scrape (the outbox depth is
    read from the database then), in a registry of their own.
    """
    if values.ValueClass is not values.MutexValue:  # prometheus_client was imported in multiprocess mode
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    scrape_time = CollectorRegistry()
    for collector in extra:
        scrape_time.register(collector)
    return body + generate_latest(scrape_time)


class OutboxCollector(Collector):
    """Outbox depth and the age of its oldest undelivered event, read when scraped.

    ``read`` returns ``(undelivered, oldest_age_seconds or None)``, or
    ``None`` to leave both out of this scrape (the database is down: the
    scrape should still show everything else).
    """

    def __init__(self, read: Callable[[], tuple[int, float | None] | None]) -> None:
        self.read = read

    def collect(self) -> Iterable[GaugeMetricFamily]:
        found = self.read()
        if found is None:
            return []
        depth, oldest_age = found
        families = [GaugeMetricFamily("chain_tutor_outbox_undelivered_events",
                                      "Outbox events written and not delivered yet.", value=depth)]
        families.append(GaugeMetricFamily(
            "chain_tutor_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest undelivered outbox event (0 when none waits): the delivery lag.",
            value=oldest_age or 0.0))
        return families
