"""How the dashboard writes numbers: shares, durations, mastery colours.

Passed to the dashboard's templates by a context processor (not app-wide
filters), so their names never clash with other pages'.
"""

from __future__ import annotations

from datetime import datetime

from service.calculus.misconceptions import label as misconception_label
from service.tutor.outcomes import OUTCOME_LABELS

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


def outcome_label(outcome: str) -> str:
    """A teacher's words for an outcome (the stored name when unknown).

    >>> outcome_label("solved_with_hints"), outcome_label("gave_up")
    ('solved with hints', 'gave up')
    """
    return OUTCOME_LABELS.get(outcome, outcome)


TEMPLATE_HELPERS = {
    "outcome_label": outcome_label,
    "misconception_label": misconception_label,
    "percent": percent,
    "duration": duration,
    "timestamp": timestamp,
    "mastery_band": mastery_band,
}
