"""The models' constraints hold in the database itself: unique keys,
foreign keys, ON DELETE cascades, checks, optimistic versioning.

Rows are deleted with SQL ``DELETE`` (not the ORM) where the point is the
database's own cascade, so the test proves the schema rather than the
session's bookkeeping.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.extensions import db
from service.models import (
    Attempt,
    Conversation,
    Course,
    Enrolment,
    Exercise,
    Instructor,
    Learner,
    Lesson,
    Mastery,
    Message,
    OutboxEvent,
    Section,
)


def make_instructor(session: Session, email: str = "ada@example.org") -> Instructor:
    instructor = Instructor(email=email, name="Ada", password_hash="not-a-real-hash")
    session.add(instructor)
    session.flush()
    return instructor


def make_course(session: Session, instructor: Instructor, code: str = "CHAIN1") -> Course:
    course = Course(instructor=instructor, title="Calculus I", code=code)
    session.add(course)
    session.flush()
    return course


def make_learner(session: Session, name: str | None = None) -> Learner:
    token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    learner = Learner(name=name, token_hash=token_hash)
    session.add(learner)
    session.flush()
    return learner


def make_lesson(session: Session, slug: str = "chain-rule") -> Lesson:
    lesson = Lesson(slug=slug, title="The chain rule", summary="Derivatives of compositions")
    session.add(lesson)
    session.flush()
    return lesson


def make_exercise(session: Session, slug: str = "power-1", **fields: object) -> Exercise:
    values: dict[str, object] = {"expression": "(2x+1)^3", "difficulty": 1,
                                 "skills": ["outer_derivative", "inner_derivative"],
                                 "family": "power"}
    values.update(fields)
    exercise = Exercise(slug=slug, **values)
    session.add(exercise)
    session.flush()
    return exercise


def make_conversation(session: Session, learner: Learner, **fields: object) -> Conversation:
    values: dict[str, object] = {"expression": "(2x+1)^3", "state": {"step": "inner"}}
    values.update(fields)
    conversation = Conversation(learner_id=learner.id, **values)
    session.add(conversation)
    session.flush()
    return conversation


def make_message(session: Session, conversation: Conversation, position: int,
                 role: str = "tutor") -> Message:
    message = Message(conversation_id=conversation.id, position=position, role=role,
                      kind="question", text="What is the inner function?",
                      payload={"latex": "u = 2x + 1"})
    session.add(message)
    session.flush()
    return message


def make_attempt(session: Session, conversation: Conversation, **fields: object) -> Attempt:
    values: dict[str, object] = {"step": "du/dx", "answer": "2", "correct": True,
                                 "skill": "inner_derivative", "latency_ms": 1200}
    values.update(fields)
    attempt = Attempt(learner_id=conversation.learner_id, conversation_id=conversation.id, **values)
    session.add(attempt)
    session.flush()
    return attempt


def count(session: Session, model: type) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def assert_violates(session: Session, *rows: object) -> None:
    """Adding ``rows`` must fail in the database, and leave the session usable."""
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add_all(rows)
            session.flush()


# -- unique keys -------------------------------------------------------------

def test_instructor_email_and_api_key_are_unique(db_session: Session) -> None:
    first = make_instructor(db_session)
    first.api_key_hash = "k" * 64
    db_session.flush()
    assert_violates(db_session, Instructor(email="ada@example.org", name="Other", password_hash="x"))
    assert_violates(db_session, Instructor(email="bob@example.org", name="Bob", password_hash="x",
                                           api_key_hash="k" * 64))
    # Several instructors without an API key are fine: NULLs do not collide.
    make_instructor(db_session, "c@example.org")
    make_instructor(db_session, "d@example.org")
    assert count(db_session, Instructor) == 3


def test_course_code_and_learner_token_are_unique(db_session: Session) -> None:
    instructor = make_instructor(db_session)
    make_course(db_session, instructor, code="JOIN42")
    assert_violates(db_session, Course(instructor_id=instructor.id, title="Again", code="JOIN42"))
    learner = make_learner(db_session)
    assert_violates(db_session, Learner(token_hash=learner.token_hash))


def test_a_learner_enrols_in_a_course_once(db_session: Session) -> None:
    course = make_course(db_session, make_instructor(db_session))
    learner = make_learner(db_session)
    db_session.add(Enrolment(learner_id=learner.id, course_id=course.id))
    db_session.flush()
    assert_violates(db_session, Enrolment(learner_id=learner.id, course_id=course.id))


def test_section_slugs_are_unique_within_a_lesson_only(db_session: Session) -> None:
    first, second = make_lesson(db_session, "one"), make_lesson(db_session, "two")
    db_session.add_all([Section(lesson_id=first.id, slug="intro", title="Intro"),
                        Section(lesson_id=second.id, slug="intro", title="Intro")])
    db_session.flush()
    assert_violates(db_session, Section(lesson_id=first.id, slug="intro", title="Again"))
    assert_violates(db_session, Lesson(slug="one", title="Duplicate"))


def test_exercise_slug_unique_and_difficulty_between_1_and_5(db_session: Session) -> None:
    make_exercise(db_session, "e1")
    assert_violates(db_session, Exercise(slug="e1", expression="sin(x^2)", difficulty=2))
    assert_violates(db_session, Exercise(slug="too-easy", expression="x", difficulty=0))
    assert_violates(db_session, Exercise(slug="too-hard", expression="x", difficulty=6))
    assert make_exercise(db_session, "e5", difficulty=5).difficulty == 5


def test_two_messages_cannot_take_the_same_position(db_session: Session) -> None:
    conversation = make_conversation(db_session, make_learner(db_session))
    make_message(db_session, conversation, 0)
    assert_violates(db_session, Message(conversation_id=conversation.id, position=0,
                                        role="learner", kind="answer", text="2"))
    make_message(db_session, conversation, 1, role="learner")
    assert [m.position for m in conversation.messages] == [0, 1]


def test_roles_and_statuses_are_checked(db_session: Session) -> None:
    learner = make_learner(db_session)
    conversation = make_conversation(db_session, learner)
    assert_violates(db_session, Message(conversation_id=conversation.id, position=5,
                                        role="system", kind="info", text="no"))
    assert_violates(db_session, Conversation(learner_id=learner.id, expression="x",
                                             status="paused"))


def test_mastery_has_one_row_per_learner_and_skill(db_session: Session) -> None:
    learner = make_learner(db_session)
    db_session.add(Mastery(learner_id=learner.id, skill="outer_derivative", probability=0.3))
    db_session.flush()
    assert_violates(db_session, Mastery(learner_id=learner.id, skill="outer_derivative",
                                        probability=0.9))


# -- foreign keys and cascades -----------------------------------------------

def test_foreign_keys_are_enforced(db_session: Session) -> None:
    # On SQLite this holds only because every connection turns foreign keys on.
    assert_violates(db_session, Enrolment(learner_id="0" * 32, course_id=12345))
    assert_violates(db_session, Conversation(learner_id="0" * 32, expression="x"))


def test_deleting_a_learner_deletes_everything_that_is_theirs(db_session: Session) -> None:
    course = make_course(db_session, make_instructor(db_session))
    learner, other = make_learner(db_session), make_learner(db_session)
    for who in (learner, other):
        db_session.add(Enrolment(learner_id=who.id, course_id=course.id))
        db_session.add(Mastery(learner_id=who.id, skill="inner_derivative", probability=0.5))
        conversation = make_conversation(db_session, who, course_id=course.id)
        make_message(db_session, conversation, 0)
        make_attempt(db_session, conversation, course_id=course.id)
    db_session.add(OutboxEvent(type="AttemptRecorded", learner_id=learner.id, payload={"n": 1}))
    db_session.commit()

    db_session.execute(sa.delete(Learner).where(Learner.id == learner.id))
    db_session.commit()

    for model in (Enrolment, Mastery, Conversation, Message, Attempt):
        assert count(db_session, model) == 1, model.__name__
    assert db_session.scalar(sa.select(Conversation.learner_id)) == other.id
    # The outbox is a log: its events outlive the learner they mention.
    assert count(db_session, OutboxEvent) == 1


def test_deleting_a_conversation_deletes_its_messages_and_attempts(db_session: Session) -> None:
    conversation = make_conversation(db_session, make_learner(db_session))
    make_message(db_session, conversation, 0)
    make_message(db_session, conversation, 1, role="learner")
    make_attempt(db_session, conversation)
    db_session.commit()
    db_session.execute(sa.delete(Conversation))
    db_session.commit()
    assert count(db_session, Message) == 0
    assert count(db_session, Attempt) == 0


def test_deleting_a_course_keeps_the_learners_history(db_session: Session) -> None:
    instructor = make_instructor(db_session)
    course = make_course(db_session, instructor)
    learner = make_learner(db_session)
    db_session.add(Enrolment(learner_id=learner.id, course_id=course.id))
    conversation = make_conversation(db_session, learner, course_id=course.id)
    make_attempt(db_session, conversation, course_id=course.id)
    db_session.commit()

    db_session.execute(sa.delete(Instructor))  # cascades to the course
    db_session.commit()

    assert count(db_session, Course) == 0
    assert count(db_session, Enrolment) == 0
    assert db_session.scalar(sa.select(Conversation.course_id)) is None
    assert db_session.scalar(sa.select(Attempt.course_id)) is None
    assert count(db_session, Learner) == 1


def test_deleting_a_lesson_deletes_sections_and_frees_exercises(db_session: Session) -> None:
    lesson = make_lesson(db_session)
    db_session.add_all([Section(lesson_id=lesson.id, slug=f"s{i}", title=f"S{i}", position=i)
                        for i in range(3)])
    exercise = make_exercise(db_session, lesson_id=lesson.id)
    learner = make_learner(db_session)
    conversation = make_conversation(db_session, learner, exercise_id=exercise.id)
    make_attempt(db_session, conversation, exercise_id=exercise.id)
    db_session.commit()
    assert [s.slug for s in lesson.sections] == ["s0", "s1", "s2"]

    db_session.execute(sa.delete(Lesson))
    db_session.commit()
    assert count(db_session, Section) == 0
    assert db_session.scalar(sa.select(Exercise.lesson_id)) is None

    db_session.execute(sa.delete(Exercise))
    db_session.commit()
    assert db_session.scalar(sa.select(Conversation.exercise_id)) is None
    assert db_session.scalar(sa.select(Attempt.exercise_id)) is None


def test_orm_delete_of_a_lesson_removes_its_sections(db_session: Session) -> None:
    lesson = make_lesson(db_session)
    lesson.sections.append(Section(slug="intro", title="Intro", body="$u = 2x + 1$"))
    db_session.commit()
    db_session.delete(lesson)
    db_session.commit()
    assert count(db_session, Section) == 0


# -- values ------------------------------------------------------------------

def test_defaults_ids_timestamps_and_json_round_trip(db_session: Session) -> None:
    learner = make_learner(db_session)
    conversation = make_conversation(db_session, learner, state={"step": "outer", "links": [1, 2]})
    make_message(db_session, conversation, 0)
    db_session.commit()
    learner_id, conversation_id = learner.id, conversation.id
    db_session.expire_all()

    learner = db_session.get(Learner, learner_id)
    conversation = db_session.get(Conversation, conversation_id)
    assert learner is not None and conversation is not None
    assert len(learner.id) == 32 and int(learner.id, 16) >= 0
    assert len(conversation.id) == 32 and conversation.id != learner.id
    assert conversation.status == "in_progress" and conversation.variable == "x"
    assert conversation.version == 1
    assert conversation.state == {"step": "outer", "links": [1, 2]}
    assert conversation.messages[0].payload == {"latex": "u = 2x + 1"}
    # Aware UTC on every database, so times from SQLite and PostgreSQL compare.
    assert conversation.created_at.tzinfo == timezone.utc
    assert learner.created_at <= conversation.updated_at


def test_server_defaults_fill_rows_written_without_the_orm(db_session: Session) -> None:
    db_session.execute(sa.insert(Lesson).values(slug="raw", title="Raw"))
    db_session.execute(sa.insert(OutboxEvent).values(type="ProblemSolved"))
    db_session.commit()
    lesson = db_session.scalars(sa.select(Lesson)).one()
    event = db_session.scalars(sa.select(OutboxEvent)).one()
    assert (lesson.summary, lesson.position) == ("", 0)
    assert lesson.updated_at.tzinfo == timezone.utc
    assert (event.payload, event.attempts, event.delivered_at) == ({}, 0, None)


def test_a_stale_conversation_update_is_refused(db_session: Session) -> None:
    conversation = make_conversation(db_session, make_learner(db_session))
    db_session.commit()
    with Session(db.engine) as other:
        theirs = other.get(Conversation, conversation.id)
        assert theirs is not None
        theirs.state = {"step": "theirs"}
        other.commit()
        assert theirs.version == 2

    conversation.state = {"step": "mine"}
    with pytest.raises(StaleDataError):
        db_session.commit()
    db_session.rollback()
    db_session.refresh(conversation)
    assert conversation.state == {"step": "theirs"}
