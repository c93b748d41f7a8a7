"""A lean keep-alive HTTP/1.1 client for the benches' load generators.

The benches drive the real server from threads on the same 2-core machine,
so every millisecond of CPU the load generator spends is taken from the
server it measures, and shows up as the server's latency. ``requests``
spends ~2 ms of CPU per request here (more than a ping costs the server);
this client does only what the drivers need, straight on
:class:`http.client.HTTPConnection`, for a fraction of that.

One client per load-generator thread (it is not thread-safe), one
connection per client, kept alive between requests::

    with KeepAliveClient("http://127.0.0.1:5000") as client:
        client.post("/api/v1/solve", json={"expression": "(2x+1)^3"}).json()
"""

from __future__ import annotations

import http.client
import json as jsonlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# What a kept-alive connection raises when the server closed it while it was
# idle (gunicorn drops idle ones after its keep-alive timeout, 2 s): a send
# into the closed socket (BrokenPipeError), or a reset or an empty answer
# where the status line should be (http.client.RemoteDisconnected is a
# ConnectionResetError).
STALE_CONNECTION_ERRORS = (ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class Response:
    """An answer, read in full: its status and body."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        """The body, decoded as JSON."""
        return jsonlib.loads(self.content)


class KeepAliveClient:
    """Requests to one server over one kept-alive connection.

    ``base_url`` is ``http://host:port`` with an optional path prefix that
    every request's ``path`` is appended to. ``timeout`` (seconds) bounds
    connecting and each wait for the socket.
    """

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"expected http://host[:port][/prefix], got {base_url!r}")
        self._prefix = parts.path.rstrip("/")
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        """``GET`` ``path``."""
        return self.request("GET", path, headers=headers)

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Response:
        """``POST`` ``path``, with ``json`` (if given) encoded as the body."""
        if json is None:
            return self.request("POST", path, headers=headers)
        body = jsonlib.dumps(json).encode()
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
        return self.request("POST", path, body, headers)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """Send one request and read its answer, reconnecting once if the connection had gone stale.

        Only a connection that already carried a request is retried: on it,
        these errors almost always mean the server closed it while idle,
        before this request arrived. (A server that read the request and
        then died without answering would get it twice; for a bench that is
        an acceptable price.) On a new connection they are real failures and
        propagate.
        """
        reused = self._connection.sock is not None
        try:
            return self._exchange(method, path, body, headers)
        except STALE_CONNECTION_ERRORS:
            self._connection.close()  # also resets http.client's request state
            if not reused:
                raise
        return self._exchange(method, path, body, headers)

    def _exchange(self, method: str, path: str, body: bytes | None,
                  headers: dict[str, str] | None) -> Response:
        # http.client opens the connection when it has none, and closes it
        # after an answer that says "Connection: close".
        self._connection.request(method, self._prefix + path, body, headers or {})
        answer = self._connection.getresponse()
        return Response(answer.status, answer.read())

    def close(self) -> None:
        """Close the connection (a later request opens a new one)."""
        self._connection.close()

    def __enter__(self) -> KeepAliveClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
