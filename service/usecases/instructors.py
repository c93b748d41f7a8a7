"""Instructor accounts: creating one, logging in, and API keys."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Instructor
from service.usecases.credentials import (
    API_KEY_PREFIX,
    check_password,
    hash_password,
    hash_token,
    new_token,
)
from service.usecases.errors import Forbidden, InvalidCredentials, NotFound
from service.usecases.transactions import commit_unique

# Checked against when the email is unknown, so that a wrong email costs the
# same scrypt time as a wrong password and timing does not reveal accounts.
_DUMMY_HASH = hash_password("not a real password")


@dataclass(frozen=True)
class NewInstructor:
    """An instructor just created: the API key is shown this once and never stored."""

    id: int
    email: str
    name: str
    api_key: str


@dataclass(frozen=True)
class InstructorView:
    id: int
    email: str
    name: str
    # Changes whenever the password does; login tokens embed it so that a
    # password change ends every session issued before it.
    password_fingerprint: str
    # Moves on at each dashboard logout and password change (see end_sessions).
    session_generation: int = 0


def normalise_email(email: str) -> str:
    """Emails are compared without case or surrounding spaces.

    >>> normalise_email("  Ada@Example.ORG ")
    'ada@example.org'
    """
    return email.strip().lower()


def create_instructor(session: Session, email: str, name: str, password: str) -> NewInstructor:
    """Create an instructor account with a fresh API key.

    Raises :class:`Conflict` when the email is taken.
    """
    api_key = new_token(API_KEY_PREFIX)
    instructor = Instructor(
        email=normalise_email(email),
        name=name,
        password_hash=hash_password(password),
        api_key_hash=hash_token(api_key),
    )
    session.add(instructor)
    # The only unique column a new row can clash on is the email.
    commit_unique(session, f"An instructor with the email {email!r} already exists.")
    return NewInstructor(id=instructor.id, email=instructor.email, name=name, api_key=api_key)


def authenticate_instructor(session: Session, email: str, password: str) -> InstructorView:
    """The instructor with this email and password; :class:`InvalidCredentials` otherwise."""
    instructor = session.scalar(sa.select(Instructor).where(Instructor.email == normalise_email(email)))
    stored = instructor.password_hash if instructor is not None else _DUMMY_HASH
    if not check_password(stored, password) or instructor is None:
        raise InvalidCredentials("The email or the password is wrong.")
    return _view(instructor)


def instructor_for_api_key(session: Session, api_key: str) -> int | None:
    """The id of the instructor holding ``api_key``, or ``None``."""
    query = sa.select(Instructor.id).where(Instructor.api_key_hash == hash_token(api_key))
    return session.scalar(query)


def get_instructor(session: Session, instructor_id: int) -> InstructorView | None:
    """The instructor ``instructor_id``, or ``None`` if it no longer exists."""
    instructor = session.get(Instructor, instructor_id)
    return _view(instructor) if instructor is not None else None


def _view(instructor: Instructor) -> InstructorView:
    return InstructorView(
        id=instructor.id,
        email=instructor.email,
        name=instructor.name,
        password_fingerprint=hash_token(instructor.password_hash)[:16],
        session_generation=instructor.session_generation,
    )


def end_sessions(session: Session, instructor_id: int) -> None:
    """End every dashboard session of the instructor (a logout ends them all, server-side).

    The dashboard cookie records the generation it was opened in; moving
    the counter on makes every cookie issued before now worthless, even a
    copy saved before the logout.
    """
    session.execute(sa.update(Instructor).where(Instructor.id == instructor_id)
                    .values(session_generation=Instructor.session_generation + 1))
    session.commit()


def change_password(session: Session, instructor_id: int, new_password: str,
                    current_password: str | None = None) -> InstructorView:
    """Set a new password; every login token and dashboard session issued before ends.

    ``current_password`` must be right when given (the routes always give
    it; the operator's command does not). Raises :class:`Forbidden`
    when it is wrong and :class:`NotFound` for an unknown instructor.
    """
    instructor = _instructor(session, instructor_id)
    if current_password is not None and not check_password(instructor.password_hash, current_password):
        raise Forbidden("The current password is wrong.")
    instructor.password_hash = hash_password(new_password)
    instructor.session_generation += 1
    session.commit()
    return _view(instructor)


def rotate_api_key(session: Session, instructor_id: int) -> str:
    """Give the instructor a new API key (shown once) and revoke the old one at once."""
    instructor = _instructor(session, instructor_id)
    api_key = new_token(API_KEY_PREFIX)
    instructor.api_key_hash = hash_token(api_key)
    session.commit()
    return api_key


def instructor_id_by_email(session: Session, email: str) -> int:
    """The id of the instructor with this email; :class:`NotFound` otherwise (for the CLI)."""
    found = session.scalar(sa.select(Instructor.id).where(Instructor.email == normalise_email(email)))
    if found is None:
        raise NotFound(f"There is no instructor with the email {email!r}.")
    return found


def _instructor(session: Session, instructor_id: int) -> Instructor:
    instructor = session.get(Instructor, instructor_id)
    if instructor is None:
        raise NotFound(f"There is no instructor with id {instructor_id}.")
    return instructor
