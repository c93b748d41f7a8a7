"""gunicorn's threaded worker, made to share requests fairly between workers.

gunicorn's ``gthread`` worker listens for new connections whenever it has
room for more (``worker_connections``, 1000 by default), busy or not, and a
kept-alive connection then stays with the worker that accepted it. Under
load the connections split unevenly and stay split: 16 learners on 2 workers
of one thread split 12 to 4, and the twelve waited three times as long as the
four (p50 44 ms against 14, p99 70 against 24; bench/README.md).

:class:`FairThreadWorker` keeps one queue for all workers, the kernel's queue
of new connections on the shared listening socket:

- a worker listens only while one of its threads is free, so a waiting
  connection goes to the first worker to come free;
- when requests wait, behind the one it is answering or in the shared
  queue, the worker answers with ``Connection: close``: that client's next
  request joins the end of the shared queue instead of jumping it on a
  kept-alive connection (under full load every request goes through the
  one queue, first come first served, as with the ``sync`` worker);
- a new connection whose request has not arrived yet waits for it in the
  worker's poller, not in a thread (gunicorn's gthread gives it a thread for
  up to 5 s, which a browser's speculative connection, opened and left
  silent, holds: two of them stalled both workers).

With little load nothing waits, and connections stay alive as with gthread.
It relies on gunicorn's ``ThreadWorker`` internals (``enqueue_req``,
``finish_request``, ``set_accept_enabled``, ``max_keepalived``, the poller and
its pending connections), all used on the worker's main thread except
``max_keepalived``; ``pyproject.toml`` pins the gunicorn releases that have them.
"""

from __future__ import annotations

import errno
import select
import selectors
import socket
import time
from concurrent.futures import Future
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

# What accept() raises when another worker took the connection first, or the
# client gave up before it was accepted.
_NOTHING_TO_ACCEPT = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED)


class FairThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn is untyped
    """``gthread`` sharing one queue of requests with the other workers (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Requests handed to the thread pool and not finished: being answered, or waiting.
        self.in_flight = 0
        self._max_keepalived = 0
        super().__init__(*args, **kwargs)

    @property
    def max_keepalived(self) -> int:
        """How many idle connections may be kept; 0 (close this one) while others wait.

        gunicorn reads it in the request's thread just before answering:
        with ``len(keepalived_conns) >= max_keepalived`` the answer carries
        ``Connection: close``, so the client knows not to send another
        request on it.
        """
        if self.in_flight > self.cfg.threads or _readable(self.sockets):
            return 0
        return self._max_keepalived

    @max_keepalived.setter
    def max_keepalived(self, value: int) -> None:
        self._max_keepalived = value

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno in _NOTHING_TO_ACCEPT:
                return
            raise
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # leaves the socket non-blocking
        if _request_arrived(client):
            # The usual case under load: the client wrote its request while the
            # connection waited to be accepted. No need for a round in the poller.
            conn.data_ready = True
            self.enqueue_req(conn)
        else:
            self._wait_for_request(conn)

    def _wait_for_request(self, conn: TConn) -> None:
        # As gthread does with a connection whose request is slow to come
        # (finish_request's deferred branch): the poller hands it to a thread
        # once readable, and closes it if nothing came within keepalive seconds.
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))

    def enqueue_req(self, conn: TConn) -> None:
        self.in_flight += 1
        super().enqueue_req(conn)
        self._listen_if_free()

    def finish_request(self, conn: TConn, fs: Future[Any]) -> None:
        self.in_flight -= 1
        super().finish_request(conn, fs)  # may hand the connection's next request straight back
        self._listen_if_free()

    def set_accept_enabled(self, enabled: bool) -> None:
        # gunicorn's loop turns listening on whenever it is below worker_connections.
        super().set_accept_enabled(enabled and self.in_flight < self.cfg.threads)

    def _listen_if_free(self) -> None:
        self.set_accept_enabled(self.nr_conns < self.worker_connections)


def _readable(listeners: list[Any]) -> bool:
    """Whether connections wait to be accepted on any of the shared listening sockets."""
    ready, _, _ = select.select(listeners, [], [], 0)
    return bool(ready)


def _request_arrived(sock: socket.socket) -> bool:
    """Whether a non-blocking socket has bytes to read (or an error for the thread to meet)."""
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return False
    except OSError:
        pass  # reset: the thread reading the request sees it and closes the connection
    return True
