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
from service.usecases.errors import InvalidCredentials
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
    )
