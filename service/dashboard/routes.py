"""The dashboard's pages: each view parses its request, calls one use case, renders.

Every course page is ``/dashboard/courses/<id>/...`` and shows only a
course of the logged-in instructor; another instructor's course, or a
learner outside the course, is a 404 page (not a 403, so ids of others'
courses and learners are not confirmed).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from service import usecases
from service.auth import check_password_login
from service.dashboard import charts
from service.dashboard.logins import (
    current_instructor_id,
    log_in,
    log_out,
    login_required,
    safe_next,
)
from service.dashboard.schemas import (
    CourseFormSchema,
    LoginSchema,
    filter_query,
    read_filters,
)
from service.extensions import db
from service.ratelimits import limiter, setting
from service.tutor.skills import SKILL_LABELS
from service.usecases import dashboard as queries
from service.usecases.errors import InvalidCredentials

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard",
               template_folder="templates", static_folder="static")

CSV_MIMETYPE = "text/csv; charset=utf-8"


@bp.get("/login")
def login() -> str:
    """The login form."""
    if g.instructor is not None:
        return redirect(safe_next(request.args.get("next")))  # type: ignore[return-value]
    return render_template("dashboard/login.html", next=request.args.get("next", ""))


@bp.post("/login")
@limiter.limit(setting("RATE_LIMIT_LOGIN"))
def login_submit() -> BaseResponse | tuple[str, int]:
    """Check the email and password; on success start the session."""
    form = LoginSchema().load(request.form)
    try:
        instructor = check_password_login(form["email"], form["password"])
    except InvalidCredentials as error:
        return render_template("dashboard/login.html", error=error.message, email=form["email"],
                               next=form["next"] or ""), 401
    log_in(instructor)
    return redirect(safe_next(form["next"]))


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session and go back to the login page."""
    log_out()
    return redirect(url_for("dashboard.login"))


@bp.get("/")
@login_required
def courses() -> str:
    """The instructor's courses with their join codes, and a form to add one."""
    owned = usecases.list_courses(db.session, current_instructor_id())
    return render_template("dashboard/courses.html", courses=owned)


@bp.post("/courses")
@login_required
def create_course() -> BaseResponse:
    """Create a course from the form; its join code is shown on the next page."""
    form = CourseFormSchema().load(request.form)
    course = usecases.create_course(db.session, current_instructor_id(), form["title"])
    flash(f"Course “{course.title}” created: learners join with the code {course.code}.")
    return redirect(url_for("dashboard.overview", course_id=course.id))


@bp.get("/courses/<int(max=2147483647):course_id>/")
@login_required
def overview(course_id: int) -> str:
    """The course overview: who needs help, who finished, headline figures, the solve rate over time."""
    flt, _ = read_filters(request.args, course_id)
    report = queries.course_overview(db.session, current_instructor_id(), flt)
    attention = queries.who_needs_help(db.session, current_instructor_id(), flt)
    return _render("overview", flt, report=report, attention=attention,
                   chart_data=charts.solve_rate_chart(report))


@bp.get("/courses/<int(max=2147483647):course_id>/mastery")
@login_required
def mastery(course_id: int) -> str:
    """The mastery heatmap: learners × skills, a page of learners at a time."""
    flt, page = read_filters(request.args, course_id)
    report = queries.mastery_heatmap(db.session, current_instructor_id(), flt, page)
    return _render("mastery", flt, report=report)


@bp.get("/courses/<int(max=2147483647):course_id>/misconceptions")
@login_required
def misconceptions(course_id: int) -> str:
    """The most frequent misconceptions, with the answers that showed them."""
    flt, page = read_filters(request.args, course_id)
    report = queries.frequent_misconceptions(db.session, current_instructor_id(), flt, page)
    return _render("misconceptions", flt, report=report, chart_data=charts.misconception_chart(report))


@bp.get("/courses/<int(max=2147483647):course_id>/exercises")
@login_required
def exercises(course_id: int) -> str:
    """Per-exercise difficulty, hardest first."""
    flt, page = read_filters(request.args, course_id)
    report = queries.exercise_difficulty(db.session, current_instructor_id(), flt, page)
    return _render("exercises", flt, report=report, chart_data=charts.difficulty_chart(report))


@bp.get("/courses/<int(max=2147483647):course_id>/learners/<string(length=32):learner_id>")
@login_required
def learner(course_id: int, learner_id: str) -> str:
    """One learner's timeline: progress, then each conversation's transcript."""
    flt, page = read_filters(request.args, course_id, default_per_page=10)
    report = queries.learner_timeline(db.session, current_instructor_id(), flt, learner_id, page)
    return _render("learner", flt, report=report)


@bp.get("/courses/<int(max=2147483647):course_id>/export/<any(attempts, problems, mastery):kind>.csv")
@login_required
def export(course_id: int, kind: str) -> Response:
    """The course's attempts or mastery as CSV, streamed, under the page's filters."""
    flt, _ = read_filters(request.args, course_id)
    exporter = {"attempts": queries.export_attempts_csv, "problems": queries.export_problems_csv,
                "mastery": queries.export_mastery_csv}[kind]
    chunks = exporter(db.session, current_instructor_id(), flt)
    filename = f"course-{course_id}-{kind}.csv"
    return Response(stream_with_context(chunks), mimetype=CSV_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _render(page: str, flt: queries.DashboardFilter, **context: object) -> str:
    """Render a course page with what every course page shows: tabs, filters, export links."""
    return render_template(f"dashboard/{page}.html", tab=page, filters=flt,
                           filter_args=filter_query(flt), skill_labels=SKILL_LABELS, **context)
