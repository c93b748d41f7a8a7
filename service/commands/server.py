"""``chain-tutor run``: serve the whole product with gunicorn.

The app is built once in the master process, the database is brought up
to date there (migrations, then the lesson content on an empty database),
and gunicorn forks its workers from that app. Building it once means every
worker shares the same ``SECRET_KEY``, even the random one used when none
is configured, so a login made through one worker holds in the others.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import click
import flask_migrate
import sqlalchemy as sa
from flask import Flask
from flask.cli import ScriptInfo
from gunicorn.app.base import BaseApplication

from service import compute
from service.extensions import MIGRATIONS_DIR, db
from service.models import Lesson

log = logging.getLogger(__name__)

# Read by prometheus_client when it is first imported; see prepare_metrics_directory.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class StandaloneServer(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn serving an app object built in this process."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            # Settings newer than the installed gunicorn are skipped, not fatal.
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


# Defaults, compared by measurement (bench/bench_tutor.py, bench/bench_isolation.py
# and the figures in bench/README.md). One worker per core. Threads: when a
# turn's sympy work ran in the worker's own thread (~6 ms of CPU), extra
# threads only queued for the GIL (at 120 turns/s, p99 50 / 111 / 242 ms with
# 1 / 2 / 4 threads on SQLite). Since the calculus runs in compute processes
# (service.compute), a thread mostly waits for them, and a costly request
# holds its thread for up to the compute budget (3 s): with one thread per
# worker, two clients sending costly expressions held both workers and
# learners waited seconds (p99 20 s in bench_isolation.py); with 4 threads,
# learners kept a p99 of about 0.1 s on the shared machine.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
# gunicorn worker classes by the names `chain-tutor run --worker-class` takes:
# gunicorn's own, nothing built on its internals. Measured behind nginx
# (bench/bench_topology.py, bench/README.md), the stock classes served the
# p99 the custom "fair" worker did, or better, so it was deleted: queueing
# fairly between workers and shielding them from slow clients is nginx's job.
# - sync: takes a request only when free, so no kept-alive connection is
#   pinned to a busy worker; but a silent connection blocks it for its whole
#   timeout. Only behind a buffering proxy: what compose and
#   `chain-tutor topology` run.
# - gthread (the default, for a server facing browsers directly): keeps idle
#   connections in a poller; a kept-alive connection stays with the worker
#   that accepted it, and a silent new one holds a thread for up to 5 s.
WORKER_CLASSES = {
    "gthread": "gthread",
    "sync": "sync",
}
DEFAULT_WORKER_CLASS = "gthread"


def bind_address(host: str, port: int) -> str:
    """The address gunicorn binds, with IPv6 hosts bracketed.

    >>> bind_address("127.0.0.1", 5000)
    '127.0.0.1:5000'
    >>> bind_address("::1", 8000)
    '[::1]:8000'
    """
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def server_options(host: str, port: int, workers: int, threads: int,
                   worker_class: str = DEFAULT_WORKER_CLASS) -> dict[str, Any]:
    """gunicorn settings for ``chain-tutor run``."""
    return {
        "bind": bind_address(host, port),
        "workers": workers,
        # gthread keeps idle keep-alive connections in a poller rather than
        # in a thread, even with one thread. See DEFAULT_THREADS and WORKER_CLASSES.
        "worker_class": WORKER_CLASSES[worker_class],
        "threads": threads,
        "accesslog": "-",
        # gunicorn's default line plus the time the request took (%(L)s: seconds, to the microsecond),
        # what an operator looks at first when latency is the question.
        # With LOG_FORMAT=json each atom is also a field of its own (service.observability.logs).
        "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss',
        "errorlog": "-",
        "timeout": 30,
        "graceful_timeout": 10,
        # gunicorn >= 25.1 opens a control socket at one fixed path per user;
        # two servers (tests, benchmarks) would fight over it, and nothing uses it.
        "control_socket_disable": True,
        # Each worker starts its compute children (service.compute) before its first request.
        "post_worker_init": start_compute,
        # Each worker's metric files are merged into the others' once it is gone.
        "child_exit": _forget_worker_metrics,
    }


def freeze_startup_heap() -> None:
    """Hide what start-up built from the garbage collector, just before the workers fork.

    A full collection walks every object the collector tracks, and most of
    a worker's are the app, its modules (sympy's among them) and the content,
    built once and never freed: each full collection paused the request in
    which it fell. ``bench_dashboard.py`` saw it as the attempts export's
    first page taking 222 ms once in 30 runs against a median of 97 (max 103
    with the heap frozen). Frozen objects are skipped by every collection,
    and the forked workers keep sharing their memory pages, since no
    collection writes to them any more (what Python's ``gc.freeze`` docs
    advise for a server that forks).
    """
    gc.collect()  # what is garbage already is freed, not frozen
    gc.freeze()


def start_compute(worker: Any) -> None:
    """gunicorn's ``post_worker_init`` hook: warm this worker's compute pool.

    Warming is an optimisation: a pool that cannot start now (a stop signal
    arrived while its processes were forking) starts on the first request
    instead. Letting the error out would make gunicorn halt the whole server
    with "Worker failed to boot".
    """
    try:
        compute.start(worker.wsgi)
    except Exception:  # noqa: BLE001 - any failure here only loses the warm-up
        worker.log.warning("compute pool not warmed at boot; it starts on first use", exc_info=True)


def _forget_worker_metrics(server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: a dead worker's gauges stop counting (its counters stay)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def prepare_metrics_directory() -> Path | None:
    """Point prometheus_client at an empty directory shared by the workers, before it is imported.

    ``$PROMETHEUS_MULTIPROC_DIR`` when set (emptied: files of an earlier
    run would add their counts to this one's), else a new temporary one,
    which is returned so that the caller removes it when the server stops.
    """
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        shutil.rmtree(given, ignore_errors=True)
        Path(given).mkdir(parents=True, exist_ok=True)
        return None
    directory = Path(tempfile.mkdtemp(prefix="chain-tutor-metrics-"))
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory


def prepare_database(app: Flask) -> None:
    """Migrate the database to the newest revision and load content into an empty one.

    Needs an app context. Migrations are skipped when ``AUTO_MIGRATE`` is
    false (an operator who runs ``chain-tutor db upgrade`` by hand).
    """
    if app.config["AUTO_MIGRATE"]:
        # A no-op when the database is already at head; creates everything when it is empty.
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
    if db.session.scalar(sa.select(sa.func.count()).select_from(Lesson)):
        return
    load_initial_content(app)


def load_initial_content(app: Flask) -> None:
    """Load ``CONTENT_DIR`` into the database (the loader validates, writes and commits)."""
    # Imported here, like the app in service.cli: every `chain-tutor` command
    # imports this module, and only `run` on an empty database needs the loader.
    from service.content.loader import load_content

    report = load_content(db.session, app.config["CONTENT_DIR"])
    log.info("loaded content from %s: %s", app.config["CONTENT_DIR"], report)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=click.IntRange(1),
              help="Worker processes (one per core: a turn is CPU-bound).")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1),
              help="Threads per worker (more overlap database waits but queue for the GIL).")
@click.option("--worker-class", type=click.Choice(list(WORKER_CLASSES)), default=DEFAULT_WORKER_CLASS,
              show_default=True,
              help="gunicorn worker class: gthread (facing browsers directly) "
                   "or sync (behind nginx, as docker-compose.yml runs it).")
@click.option("--deliver/--no-deliver", default=True, show_default=True,
              help="Deliver webhooks and grades from a child process (off when `chain-tutor worker` runs apart).")
@click.pass_obj
def run_command(script_info: ScriptInfo, host: str, port: int, workers: int, threads: int,
                worker_class: str, deliver: bool) -> None:
    """Serve Chain Tutor with gunicorn, preparing the database first."""
    made = prepare_metrics_directory()  # before the app (and so prometheus_client) is imported
    app: Flask = script_info.load_app()
    from service.observability.logs import logging_config

    # Not @with_appcontext: the context must be gone before gunicorn forks. A
    # worker that inherited it would run every request on its main thread
    # inside that one app context (Flask reuses an active context of the same
    # app), so ``g`` (the caller's identity) and the database session would
    # carry over from one request to the next: one learner's token answering
    # for another. The gthread worker happened to dodge this (its requests
    # run in fresh threads, with no inherited context); a sync worker did not.
    with app.app_context():
        prepare_database(app)
        db.session.remove()
        # Workers are forked from this process: they must not inherit its open
        # database connections, or two processes would talk over one socket.
        for engine in db.engines.values():
            engine.dispose()
    click.echo(f"Chain Tutor is serving on http://{bind_address(host, port)}/", err=True)
    options = server_options(host, port, workers, threads, worker_class)
    options["logconfig_dict"] = logging_config(app.config["LOG_FORMAT"])
    # Imported here: only `run` starts a delivery worker.
    from service.commands.worker import start_child_worker, stop_child_worker

    child = start_child_worker() if deliver else None
    freeze_startup_heap()
    try:
        StandaloneServer(app, options).run()
    finally:
        if child is not None:
            stop_child_worker(child)
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
