"""``chain-tutor worker``: deliver webhooks (and LMS grades) from the outbox, apart from the web server.

``chain-tutor run`` starts one of these itself, as a child process that
ends with it, so the README's one command delivers; a deployment that runs
``chain-tutor run --no-deliver`` starts as many ``chain-tutor worker``
processes as it likes instead: they share the work through the database
(see :mod:`service.webhooks.worker`).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from types import FrameType

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import ScriptInfo

from service.extensions import db
from service.lti.grades import claim_scores, grade_sink, record_scores, send_score
from service.lti.launches import lti_identities
from service.lti.notices import process_notices
from service.webhooks.worker import DeliveryWorker, Queue, settings_from_config

# Scores to LMS gradebooks (AGS), delivered beside the webhooks.
GRADES = Queue(sink=grade_sink, claim=claim_scores, send=send_score, record=record_scores)

log = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 1.0


def build_worker(app: Flask) -> DeliveryWorker:
    """A delivery worker on ``app``'s database and settings."""
    with app.app_context():
        engine = db.engine
    return DeliveryWorker(lambda: sa.orm.Session(engine), settings_from_config(app.config),
                          lookup_lti=lti_identities, queues=[GRADES], tasks=[process_notices])


def _stop_when_parent_ends(worker: DeliveryWorker, parent_pid: int) -> None:
    """A child of ``chain-tutor run`` stops when that process is gone, even if it was killed outright."""
    while not worker.stop.wait(PARENT_CHECK_SECONDS):
        if os.getppid() != parent_pid:
            log.info("the server (pid %d) is gone; the delivery worker stops", parent_pid)
            worker.stop.set()


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--parent-pid", type=int, hidden=True, help="Stop when this process ends (set by run).")
@click.pass_obj
def worker_command(script_info: ScriptInfo, once: bool, parent_pid: int | None) -> None:
    """Deliver webhooks from the outbox until stopped (SIGTERM or Ctrl-C)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    worker = build_worker(script_info.load_app())
    if once:
        worker.drain()
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        worker.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if parent_pid is not None:
        threading.Thread(target=_stop_when_parent_ends, args=(worker, parent_pid), daemon=True).start()
    click.echo("Chain Tutor delivery worker started", err=True)
    worker.run_forever()


def start_child_worker() -> subprocess.Popen[bytes]:
    """``chain-tutor worker`` as a child of this process, with the same environment."""
    command = [sys.executable, "-c", "from service.cli import main; main()",
               "worker", "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command)


def stop_child_worker(child: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Ask the child to finish its round and stop; kill it if it will not."""
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
