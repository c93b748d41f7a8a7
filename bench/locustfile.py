"""Learners for Locust: they start a problem, think, answer, and resend what timed out.

Each simulated learner registers, starts a conversation on one of
``bench_tutor.SCRIPTS``' problems and works through its script, thinking
``THINK_MIN``..``THINK_MAX`` seconds (5..15 by default) between messages, as
a person typing maths does. Every message carries an ``Idempotency-Key``;
when the answer does not come (a connection error, a timeout, a 429, a
5xx), the learner sends the same message with the same key again, up to
``MAX_TRIES`` times, as the widget does. Each acknowledged turn (a 200) is
written to ``ACK_FILE`` (JSON lines), so that ``bench_faults.py`` can check
the database afterwards: every acknowledged message stored once, none lost.

    locust -f bench/locustfile.py --headless -u 1000 -r 50 -t 120s --host http://127.0.0.1:5270
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid

from locust import HttpUser, between, events, task

from bench_tutor import SCRIPTS

THINK = (float(os.environ.get("THINK_MIN", 5)), float(os.environ.get("THINK_MAX", 15)))
MAX_TRIES = int(os.environ.get("MAX_TRIES", 6))
TIMEOUT = float(os.environ.get("REQUEST_TIMEOUT", 10))
ACK_FILE = os.environ.get("ACK_FILE", "acks.jsonl")
_ack_lock = threading.Lock()
RETRIES = {"count": 0}


def acknowledge(record: dict[str, object]) -> None:
    with _ack_lock, open(ACK_FILE, "a") as out:
        out.write(json.dumps(record) + "\n")


class Learner(HttpUser):
    """One learner working through scripted conversations at a human pace."""

    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.headers: dict[str, str] = {}
        self.conversation: str | None = None
        self.script: tuple[str, ...] = ()
        self.said = 0
        # The key of the message not answered yet: kept until it is, across give-ups, so
        # that the same message is never sent under two keys.
        self.pending_key: str | None = None
        body = self.send("POST", "/api/v1/learners", {}, "/api/v1/learners", expect=201)
        if body is not None:
            self.headers = {"Authorization": f"Bearer {body['token']}"}

    @task
    def next_message(self) -> None:
        if not self.headers:
            self.on_start()
            return
        if self.conversation is None or self.said == len(self.script):
            expression, self.script = random.choice(SCRIPTS)
            body = self.send("POST", "/api/v1/conversations", {"expression": expression},
                             "/api/v1/conversations", expect=201)
            if body is not None:
                self.conversation, self.said = body["id"], 0
            return
        text = self.script[self.said]
        key = self.pending_key = self.pending_key or str(uuid.uuid4())
        body = self.send("POST", f"/api/v1/conversations/{self.conversation}/messages", {"text": text},
                         "/api/v1/conversations/[id]/messages", expect=200, key=key)
        if body is not None:
            acknowledge({"conversation": self.conversation, "key": key, "text": text,
                         "position": body["messages"][0]["position"] - 1})
            self.said += 1
            self.pending_key = None

    def send(self, method: str, path: str, body: dict[str, object], name: str, expect: int,
             key: str | None = None) -> dict | None:
        """Send until answered (same key on every try); the answer's JSON, or None after MAX_TRIES."""
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        for attempt in range(MAX_TRIES):
            if attempt:
                RETRIES["count"] += 1
                time.sleep(min(8.0, 0.5 * 2 ** attempt) * random.uniform(0.5, 1.0))
            with self.client.request(method, path, json=body, headers=headers, name=name, timeout=TIMEOUT,
                                     catch_response=True) as response:
                if response.status_code == expect:
                    response.success()
                    return response.json()
                if response.status_code in (0, 409, 429) or response.status_code >= 500:
                    response.failure(f"{response.status_code}: will resend")
                    continue
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
        return None


@events.quitting.add_listener
def report_retries(environment, **kwargs) -> None:  # noqa: ANN001 - Locust's hook signature
    print(f"client resends: {RETRIES['count']}")
