"""Worker processes that run the calculus under a budget they cannot defeat.

A thread stuck in sympy's or mpmath's C-level arithmetic cannot be stopped
from inside the process, and gunicorn's worker timeout does not fire for it
(the heartbeat comes from another thread): one request held a worker for
minutes. So the work runs in child processes, which can be killed from
outside. pebble's ``ProcessPool`` does the killing: a task past its timeout
has its process terminated and replaced, and the caller gets a
``TimeoutError``. Memory is bounded in each child with ``RLIMIT_AS``, so a
runaway mpmath number ends in a ``MemoryError`` in the child, not in the
kernel's OOM killer choosing a process.

Two lanes, so that costly work slows only costly work: the *ordinary* lane
(several processes) takes what :meth:`service.calculus.Cost.is_heavy` calls
ordinary; the *heavy* lane (one process by default, at a lower CPU priority
with ``os.nice``) takes the rest. A lane takes at most one task per process
at a time; a caller waits for a free process only up to the lane's ``wait``
(the heavy lane barely waits: a flood of costly requests is refused at once
rather than queued behind each other), and the time waited comes out of the
task's budget, so a call ends within its budget, queueing included.

Children come from a ``forkserver`` that imported sympy and the core once,
so a replacement child starts in milliseconds, warm, and never inherits the
web worker's threads or database connections.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

import pebble


from service.calculus import ExpressionTooCostly

T = TypeVar("T")

# How long starting a lane may take (importing sympy on a busy machine included).
STARTUP_SECONDS = 120.0

# Imported once in the forkserver, so every child starts with them loaded.
PRELOAD = ["service.calculus", "service.tutor.engine", "service.compute.tasks", "service.compute.turns",
           "service.api.preview.reading"]


class BudgetExceeded(ExpressionTooCostly):
    """The work on an expression ran over its time or memory budget and was stopped."""


class LaneBusy(ExpressionTooCostly):
    """Every process of a lane is taken, and none came free within the lane's wait."""


@dataclass(frozen=True)
class LaneSettings:
    """One lane: how many processes, their budget, priority and the wait for a free one."""

    name: str
    processes: int
    seconds: float
    memory_mb: int
    nice: int
    wait: float


class Lane:
    """A pebble pool of ``processes`` children and a semaphore of as many slots."""

    def __init__(self, settings: LaneSettings) -> None:
        self.settings = settings
        self._slots = threading.BoundedSemaphore(settings.processes)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        self._pool = pebble.ProcessPool(
            max_workers=settings.processes, initializer=_prepare_child,
            initargs=(settings.memory_mb, settings.nice), context=context)
        # Start the children now and wait until they are warm (pebble starts
        # them on the first task): the caller pays this once, before any
        # request's budget starts counting, so a cold start is never a timeout.
        warming = [self._pool.schedule(_started) for _ in range(settings.processes)]
        for future in warming:
            future.result(timeout=STARTUP_SECONDS)

    def run(self, fn: Callable[..., T], args: tuple[Any, ...], spent: float = 0.0) -> T:
        """``fn(*args)`` in a child, within the lane's budget (waiting for a slot and ``spent`` included)."""
        started = time.monotonic() - spent
        if not self._slots.acquire(timeout=max(min(self.settings.wait, self.settings.seconds - spent), 0.0)):
            raise LaneBusy("the server is busy working on other large expressions; "
                           "try again in a moment, or try a smaller expression")
        try:
            remaining = max(self.settings.seconds - (time.monotonic() - started), 0.05)
            future = self._pool.schedule(fn, args=args, timeout=remaining)
            try:
                # pebble stops the task at ``remaining``; the extra second only
                # guards against a child that never answers at all.
                return future.result(timeout=remaining + 1.0)
            except (FutureTimeout, TimeoutError):
                future.cancel()
                raise BudgetExceeded(
                    f"that took too long to work out here (more than {self.settings.seconds:g} s); "
                    "try a shorter expression, or one chain at a time") from None
            except (MemoryError, pebble.ProcessExpired):
                raise BudgetExceeded("that expression needs too much memory to work out here; "
                                     "try a shorter one, or one chain at a time") from None
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop the children (those at work are killed)."""
        self._pool.stop()
        self._pool.join(timeout=5)


def _started() -> None:
    """Nothing: scheduled once per process to make pebble start them."""


def _prepare_child(memory_mb: int, nice: int) -> None:
    """In each new child: cap its address space, lower its priority, warm the core."""
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if nice > 0:
        os.nice(nice)
    from service.compute.tasks import warm

    warm()


class ComputePool:
    """The two lanes, created on first use in the process that uses them.

    A gunicorn worker is forked from the master after the app is built;
    lanes made in the master would have no threads in the worker, so each
    process makes its own on first use (the pid is checked every call).
    """

    def __init__(self, ordinary: LaneSettings, heavy: LaneSettings) -> None:
        self.settings = (ordinary, heavy)
        self._lanes: tuple[Lane, Lane] | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def run(self, fn: Callable[..., T], args: tuple[Any, ...], heavy: bool, spent: float = 0.0) -> T:
        """``fn(*args)`` in the heavy or the ordinary lane (``spent``: see :meth:`Lane.run`)."""
        return self.lanes()[1 if heavy else 0].run(fn, args, spent)

    def lanes(self) -> tuple[Lane, Lane]:
        with self._lock:
            if self._lanes is None or self._pid != os.getpid():
                self._lanes = (Lane(self.settings[0]), Lane(self.settings[1]))
                self._pid = os.getpid()
            return self._lanes

    def close(self) -> None:
        """Stop both lanes' children, if this process started them."""
        with self._lock:
            if self._lanes is not None and self._pid == os.getpid():
                for lane in self._lanes:
                    lane.close()
            self._lanes = None
