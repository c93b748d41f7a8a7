"""The data behind each chart, as plain JSON-ready dicts.

Templates embed these with ``|tojson`` inside ``<script
type="application/json">`` and ``static/dashboard.js`` hands them to
Chart.js; no learner text ever becomes script. Each dict is Chart.js's own
``{"type", "data": {"labels", "datasets"}}`` shape plus axis hints: an axis
marked ``"integer"`` counts whole things and gets whole-number ticks only.

Readable with one day of data or a year of it: bars keep a sensible width
(``maxBarThickness`` in dashboard.js), and a long range is drawn per week
(over :data:`DAILY_UP_TO` days) or per month (over :data:`WEEKLY_UP_TO`)
rather than as hundreds of slivers. The table under each chart keeps the
daily figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from service.dashboard.formatting import misconception_label

from service.usecases.dashboard import (
    CourseOverview,
    DifficultyReport,
    MisconceptionReport,
)
from service.usecases.dashboard.overview import DayRate

Chart = dict[str, Any]
DAILY_UP_TO = 62
WEEKLY_UP_TO = 366


def periods(days: Sequence[DayRate]) -> tuple[str, list[tuple[str, int, int]]]:
    """The days regrouped for the chart: ("day" | "week" | "month", [(label, started, solved)]).

    >>> from datetime import date
    >>> periods([DayRate(date(2025, 1, 2), 4, 1)])
    ('day', [('2025-01-02', 4, 1)])
    >>> unit, rows = periods([DayRate(date(2025, 1, 1), 2, 1), DayRate(date(2025, 3, 30), 3, 3)])
    >>> unit, rows[0], rows[-1]
    ('week', ('2024-12-30', 2, 1), ('2025-03-24', 3, 3))
    """
    if not days:
        return "day", []
    span = (days[-1].day - days[0].day).days
    if span <= DAILY_UP_TO:
        return "day", [(d.day.isoformat(), d.started, d.solved) for d in days]
    unit = "week" if span <= WEEKLY_UP_TO else "month"
    grouped: dict[str, list[int]] = {}
    for d in days:
        key = _period_start(d.day, unit)
        started, solved = grouped.setdefault(key, [0, 0])
        grouped[key] = [started + d.started, solved + d.solved]
    return unit, [(key, started, solved) for key, (started, solved) in grouped.items()]


def wrapped(label: str, width: int = 22) -> list[str] | str:
    """A long axis label as lines (Chart.js draws a list as several lines), so phones show it whole.

    >>> wrapped("Left out the inner derivative")
    ['Left out the inner', 'derivative']
    >>> wrapped("Sign error")
    'Sign error'
    """
    if len(label) <= width:
        return label
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _period_start(day: date, unit: str) -> str:
    if unit == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.strftime("%Y-%m")


def solve_rate_chart(overview: CourseOverview) -> Chart:
    """Solve rate (%) per day (or week, or month), with the problems started as a second series.

    >>> from service.usecases.dashboard.filters import CourseRef
    >>> from service.usecases.dashboard.overview import DayRate
    >>> from datetime import date
    >>> o = CourseOverview(CourseRef(1, "C", "X"), 0, 0, 0, 0, 4, 1, 0, [DayRate(date(2025, 1, 2), 4, 1)])
    >>> solve_rate_chart(o)["data"]["datasets"][0]["data"]
    [25]
    """
    unit, rows = periods(overview.solve_rate_by_day)
    return {
        "type": "line",
        "data": {
            "labels": [label for label, _, _ in rows],
            "datasets": [
                {"label": "Solve rate (%)", "yAxisID": "rate",
                 "data": [round(100 * solved / started) if started else 0 for _, started, solved in rows]},
                {"label": f"Problems started per {unit}", "yAxisID": "count", "type": "bar",
                 "data": [started for _, started, _ in rows]},
            ],
        },
        "axes": {"rate": {"min": 0, "max": 100, "position": "left", "title": "Solve rate (%)"},
                 "count": {"min": 0, "position": "right", "integer": True, "title": "Problems started"}},
    }


def misconception_chart(report: MisconceptionReport) -> Chart:
    """Wrong answers per misconception (this page of them), most frequent first."""
    items = report.misconceptions.items
    return {
        "type": "bar",
        "data": {
            "labels": [wrapped(misconception_label(m.name)) for m in items],
            "datasets": [{"label": "Wrong answers", "data": [m.attempts for m in items]}],
        },
        "horizontal": True,
        "axes": {"x": {"min": 0, "integer": True, "title": "Wrong answers"}},
    }


def difficulty_chart(report: DifficultyReport) -> Chart:
    """Share of correct answers per problem (this page of them), hardest first."""
    items = report.exercises.items
    return {
        "type": "bar",
        "data": {
            "labels": [wrapped(e.exercise_slug or e.expression) for e in items],
            "datasets": [{"label": "Correct answers (%)",
                          "data": [round(100 * (e.correct_rate or 0)) for e in items]}],
        },
        "horizontal": True,
        "axes": {"x": {"min": 0, "max": 100, "title": "Correct answers (%)"}},
    }
