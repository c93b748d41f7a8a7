"""Secrets and signatures per Standard Webhooks 1.0.

A secret is ``whsec_`` + base64 of 24 random bytes (what the
``standardwebhooks`` package and Svix expect). The signature itself is made
by the ``standardwebhooks`` package, the same code receivers verify with:
``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``. While a rotated-out
secret still signs, each signature goes in the one header, space-separated;
a receiver accepts the message when any one of them matches its secret.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24


def new_secret() -> str:
    """A fresh signing secret.

    >>> s = new_secret()
    >>> s.startswith("whsec_") and len(base64.b64decode(s[6:])) == SECRET_BYTES
    True
    """
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signed_headers(message_id: str, body: str, signing_secrets: Iterable[str],
                   now: datetime | None = None) -> dict[str, str]:
    """The ``webhook-*`` headers (and content type) of one attempt to send ``body``.

    ``webhook-timestamp`` is the time of this attempt (receivers refuse
    messages more than five minutes old); ``webhook-id`` stays the same.
    """
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    signatures = [Webhook(secret).sign(message_id, moment, body) for secret in signing_secrets]
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
