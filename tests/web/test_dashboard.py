"""The instructors' dashboards through the Flask test client: login, CSRF,
who sees what, the figures each page shows for seeded data, CSV exports,
filters and pagination.

Data is seeded with the factories straight into the database (attempts
and mastery rows as the conversation use cases would write them), so each
figure on a page can be checked against a hand count.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.extensions import db
from service.models import Conversation, Course, Instructor, Learner, Message, ProblemRecord
from service.usecases.credentials import hash_password
from tests.factories import (
    DEFAULT_PASSWORD,
    make_attempt,
    make_conversation,
    make_course,
    make_instructor,
    make_learner,
    make_mastery,
)
from tests.integration.conftest import *

HOSTILE = "<script>alert(1)</script>"


@dataclass(frozen=True)
class World:
    """A teacher's course with Ada and Bob in it, and a stranger's course with Cy.

    Ada: one solved conversation today (a sign error, then right; a
    missing inner derivative in an older conversation 20 days ago), mastery
    in two skills. Bob: one unsolved conversation today, a wrong answer
    with a hostile text, last seen 10 days ago. Cy belongs to the stranger.
    """

    teacher_email: str
    stranger_email: str
    course_id: int
    course_code: str
    other_course_id: int
    ada: str
    bob: str
    cy: str
    ada_conversation: str
    today: date


def minutes_ago_today(now: datetime, minutes: float) -> datetime:
    """`minutes` before `now`, squeezed into today's date when `now` is just past midnight.

    The world's "today" rows must share the server's date: a suite that ran at 00:10 UTC put
    "half an hour ago" on yesterday, and every "today" assertion failed. Scaling keeps the rows
    in the past and in their order.
    """
    since_midnight = now - datetime.combine(now.date(), time(), UTC)
    latest = timedelta(minutes=31)
    ago = timedelta(minutes=minutes)
    if since_midnight < latest:
        ago = ago * (since_midnight / latest)
    return now - ago


@pytest.fixture
def session(app: Flask) -> Iterator[sa.orm.Session]:
    """A session of its own (not the app context's, which the client would share)."""
    with app.app_context():
        engine = db.engine
    with sa.orm.Session(engine) as session:
        yield session


def conversation_at(session: sa.orm.Session, learner_id: str, when: datetime, **fields: object) -> Conversation:
    conversation = make_conversation(session, learner_id, **fields)
    conversation.created_at = conversation.updated_at = when
    session.execute(sa.update(ProblemRecord).where(ProblemRecord.conversation_id == conversation.id)
                    .values(created_at=when, updated_at=when))
    session.commit()
    return conversation


@pytest.fixture
def world(session: sa.orm.Session) -> World:
    now = datetime.now(UTC)
    teacher = make_instructor(session, email="teacher@example.org", name="Grace")
    stranger = make_instructor(session, email="stranger@example.org", name="Sam")
    course = make_course(session, teacher.id, "Calculus I")
    other = make_course(session, stranger.id, "Physics")
    ada = make_learner(session, "Ada Lovelace", courses=(course.code,))
    bob = make_learner(session, "Bob", courses=(course.code,))
    cy = make_learner(session, "Cy", courses=(other.code,))
    session.get(Learner, bob.id).last_seen_at = now - timedelta(days=10)  # type: ignore[union-attr]
    session.commit()

    solved = conversation_at(session, ada.id, minutes_ago_today(now, 30), status="solved")
    make_attempt(session, solved, correct=False, answer="-6(2x+1)^2", misconception="sign_error",
                 skill="multiply_factors", latency_ms=4_000, created_at=minutes_ago_today(now, 29))
    make_attempt(session, solved, correct=True, answer="6(2x+1)^2", skill="multiply_factors",
                 latency_ms=10_000_000, hints_used=1, created_at=minutes_ago_today(now, 28))
    session.add_all([
        Message(conversation_id=solved.id, position=0, role="tutor", kind="question",
                text="Differentiate (2x+1)^3. What is the inner function?"),
        Message(conversation_id=solved.id, position=1, role="learner", kind="answer", text="-6(2x+1)^2"),
    ])
    old = conversation_at(session, ada.id, now - timedelta(days=20), expression="e^(-x^2)")
    make_attempt(session, old, correct=False, answer="e^(-x^2)", misconception="missing_inner_derivative",
                 skill="inner_derivative", latency_ms=2_000, created_at=now - timedelta(days=20))
    unsolved = conversation_at(session, bob.id, minutes_ago_today(now, 10))
    make_attempt(session, unsolved, correct=False, answer=HOSTILE, misconception="sign_error",
                 skill="outer_derivative", latency_ms=6_000, created_at=minutes_ago_today(now, 9))
    theirs = conversation_at(session, cy.id, minutes_ago_today(now, 5))
    make_attempt(session, theirs, correct=False, answer="cy's answer", misconception="composed_derivatives")
    make_mastery(session, ada.id, "outer_derivative", 0.91, attempts=4)
    make_mastery(session, ada.id, "multiply_factors", 0.35, attempts=2)
    make_mastery(session, bob.id, "outer_derivative", 0.5, attempts=1)
    make_mastery(session, cy.id, "outer_derivative", 0.05, attempts=3)
    return World(teacher_email=teacher.email, stranger_email=stranger.email, course_id=course.id,
                 course_code=course.code, other_course_id=other.id, ada=ada.id, bob=bob.id, cy=cy.id,
                 ada_conversation=solved.id, today=now.date())


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def log_in(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD, **extra: str):
    token = csrf_from(client.get("/dashboard/login").get_data(as_text=True))
    return client.post("/dashboard/login", data={"email": email, "password": password,
                                                 "csrf_token": token, **extra})


@pytest.fixture
def teacher(client: FlaskClient, world: World) -> FlaskClient:
    """The test client, logged in as the course's teacher."""
    assert log_in(client, world.teacher_email).status_code == 302
    return client


def page_text(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, f"no figure {name}"
    return found.group(1)


# Login, logout and CSRF ---------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login_page(client: FlaskClient, world: World) -> None:
    response = client.get(f"/dashboard/courses/{world.course_id}/mastery")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dashboard/login?next=")
    assert "mastery" in response.headers["Location"]
    assert client.get(f"/dashboard/courses/{world.course_id}/export/attempts.csv").status_code == 302


def test_login_sets_a_safe_session_cookie_and_goes_where_asked(client: FlaskClient, world: World) -> None:
    target = f"/dashboard/courses/{world.course_id}/mastery"
    response = log_in(client, world.teacher_email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == target
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Ada Lovelace" in page_text(client, target)


def test_login_never_redirects_off_site(client: FlaskClient, world: World) -> None:
    response = log_in(client, world.teacher_email, next="//evil.example/steal")
    assert response.headers["Location"] == "/dashboard/"


def test_a_wrong_password_is_refused_with_a_message(client: FlaskClient, world: World) -> None:
    response = log_in(client, world.teacher_email, password="not it")
    assert response.status_code == 401
    assert "The email or the password is wrong." in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302


def test_login_without_the_csrf_token_is_refused(client: FlaskClient, world: World) -> None:
    client.get("/dashboard/login")
    response = client.post("/dashboard/login", data={"email": world.teacher_email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302


def test_logout_needs_the_token_and_ends_the_session(teacher: FlaskClient) -> None:
    assert teacher.post("/dashboard/logout").status_code == 400
    assert teacher.get("/dashboard/").status_code == 200
    token = csrf_from(page_text(teacher, "/dashboard/"))
    response = teacher.post("/dashboard/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/login"
    assert teacher.get("/dashboard/").status_code == 302


def test_a_password_change_ends_open_sessions(teacher: FlaskClient, session: sa.orm.Session,
                                              world: World) -> None:
    instructor = session.scalar(sa.select(Instructor).where(Instructor.email == world.teacher_email))
    assert instructor is not None
    instructor.password_hash = hash_password("a new password")
    session.commit()
    assert teacher.get("/dashboard/").status_code == 302


# Courses: listing and creating ----------------------------------------------------------------

def test_the_course_list_shows_own_courses_with_join_codes(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, "/dashboard/")
    assert "Calculus I" in html and world.course_code in html
    assert "Physics" not in html


def test_a_course_created_from_the_form_shows_its_join_code(teacher: FlaskClient, session: sa.orm.Session,
                                                            world: World) -> None:
    token = csrf_from(page_text(teacher, "/dashboard/"))
    response = teacher.post("/dashboard/courses", data={"title": "  Analysis II ", "csrf_token": token})
    assert response.status_code == 302
    course = session.scalar(sa.select(Course).where(Course.title == "Analysis II"))
    assert course is not None and course.instructor.email == world.teacher_email
    assert response.headers["Location"] == f"/dashboard/courses/{course.id}/"
    html = page_text(teacher, response.headers["Location"])
    assert f"learners join with the code {course.code}" in html


def test_creating_a_course_needs_the_token_and_a_title(teacher: FlaskClient, session: sa.orm.Session) -> None:
    assert teacher.post("/dashboard/courses", data={"title": "Sneaky"}).status_code == 400
    token = csrf_from(page_text(teacher, "/dashboard/"))
    response = teacher.post("/dashboard/courses", data={"title": "   ", "csrf_token": token})
    assert response.status_code == 400
    assert session.scalar(sa.select(sa.func.count(Course.id))) == 2


# Who sees what -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/mastery", "/misconceptions", "/exercises", "/export/attempts.csv",
                                  "/export/mastery.csv"])
def test_another_instructors_course_is_not_found(teacher: FlaskClient, world: World, path: str) -> None:
    response = teacher.get(f"/dashboard/courses/{world.other_course_id}{path}")
    assert response.status_code == 404
    assert "Physics" not in response.get_data(as_text=True)


def test_learners_outside_the_course_are_not_found(teacher: FlaskClient, world: World) -> None:
    assert teacher.get(f"/dashboard/courses/{world.course_id}/learners/{world.cy}").status_code == 404
    assert teacher.get(f"/dashboard/courses/{world.other_course_id}/learners/{world.cy}").status_code == 404
    assert teacher.get(f"/dashboard/courses/{world.course_id}/learners/{'0' * 32}").status_code == 404


def test_the_stranger_sees_only_their_own_learner(client: FlaskClient, world: World) -> None:
    log_in(client, world.stranger_email)
    html = page_text(client, f"/dashboard/courses/{world.other_course_id}/mastery")
    assert ">Cy</a>" in html and "Ada Lovelace" not in html
    assert client.get(f"/dashboard/courses/{world.course_id}/learners/{world.ada}").status_code == 404


# What each page shows -----------------------------------------------------------------------

def test_the_overview_counts_the_course(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/")
    assert figure(html, "learners") == "2"
    assert figure(html, "active") == "1"  # Bob was last seen 10 days ago
    assert figure(html, "attempts") == "4"  # Cy's attempt is another course's
    assert figure(html, "solve-rate") == "33%"  # 1 of Ada's 2 and Bob's 1 conversations
    # 4 s + 10,000 s capped at 5 min + 2 s + 6 s
    assert figure(html, "time-on-task") == "5 min 12 s"
    assert "25% correct" in html


def test_the_overview_embeds_the_solve_rate_chart_as_json(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/")
    assert '<script type="application/json" id="solve-rate-chart">' in html
    assert "vendor/chart.umd.min.js" in html
    assert f'"{world.today.isoformat()}"' in html


def test_the_heatmap_shows_mastery_and_marks_unpractised_skills(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/mastery")
    ada_row = html[html.index("Ada Lovelace"):html.index("</tr>", html.index("Ada Lovelace"))]
    assert re.search(r'band-4"\s+data-skill="outer_derivative"[^>]*>91%<', ada_row)
    assert re.search(r'band-1"\s+data-skill="multiply_factors"[^>]*>35%<', ada_row)
    assert re.search(r'unpractised"\s+data-skill="long_chains"[^>]*>20%<', ada_row)
    # As a link's text: the page's random CSRF token may hold the letters "Cy".
    assert ">Cy</a>" not in html and ">Bob</a>" in html
    # The course mean of outer_derivative over Ada (0.91) and Bob (0.5).
    assert "70%<br><small>2 learners" in html


def test_the_heatmap_pages_and_searches_learners(teacher: FlaskClient, world: World) -> None:
    base = f"/dashboard/courses/{world.course_id}/mastery"
    first = page_text(teacher, f"{base}?per_page=1")
    assert "Ada Lovelace" in first and ">Bob<" not in first
    assert "Page 1 of 2 (2 in all)" in first
    second = page_text(teacher, f"{base}?per_page=1&page=2")
    assert ">Bob<" in second and "Ada Lovelace" not in second
    searched = page_text(teacher, f"{base}?q=LOVE")
    assert "Ada Lovelace" in searched and ">Bob<" not in searched
    assert "No learners match." in page_text(teacher, f"{base}?q=%25")  # a literal %, not a wildcard


def test_misconceptions_are_counted_with_example_answers_escaped(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/misconceptions")
    rows = re.findall(r'data-misconception="(\w+)">.*?<td class="num" data-label="Wrong answers">(\d+)</td>'
                      r'\s*<td class="num" data-label="Learners">(\d+) \((\d+)%\)</td>', html, re.DOTALL)
    # Shares of the class of two (Ada and Bob): every wrong answer is counted, under human names.
    assert rows == [("sign_error", "2", "2", "100"), ("missing_inner_derivative", "1", "1", "50")]
    assert "Sign error" in html and "Inner derivative left out" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and HOSTILE not in html
    assert "-6(2x+1)^2" in html
    assert "composed_derivatives" not in html.split('id="misconception-chart"')[1]
    assert "4 wrong answers" not in html and "3 wrong answers in this range" in html


def test_misconceptions_follow_the_date_and_skill_filters(teacher: FlaskClient, world: World) -> None:
    base = f"/dashboard/courses/{world.course_id}/misconceptions"
    recent = page_text(teacher, f"{base}?since={(world.today - timedelta(days=7)).isoformat()}")
    assert 'data-misconception="missing_inner_derivative"' not in recent
    old = page_text(teacher, f"{base}?until={(world.today - timedelta(days=7)).isoformat()}")
    assert 'data-misconception="missing_inner_derivative"' in old and 'data-misconception="sign_error"' not in old
    skill = page_text(teacher, f"{base}?skill=outer_derivative")
    assert re.search(r'data-misconception="sign_error">.*?<td class="num" data-label="Wrong answers">1</td>',
                     skill, re.DOTALL)


def test_the_learner_timeline_shows_transcripts_attempts_and_mastery(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/learners/{world.ada}")
    assert "Ada Lovelace" in html
    assert "Differentiate (2x+1)^3. What is the inner function?" in html
    assert "<code>-6(2x+1)^2</code>" in html and "Sign error" in html
    assert re.search(r'data-skill="outer_derivative">\s*<td>[^<]+</td>\s*<td class="num cell band-4">91%', html)
    assert "e^(-x^2)" in html  # the older conversation, on the same page by default
    newest_first = html.index("(2x+1)^3") < html.index("e^(-x^2)")
    assert newest_first
    paged = page_text(teacher, f"/dashboard/courses/{world.course_id}/learners/{world.ada}?per_page=1&page=2")
    assert "e^(-x^2)" in paged and "What is the inner function?" not in paged


def test_exercise_difficulty_lists_problems_hardest_first(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/exercises")
    rows = re.findall(r"<tr>\s*<td><code>([^<]+)</code>.*?</tr>", html, re.DOTALL)
    assert rows == ["e^(-x^2)", "(2x+1)^3"]
    first = html[html.index("<code>(2x+1)^3</code>"):]
    cells = re.findall(r'<td class="num" data-label="[^"]+">([^<]*)</td>', first)[:6]
    # (2x+1)^3: 3 attempts by 2 learners, 1 correct, 1 hint in 3, latency (4 s + 300 s + 6 s) / 3
    assert cells == ["—", "3", "2", "33%", "0.3", "1 min 43 s"]


def test_learner_text_in_chart_data_cannot_close_the_script(teacher: FlaskClient, session: sa.orm.Session,
                                                            world: World) -> None:
    hostile = conversation_at(session, world.bob, datetime.now(UTC), expression="</script><script>alert(1)</script>")
    make_attempt(session, hostile, correct=True, latency_ms=1000)
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/exercises")
    chart = html.split('id="difficulty-chart">')[1].split("</script>")[0]
    assert "\\u003c/script\\u003e" in chart
    assert "<script>alert(1)" not in html


# CSV exports ---------------------------------------------------------------------------------

def read_csv(client: FlaskClient, url: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "a byte-order mark, so that Excel reads UTF-8"
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    return dict(response.headers), rows


def test_the_attempts_export_streams_the_course_attempts(teacher: FlaskClient, world: World) -> None:
    headers, rows = read_csv(teacher, f"/dashboard/courses/{world.course_id}/export/attempts.csv")
    assert headers["Content-Disposition"] == f'attachment; filename="course-{world.course_id}-attempts.csv"'
    assert list(rows[0]) == ["created_at", "learner_id", "learner", "learner_name", "conversation_id",
                             "problem", "outcome", "step", "answer", "correct", "misconception", "skill",
                             "hints_used", "latency_ms"]
    # Learner by learner (by id), each learner's answers in time order.
    assert [r["learner_id"] for r in rows] == sorted(r["learner_id"] for r in rows)
    by_learner = {name: [r["answer"] for r in rows if r["learner_name"] == name] for name in ("Ada Lovelace", "Bob")}
    assert by_learner == {"Ada Lovelace": ["e^(-x^2)", "-6(2x+1)^2", "6(2x+1)^2"], "Bob": [HOSTILE]}
    # A maths answer shows as typed: a spreadsheet would not run it, so it is not guarded.
    sign_error = next(r for r in rows if r["answer"] == "-6(2x+1)^2")
    assert sign_error["problem"] and sign_error["outcome"] in (
        "in_progress", "solved", "solved_with_hints", "gave_up", "abandoned")
    assert sign_error["learner_name"] == "Ada Lovelace" and sign_error["correct"] == "false"
    assert sign_error["misconception"] == "sign_error" and sign_error["latency_ms"] == "4000"
    assert datetime.fromisoformat(rows[0]["created_at"]).tzinfo is not None
    assert world.cy not in {r["learner_id"] for r in rows}


def test_the_attempts_export_applies_the_filters(teacher: FlaskClient, world: World) -> None:
    base = f"/dashboard/courses/{world.course_id}/export/attempts.csv"
    _, by_skill = read_csv(teacher, f"{base}?skill=multiply_factors")
    assert [r["answer"] for r in by_skill] == ["-6(2x+1)^2", "6(2x+1)^2"]
    _, recent = read_csv(teacher, f"{base}?since={world.today.isoformat()}&q=bob")
    assert [r["learner_name"] for r in recent] == ["Bob"]


def test_the_mastery_export_lists_stored_mastery(teacher: FlaskClient, world: World) -> None:
    headers, rows = read_csv(teacher, f"/dashboard/courses/{world.course_id}/export/mastery.csv")
    assert headers["Content-Disposition"].endswith(f'filename="course-{world.course_id}-mastery.csv"')
    found = {(r["learner_name"], r["skill"]): (float(r["probability"]), r["attempts"]) for r in rows}
    assert found == {("Ada Lovelace", "outer_derivative"): (0.91, "4"),
                     ("Ada Lovelace", "multiply_factors"): (0.35, "2"),
                     ("Bob", "outer_derivative"): (0.5, "1")}
    _, one_skill = read_csv(teacher, f"/dashboard/courses/{world.course_id}/export/mastery.csv?skill=multiply_factors")
    assert [(r["learner_name"], r["skill"]) for r in one_skill] == [("Ada Lovelace", "multiply_factors")]


# Bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [
    ("skill=flying", "skill"),
    ("since=yesterday", "since"),
    ("since=2025-02-01&until=2025-01-01", "until"),
    ("page=0", "page"),
    ("per_page=100000", "per_page"),
])
def test_bad_filters_are_a_400_page_naming_the_field(teacher: FlaskClient, world: World,
                                                     query: str, field: str) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/misconceptions?{query}", status=400)
    assert f"<strong>{field}</strong>" in html


def test_empty_filter_fields_mean_no_filter(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/?since=&until=&skill=&q=")
    assert figure(html, "attempts") == "4"


def test_pages_are_not_cached_or_framed(teacher: FlaskClient, world: World) -> None:
    response = teacher.get(f"/dashboard/courses/{world.course_id}/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_the_vendored_chart_library_is_served_locally(client: FlaskClient) -> None:
    response = client.get("/dashboard/static/vendor/chart.umd.min.js")
    assert response.status_code == 200
    assert b"Chart.js v4" in response.get_data()[:400]
    response.close()


# The same data, the same numbers: pages against CSVs ------------------------------------------

def test_pages_and_csvs_count_the_same_answers_and_outcomes(teacher: FlaskClient, world: World) -> None:
    base = f"/dashboard/courses/{world.course_id}"
    _, rows = read_csv(teacher, f"{base}/export/attempts.csv")
    overview = page_text(teacher, f"{base}/")
    assert int(figure(overview, "attempts")) == len(rows)
    # Misconceptions: every wrong answer of the CSV is in one row of the page, "other" included.
    misconceptions = page_text(teacher, f"{base}/misconceptions")
    on_page = {name: int(n) for name, n in re.findall(
        r'data-misconception="(\w+)">.*?data-label="Wrong answers">(\d+)<', misconceptions, re.DOTALL)}
    in_csv: dict[str, int] = {}
    for row in rows:
        if row["correct"] == "false":
            key = row["misconception"] or "other"
            in_csv[key] = in_csv.get(key, 0) + 1
    assert on_page == in_csv
    # Outcomes: the overview's counts of the problems answered in the CSV's conversations.
    outcomes = dict(re.findall(r'data-outcome="(\w+)">[^<]*<strong>(\d+)</strong>', overview))
    by_conversation = {row["conversation_id"]: row["outcome"] for row in rows}
    for outcome in set(by_conversation.values()):
        assert int(outcomes[outcome]) >= list(by_conversation.values()).count(outcome)


def test_the_overview_opens_on_who_needs_help(teacher: FlaskClient, world: World) -> None:
    html = page_text(teacher, f"/dashboard/courses/{world.course_id}/")
    assert html.index("Who needs help") < html.index("Who finished") < html.index('data-figure="learners"')
    stuck = re.findall(r'<li class="card" data-learner="(\w+)">', html)
    # Bob's problem today and Ada's older one are unsolved, each with a wrong answer; one card each.
    assert sorted(stuck) == sorted([world.bob, world.ada])
    card = html[html.index(f'data-learner="{world.bob}"'):]
    assert "1 wrong answer" in card[:1500] and "(no name)" not in html
