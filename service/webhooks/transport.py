"""Posting one signed event to a checked target.

Standard library ``http.client``: it never follows redirects, and its
connection can be pointed at the address :mod:`.targets` checked while the
``Host`` header and TLS certificate check still use the URL's host name.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from service.webhooks.targets import Target

TIMEOUT_SECONDS = 15.0
# Enough of a receiver's answer to show in the delivery log.
RESPONSE_EXCERPT = 200


@dataclass(frozen=True)
class SendResult:
    """What came of one attempt: a status code, or an error before any."""

    status_code: int | None
    retry_after: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a fixed address, whatever the host name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address; the certificate is still checked against the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> SendResult:
    """POST ``body`` to ``target``; any 3xx is an answer like any other, never followed."""
    factory = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = factory(target, timeout)
    try:
        connection.request("POST", target.path, body=body,
                           headers={**headers, "user-agent": "ChainTutor-Webhooks/1"})
        response = connection.getresponse()
        response.read(RESPONSE_EXCERPT)
        return SendResult(response.status, retry_after=response.getheader("retry-after"))
    except (OSError, http.client.HTTPException) as error:
        return SendResult(None, error=f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
