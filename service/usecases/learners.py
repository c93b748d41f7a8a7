"""Learners: creating one (with its bearer token), finding one by token, reading one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.database import summary
from service.models import Course, Enrolment, Learner, utcnow
from service.usecases.access import Principal, visible_learner
from service.usecases.credentials import LEARNER_TOKEN_PREFIX, hash_token, new_token
from service.usecases.errors import Forbidden, NotFound

log = logging.getLogger(__name__)

# ``last_seen_at`` feeds "active this week" on the dashboards; minute
# precision is plenty, and writing it on every request would turn reads into writes.
SEEN_RESOLUTION = timedelta(minutes=5)

_learners: sa.Table = Learner.__table__  # type: ignore[assignment]
_LEARNER_BY_TOKEN = sa.select(_learners.c.id, _learners.c.last_seen_at).where(
    _learners.c.token_hash == sa.bindparam("token_hash"))
_MARK_SEEN = sa.update(_learners).where(_learners.c.id == sa.bindparam("learner_id")).values(
    last_seen_at=sa.bindparam("seen", type_=_learners.c.last_seen_at.type))


@dataclass(frozen=True)
class NewLearner:
    """A learner just created: the token is shown this once and never stored."""

    id: str
    token: str


@dataclass(frozen=True)
class CourseRef:
    id: int
    title: str


@dataclass(frozen=True)
class LearnerView:
    id: str
    name: str | None
    created_at: datetime
    last_seen_at: datetime | None
    courses: list[CourseRef]


def create_learner(session: Session, name: str | None = None, course_code: str | None = None,
                   source: str | None = None, source_host: str | None = None) -> NewLearner:
    """Create a learner (enrolled in the course ``course_code`` if given) and its token.

    ``source`` and ``source_host`` record where the learner started (the
    widget on ``example.org``), so the dashboard can tell unnamed learners apart.
    Raises :class:`NotFound` when no course has that code; nothing is written then.
    """
    token = new_token(LEARNER_TOKEN_PREFIX)
    learner = Learner(name=name or None, token_hash=hash_token(token), source=source,
                      source_host=source_host)
    session.add(learner)
    if course_code is not None:
        course = course_by_code(session, course_code)
        session.add(Enrolment(learner=learner, course_id=course.id))
    session.commit()
    return NewLearner(id=learner.id, token=token)


def course_by_code(session: Session, code: str) -> Course:
    """The course whose join code is ``code`` (case and spaces ignored)."""
    course = session.scalar(sa.select(Course).where(Course.code == normalise_code(code)))
    if course is None:
        raise NotFound(f"There is no course with the code {code!r}.")
    return course


def normalise_code(code: str) -> str:
    """Join codes are upper case without spaces; learners type them any way.

    >>> normalise_code(" ab3d-k9 ")
    'AB3D-K9'
    """
    return "".join(code.split()).upper()


def learner_for_token(session: Session, token: str) -> str | None:
    """The id of the learner holding ``token``, or ``None``; notes that it was seen.

    Every learner request starts here, so it reads two columns with a
    statement built once rather than loading the whole learner.
    """
    connection = session.connection()
    found = connection.execute(_LEARNER_BY_TOKEN, {"token_hash": hash_token(token)}).one_or_none()
    if found is None:
        return None
    learner_id, last_seen_at = found
    now = utcnow()
    if last_seen_at is None or now - last_seen_at > SEEN_RESOLUTION:
        _mark_seen(session, learner_id, now)
    return learner_id


def _mark_seen(session: Session, learner_id: str, now: datetime) -> None:
    """Note the learner as seen; a database that refuses the write never fails the read.

    A read-only database (a standby, a failover in progress) or a lock on
    the learner's row must not turn every learner's reading into an error:
    ``last_seen_at`` only feeds "active this week".
    """
    try:
        session.connection().execute(_MARK_SEEN, {"learner_id": learner_id, "seen": now})
        session.commit()
    except sa.exc.DBAPIError as error:
        session.rollback()
        log.info("last_seen_at not written for a learner: %s", summary(error))


def replace_learner_token(session: Session, principal: Principal | None, learner_id: str) -> NewLearner:
    """Give the learner a new token; the old one stops working (401) at once.

    For the learner itself (a token that leaked, a shared device) or, with
    ``principal`` ``None``, the operator's command. Raises :class:`NotFound`
    or :class:`Forbidden` as :func:`~service.usecases.access.visible_learner`
    does; an instructor may not take over a learner's identity.
    """
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise NotFound(f"There is no learner with id {learner_id!r}.")
    if principal is not None and not principal.is_learner(learner_id):
        raise Forbidden("Only the learner may replace its own token.")
    token = new_token(LEARNER_TOKEN_PREFIX)
    learner.token_hash = hash_token(token)
    session.commit()
    return NewLearner(id=learner.id, token=token)

def rename_learner(session: Session, principal: Principal, learner_id: str, name: str | None) -> LearnerView:
    """Set the learner's display name (an empty name clears it); only the learner may.

    Raises :class:`NotFound` for an unknown id and :class:`Forbidden` for anyone else.
    """
    learner = visible_learner(session, principal, learner_id)
    if not principal.is_learner(learner_id):
        raise Forbidden("Only the learner may change their own name.")
    learner.name = (name or "").strip() or None
    session.commit()
    return get_learner(session, principal, learner_id)


def get_learner(session: Session, principal: Principal, learner_id: str) -> LearnerView:
    """The learner as ``principal`` may see it.

    An instructor sees only its own courses among the learner's enrolments.
    """
    learner = visible_learner(session, principal, learner_id)
    query = (
        sa.select(Course)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.learner_id == learner.id)
        .order_by(Course.id)
    )
    if principal.is_instructor:
        query = query.where(Course.instructor_id == principal.id)
    courses = [CourseRef(id=c.id, title=c.title) for c in session.scalars(query)]
    return LearnerView(
        id=learner.id,
        name=learner.name,
        created_at=learner.created_at,
        last_seen_at=learner.last_seen_at,
        courses=courses,
    )
