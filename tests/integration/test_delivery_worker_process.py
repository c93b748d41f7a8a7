"""The delivery worker as the separate process `chain-tutor worker` is:
killed outright in the middle of a delivery, it loses nothing, and the
event is sent again with the same ``webhook-id``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask

from service.extensions import db
from service.models import WebhookDelivery
from service.usecases.webhooks import create_webhook
from service.webhooks.worker import DeliveryWorker, WorkerSettings
from tests.factories import make_conversation, make_course, make_instructor, make_learner
from tests.receivers import running_receiver


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_process_killed_mid_delivery_loses_nothing(
        app: Flask, database_url: str, instance_path: str) -> None:
    with app.app_context():
        engine = db.engine
    with sa.orm.Session(engine) as session, running_receiver() as receiver:
        teacher = make_instructor(session)
        course = make_course(session, teacher.id)
        learner = make_learner(session, courses=(course.code,))
        hook = create_webhook(session, teacher.id, course.id, receiver.url, allow_private=True)
        receiver.secret = hook.secret
        conversation = make_conversation(session, learner.id, status="solved")
        session.execute(sa.text("UPDATE outbox_events SET payload = :p"),
                        {"p": f'{{"course_id": {course.id}, "by_learner": true, '
                              f'"conversation_id": "{conversation.id}", "expression": "x", "variable": "x"}}'})
        session.commit()

        receiver.hold = threading.Event()  # the receiver takes the request and does not answer yet
        environment = {**os.environ, "DATABASE_URL": database_url, "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
                       "DELIVERY_LEASE_SECONDS": "1", "SECRET_KEY": "test"}
        child = subprocess.Popen([sys.executable, "-c", "from service.cli import main; main()", "worker"],
                                 env=environment, stderr=subprocess.DEVNULL)
        try:
            assert wait_for(lambda: receiver.requests == 1), "the worker never sent"
            child.send_signal(signal.SIGKILL)  # mid-delivery: sent, no answer recorded
            child.wait(10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        receiver.hold.set()
        assert wait_for(lambda: len(receiver.accepted) == 1)
        first = receiver.ids()
        delivery = session.scalar(sa.select(WebhookDelivery))
        assert delivery.status == "pending" and delivery.lease_until is not None  # the dead worker's lease

        receiver.hold = None
        survivor = DeliveryWorker(lambda: sa.orm.Session(engine),
                                  WorkerSettings(allow_private_targets=True, lease_seconds=1))
        assert wait_for(lambda: survivor.run_once() > 0 and len(receiver.accepted) == 2)
        assert receiver.ids() == first * 2  # at least once, the same webhook-id
        session.expire_all()
        assert session.scalar(sa.select(WebhookDelivery.status)) == "delivered"
