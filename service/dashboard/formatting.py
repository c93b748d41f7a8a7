"""How the dashboard writes numbers: shares, durations, mastery colours.

Passed to the dashboard's templates by a context processor (not app-wide
filters), so their names never clash with other pages'.
"""

from __future__ import annotations

from datetime import datetime

MASTERY_BANDS = 5


def percent(value: float | None) -> str:
    """A share as a whole percentage; an empty share as a dash.

    >>> percent(0.456), percent(None)
    ('46%', '—')
    """
    return "—" if value is None else f"{value * 100:.0f}%"


def duration(milliseconds: float | None) -> str:
    """A duration for people: seconds, minutes or hours.

    >>> duration(4200), duration(185_000), duration(3_900_000), duration(None)
    ('4.2 s', '3 min 5 s', '1 h 5 min', '—')
    """
    if milliseconds is None:
        return "—"
    seconds = milliseconds / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def timestamp(value: datetime | None) -> str:
    """A UTC time to the minute.

    >>> from datetime import timezone
    >>> timestamp(datetime(2025, 3, 1, 14, 5, 9, tzinfo=timezone.utc))
    '2025-03-01 14:05 UTC'
    """
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def mastery_band(probability: float) -> int:
    """Which of :data:`MASTERY_BANDS` colour bands a mastery falls in (0 = lowest).

    >>> mastery_band(0.0), mastery_band(0.5), mastery_band(1.0)
    (0, 2, 4)
    """
    return min(int(probability * MASTERY_BANDS), MASTERY_BANDS - 1)


TEMPLATE_HELPERS = {
    "percent": percent,
    "duration": duration,
    "timestamp": timestamp,
    "mastery_band": mastery_band,
}
