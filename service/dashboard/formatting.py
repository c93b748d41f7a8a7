"""How the dashboard writes numbers and names: shares, durations, counts,
mastery colours, misconceptions and outcomes in words.

Passed to the dashboard's templates by a context processor (not app-wide
filters), so their names never clash with other pages'.
"""

from __future__ import annotations

from datetime import datetime

from service.calculus.misconceptions import label as record_label
from service.tutor.outcomes import OUTCOME_LABELS as OUTCOME_WORDS

MASTERY_BANDS = 5

OTHER_MISCONCEPTION = "Other (not a known misconception)"


def misconception_label(name: str | None) -> str:
    """A misconception in words, from its record; ``None`` (an unrecognised wrong answer) is "other".

    >>> misconception_label("sign_error"), misconception_label(None)
    ('Sign error', 'Other (not a known misconception)')
    """
    return OTHER_MISCONCEPTION if name is None else record_label(name)


def outcome_label(outcome: str) -> str:
    """An outcome in a teacher's words, as a heading (the vocabulary of service.tutor.outcomes).

    >>> outcome_label("solved_with_hints"), outcome_label("gave_up")
    ('Solved with hints', 'Gave up')
    """
    return OUTCOME_WORDS.get(outcome, outcome.replace("_", " ")).capitalize()


def count(number: int, thing: str, things: str | None = None) -> str:
    """``number`` with its noun, singular or plural.

    >>> count(1, "hint"), count(3, "hint"), count(0, "attempt"), count(2, "day", "days")
    ('1 hint', '3 hints', '0 attempts', '2 days')
    """
    return f"{number} {thing if number == 1 else (things or thing + 's')}"


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
    "count": count,
    "misconception_label": misconception_label,
    "outcome_label": outcome_label,
    "percent": percent,
    "duration": duration,
    "timestamp": timestamp,
    "mastery_band": mastery_band,
}
