"""Committing a unit of work whose only expected failure is a taken unique value."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.usecases.errors import Conflict


def commit_unique(session: Session, conflict: str) -> None:
    """Commit; a unique constraint that fails rolls back and raises ``Conflict(conflict)``.

    For writes whose only constraint a client can break is uniqueness (an
    email, a join code, one enrolment per course): the database decides, so
    two requests racing for the same value cannot both win.
    """
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(conflict) from None
