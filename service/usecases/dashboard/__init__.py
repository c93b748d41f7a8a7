"""The instructor dashboards' queries: one function per page, plain values out.

Every function takes the session, the calling instructor's id and a
:class:`DashboardFilter` naming one of that instructor's courses (another
instructor's course is :class:`~service.usecases.errors.NotFound`), and
returns frozen dataclasses holding only what the page shows of a learner.

>>> from service.usecases.dashboard import DashboardFilter, PageRequest
>>> PageRequest(page=2, per_page=25).offset
25
"""

from service.usecases.dashboard.attention import AttentionReport, who_needs_help
from service.usecases.dashboard.exercises import (
    DifficultyReport,
    ExerciseDifficulty,
    exercise_difficulty,
)
from service.usecases.dashboard.export import (
    ATTEMPT_COLUMNS,
    MASTERY_COLUMNS,
    export_attempts_csv,
    export_mastery_csv,
    export_problems_csv,
)
from service.usecases.dashboard.filters import (
    IDLE_CAP_MS,
    CourseRef,
    DashboardFilter,
    Page,
    PageRequest,
    owned_course,
)
from service.usecases.dashboard.mastery import MasteryHeatmap, mastery_heatmap
from service.usecases.dashboard.misconceptions import (
    MisconceptionReport,
    frequent_misconceptions,
)
from service.usecases.dashboard.overview import CourseOverview, course_overview
from service.usecases.dashboard.timeline import LearnerTimeline, learner_timeline

__all__ = [
    "ATTEMPT_COLUMNS",
    "AttentionReport",
    "IDLE_CAP_MS",
    "MASTERY_COLUMNS",
    "CourseOverview",
    "CourseRef",
    "DashboardFilter",
    "DifficultyReport",
    "ExerciseDifficulty",
    "LearnerTimeline",
    "MasteryHeatmap",
    "MisconceptionReport",
    "Page",
    "PageRequest",
    "course_overview",
    "exercise_difficulty",
    "export_attempts_csv",
    "export_mastery_csv",
    "export_problems_csv",
    "frequent_misconceptions",
    "learner_timeline",
    "mastery_heatmap",
    "owned_course",
    "who_needs_help",
]
