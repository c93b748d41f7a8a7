"""When a failed delivery is tried again.

The Standard Webhooks schedule: at once, then after 5 s, 5 min, 30 min,
2 h, 5 h, 10 h, 14 h, 20 h and 24 h; each delay gets up to a fifth more at
random, so that a receiver coming back is not hit by every retry in the
same second. A receiver's ``Retry-After`` (seconds or an HTTP date) is
honoured as a lower bound, capped at a day.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

# Delays before attempt 1, 2, ... in seconds; a delivery that fails the last is given up.
DEFAULT_SCHEDULE: tuple[float, ...] = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600,
                                       14 * 3600, 20 * 3600, 24 * 3600)
JITTER = 0.2
MAX_RETRY_AFTER = 24 * 3600.0


def next_delay(schedule: Sequence[float], attempts_made: int, retry_after: float | None = None,
               rng: random.Random | None = None) -> float | None:
    """Seconds to wait before the next attempt, or ``None`` when there is none left.

    >>> next_delay((0, 5, 300), 1, rng=random.Random(1)) >= 5
    True
    >>> next_delay((0, 5, 300), 3) is None
    True
    >>> next_delay((0, 5, 300), 1, retry_after=60.0) >= 60
    True
    """
    if attempts_made >= len(schedule):
        return None
    base = float(schedule[attempts_made])
    delay = base + base * JITTER * (rng or random).random()
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from now (``None`` when absent or unreadable).

    >>> parse_retry_after("120")
    120.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", datetime(2015, 10, 21, 7, 27, tzinfo=timezone.utc))
    60.0
    >>> parse_retry_after("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


def after(now: datetime, seconds: float) -> datetime:
    """``now`` plus ``seconds``."""
    return now + timedelta(seconds=seconds)


def attempt_values(attempts_before: int, ok: bool, status_code: int | None, error: str | None,
                   now: datetime, delay: float | None) -> dict[str, Any]:
    """A leased delivery row's new values after one attempt, its lease released.

    Delivered when ``ok``; else due again after ``delay`` seconds, or failed
    for good when ``delay`` is None (the schedule is spent, or the receiver
    said never again). Webhook deliveries and LTI score deliveries share it.

    >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> attempt_values(0, False, 503, None, now, 5.0)["next_attempt_at"].second
    5
    >>> attempt_values(2, False, 410, None, now, None)["status"], attempt_values(0, True, 200, None, now, None)["status"]
    ('failed', 'delivered')
    """
    values: dict[str, Any] = {"attempts": attempts_before + 1, "last_status_code": status_code,
                              "last_error": error, "lease_until": None, "lease_token": None}
    if ok:
        values.update(status="delivered", delivered_at=now)
    elif delay is None:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = after(now, delay)
    return values
