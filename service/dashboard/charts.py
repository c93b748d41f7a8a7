"""The data behind each chart, as plain JSON-ready dicts.

Templates embed these with ``|tojson`` inside ``<script
type="application/json">`` and ``static/dashboard.js`` hands them to
Chart.js; no learner text ever becomes script. Each dict is Chart.js's own
``{"type", "data": {"labels", "datasets"}}`` shape plus an axis hint.
"""

from __future__ import annotations

from typing import Any

from service.usecases.dashboard import (
    CourseOverview,
    DifficultyReport,
    MisconceptionReport,
)

Chart = dict[str, Any]


def solve_rate_chart(overview: CourseOverview) -> Chart:
    """Solve rate (%) per day, with the problems started as a second series.

    >>> from service.usecases.dashboard.filters import CourseRef
    >>> from service.usecases.dashboard.overview import DayRate
    >>> from datetime import date
    >>> o = CourseOverview(CourseRef(1, "C", "X"), 0, 0, 0, 0, 4, 1, 0, [DayRate(date(2025, 1, 2), 4, 1)])
    >>> solve_rate_chart(o)["data"]["datasets"][0]["data"]
    [25.0]
    """
    days = overview.solve_rate_by_day
    return {
        "type": "line",
        "data": {
            "labels": [d.day.isoformat() for d in days],
            "datasets": [
                {"label": "Solve rate (%)", "yAxisID": "rate",
                 "data": [round(100 * (d.solve_rate or 0), 1) for d in days]},
                {"label": "Problems started", "yAxisID": "count", "type": "bar",
                 "data": [d.started for d in days]},
            ],
        },
        "axes": {"rate": {"min": 0, "max": 100, "position": "left"}, "count": {"min": 0, "position": "right"}},
    }


def misconception_chart(report: MisconceptionReport) -> Chart:
    """Wrong answers per misconception (this page of them), most frequent first."""
    items = report.misconceptions.items
    return {
        "type": "bar",
        "data": {
            "labels": [m.name.replace("_", " ") for m in items],
            "datasets": [{"label": "Wrong answers", "data": [m.attempts for m in items]}],
        },
        "horizontal": True,
    }


def difficulty_chart(report: DifficultyReport) -> Chart:
    """Share of correct answers per problem (this page of them), hardest first."""
    items = report.exercises.items
    return {
        "type": "bar",
        "data": {
            "labels": [e.exercise_slug or e.expression for e in items],
            "datasets": [{"label": "Correct answers (%)",
                          "data": [round(100 * (e.correct_rate or 0), 1) for e in items]}],
        },
        "horizontal": True,
        "axes": {"x": {"min": 0, "max": 100}},
    }
