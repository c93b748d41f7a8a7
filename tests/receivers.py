"""A real webhook receiver for tests: a local HTTP server on an ephemeral
port that verifies every request with the ``standardwebhooks`` package, as
a subscriber would, and records what it accepted in arrival order.

Its behaviour can be changed while it runs: ``down`` answers 503 (with
``retry_after`` as ``Retry-After`` when set), ``gone`` answers 410.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops the connections of a worker sending 8 at once,
    # and a dropped SYN is retried only after a second.
    request_queue_size = 128
    daemon_threads = True


@dataclass
class Received:
    id: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """The receiver's state, shared with its request handler."""

    url: str = ""
    secret: str | None = None
    down: bool = False
    gone: bool = False
    retry_after: str | None = None
    hold: threading.Event | None = None  # when set, requests wait for it before answering
    accepted: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str]]:
        with self.lock:
            self.requests += 1
        if self.hold is not None:
            self.hold.wait(10)
        if self.gone:
            return 410, {}
        if self.down:
            return 503, {"Retry-After": self.retry_after} if self.retry_after else {}
        try:
            body = Webhook(self.secret or "").verify(raw, headers)
        except WebhookVerificationError as error:
            with self.lock:
                self.rejected.append(str(error))
            return 400, {}
        with self.lock:
            self.accepted.append(Received(headers["webhook-id"], headers, body))
        return 204, {}

    def ids(self) -> list[str]:
        with self.lock:
            return [item.id for item in self.accepted]


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """Serve a :class:`Receiver` on 127.0.0.1 (port 0) for the block's duration."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, extra = receiver.handle(headers, raw)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def parsed(received: Received) -> tuple[str, str]:
    """(type, learner) of a received event, for order checks."""
    return received.body["type"], json.dumps(received.body["data"].get("learner_id"))
