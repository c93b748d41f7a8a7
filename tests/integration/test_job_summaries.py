"""The overview's job-kept summaries: after ``chain-tutor dashboards refresh`` the
solve-rate chart and the outcome counts are what counting every problem and
conversation gives; what was set since the run shows at once, and an older
problem's new outcome shows after the next run (the lag the docs promise).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from service.cli import main
from service.models import Conversation, CourseDayProblems, CourseOutcomeCount, ProblemRecord, SummaryRefresh, utcnow
from service.usecases import dashboard as queries
from service.usecases.conversations import post_message, start_conversation
from service.usecases.dashboard.job_summaries import IN_FLIGHT_MARGIN, refresh_course_outcomes, refresh_problem_days
from service.usecases.dashboard.overview import solve_rate_by_day
from tests.factories import make_course, make_instructor, make_learner
from tests.integration.conftest import *


def chart(session: Session, flt: queries.DashboardFilter) -> list[tuple[object, int, int]]:
    return [(d.day, d.started, d.solved) for d in solve_rate_by_day(session, flt)]


def live_chart(session: Session, flt: queries.DashboardFilter) -> list[tuple[object, int, int]]:
    """The chart counted from every problem: what it was before the job existed."""
    session.execute(sa.delete(SummaryRefresh))
    try:
        return chart(session, flt)
    finally:
        session.rollback()


def test_the_chart_from_the_job_is_the_chart_from_every_problem(db_session: Session) -> None:
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    other = make_course(db_session, teacher.id, "Calculus II")
    ada = make_learner(db_session, "Ada", courses=(course.code,)).id
    bob = make_learner(db_session, "Bob", courses=(other.code,)).id
    solved = start_conversation(db_session, ada, expression="(2x+1)^3").id
    post_message(db_session, ada, solved, "6(2x+1)^2")
    open_problem = start_conversation(db_session, ada, expression="sin(x^2)").id
    start_conversation(db_session, bob, expression="e^(2x)")
    flt = queries.DashboardFilter(course_id=course.id)
    before = chart(db_session, flt)
    assert sum(started for _, started, _ in before) == 2 and sum(s for _, _, s in before) == 1

    assert refresh_problem_days(db_session, before=utcnow()) == 2  # a day in each course
    db_session.commit()
    assert db_session.scalar(sa.select(sa.func.sum(CourseDayProblems.started))) == 3
    assert chart(db_session, flt) == before

    # Set after the run: counted live, at once.
    start_conversation(db_session, ada, expression="cos(3x)")
    assert sum(started for _, started, _ in chart(db_session, flt)) == 3
    # Set before the run and solved after it: the day shows it after the next run.
    post_message(db_session, ada, open_problem, "2x cos(x^2)")
    lagging = chart(db_session, flt)
    assert sum(s for _, _, s in lagging) == 1
    assert sum(s for _, _, s in live_chart(db_session, flt)) == 2
    refresh_problem_days(db_session, before=utcnow())
    db_session.commit()
    assert chart(db_session, flt) == live_chart(db_session, flt)
    assert sum(s for _, _, s in chart(db_session, flt)) == 2
    # A date range and a name search give what counting every problem gives.
    for narrowed in (queries.DashboardFilter(course_id=course.id, since=utcnow().date()),
                     queries.DashboardFilter(course_id=course.id, until=utcnow().date() - timedelta(days=1)),
                     queries.DashboardFilter(course_id=course.id, search="ada")):
        assert chart(db_session, narrowed) == live_chart(db_session, narrowed)


def test_chain_tutor_dashboards_refresh_counts_and_records_the_moment(runner: FlaskCliRunner,
                                                                      db_session: Session) -> None:
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    ada = make_learner(db_session, "Ada", courses=(course.code,)).id
    start_conversation(db_session, ada, expression="(2x+1)^3")
    # Set long enough ago for the job (a problem of the last minute is left to the live count).
    db_session.execute(sa.update(ProblemRecord).values(created_at=utcnow() - 2 * IN_FLIGHT_MARGIN))
    db_session.commit()
    db_session.execute(sa.update(Conversation).values(created_at=utcnow() - 2 * IN_FLIGHT_MARGIN))
    db_session.commit()
    result = runner.invoke(main, ["dashboards", "refresh"])
    assert result.exit_code == 0, result.output
    assert "course_day_problems 1 rows, course_outcome_counts 1 rows" in result.output
    db_session.rollback()
    assert db_session.scalar(sa.select(CourseDayProblems.started)) == 1
    assert db_session.get(SummaryRefresh, "course_day_problems") is not None
    assert db_session.scalar(sa.select(CourseOutcomeCount.conversations)) == 1


def outcomes(session: Session, instructor: int, flt: queries.DashboardFilter) -> dict[str, int]:
    return queries.who_needs_help(session, instructor, flt).outcomes


def test_outcome_counts_from_the_job_are_the_counts_of_every_conversation(db_session: Session) -> None:
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    ada = make_learner(db_session, "Ada", courses=(course.code,)).id
    solved = start_conversation(db_session, ada, expression="(2x+1)^3").id
    post_message(db_session, ada, solved, "6(2x+1)^2")
    start_conversation(db_session, ada, expression="sin(x^2)")
    flt = queries.DashboardFilter(course_id=course.id)
    before = outcomes(db_session, teacher.id, flt)
    assert before["solved"] == 1 and before["in_progress"] == 1

    refresh_course_outcomes(db_session, before=utcnow())
    db_session.commit()
    assert outcomes(db_session, teacher.id, flt) == before
    start_conversation(db_session, ada, expression="cos(3x)")  # started since: counted at once
    # (starting it abandoned the open sin(x^2): an older conversation's new outcome, after the next run)
    lagging = outcomes(db_session, teacher.id, flt)
    assert sum(lagging.values()) == 3 and lagging["in_progress"] == 2
    refresh_course_outcomes(db_session, before=utcnow())
    db_session.commit()
    now = outcomes(db_session, teacher.id, flt)
    assert now["abandoned"] == 1 and now["in_progress"] == 1 and now["solved"] == 1
    # A name search or a date range counts every conversation itself.
    db_session.execute(sa.delete(CourseOutcomeCount))
    assert outcomes(db_session, teacher.id, queries.DashboardFilter(course_id=course.id, search="ada")) == now
    db_session.rollback()
    assert db_session.get(SummaryRefresh, "course_outcome_counts") is not None
