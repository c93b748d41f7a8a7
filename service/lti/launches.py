"""What an LTI resource launch means here, as one unit of work.

The platform user becomes a learner (their name kept up to date) or, with
an instructor role, an instructor account; the platform's context becomes a
course, made on its first launch with the launching instructor as its
instructor (a learner arriving first gets a placeholder owner that the
first instructor then replaces); the learner is enrolled; the resource's
custom parameters choose the problem; the AGS endpoint of the launch is
kept as the learner's grade target for the course.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Course,
    Enrolment,
    Exercise,
    Instructor,
    Learner,
    LtiContext,
    LtiGradeTarget,
    LtiPlatform,
    LtiUser,
)
from service.usecases.courses import new_course_code
from service.usecases.credentials import LEARNER_TOKEN_PREFIX, hash_password, hash_token, new_token
from service.usecases.errors import NotFound

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLES = CLAIM + "roles"
CONTEXT = CLAIM + "context"
RESOURCE_LINK = CLAIM + "resource_link"
CUSTOM = CLAIM + "custom"
DEPLOYMENT = CLAIM + "deployment_id"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
# Roles that make a launching user an instructor of the course (LIS vocabulary, short or full).
INSTRUCTOR_ROLES = ("#Instructor", "#Administrator", "#ContentDeveloper", "/Instructor", "/Administrator")


@dataclass(frozen=True)
class Launched:
    """What the launch page needs: who, where, and what to work on."""

    role: str  # "learner" or "instructor"
    course_id: int
    course_title: str
    name: str | None
    learner_id: str | None = None
    learner_token: str | None = None  # a fresh bearer token for the chat, handed to this page only
    instructor_id: int | None = None
    expression: str | None = None


def is_instructor(claims: Mapping[str, Any]) -> bool:
    """Whether the launch's roles make the user an instructor.

    >>> is_instructor({ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]})
    True
    >>> is_instructor({ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]})
    False
    """
    return any(role.endswith(INSTRUCTOR_ROLES) for role in claims.get(ROLES, ()))


def display_name(claims: Mapping[str, Any]) -> str | None:
    """The user's name as the platform gives it."""
    name = claims.get("name") or " ".join(part for part in (claims.get("given_name"), claims.get("family_name"))
                                          if part)
    return (name or None) and str(name)[:200]


def record_launch(session: Session, claims: Mapping[str, Any]) -> Launched:
    """Map a validated resource launch onto a learner or instructor and a course, and commit."""
    platform = session.scalar(sa.select(LtiPlatform).where(
        LtiPlatform.issuer == claims["iss"], LtiPlatform.client_id == _audience(claims)))
    if platform is None:
        raise NotFound("This platform is not registered with Chain Tutor.")
    user = _user(session, platform, str(claims["sub"]))
    context = claims.get(CONTEXT) or {"id": f"resource:{claims.get(RESOURCE_LINK, {}).get('id', '')}"}
    name = display_name(claims)
    if is_instructor(claims):
        instructor = _instructor(session, platform, user, name)
        course, _ = _course(session, platform, context, instructor, claims)
        session.commit()
        return Launched(role="instructor", course_id=course.id, course_title=course.title, name=name,
                        instructor_id=instructor.id, expression=_expression(session, claims))
    learner, token = _learner(session, user, name)
    course, _ = _course(session, platform, context, None, claims)
    if session.scalar(sa.select(Enrolment.id).where(Enrolment.learner_id == learner.id,
                                                    Enrolment.course_id == course.id)) is None:
        session.add(Enrolment(learner_id=learner.id, course_id=course.id))
    _grade_target(session, platform, learner, course, user.sub, claims)
    session.commit()
    return Launched(role="learner", course_id=course.id, course_title=course.title, name=name,
                    learner_id=learner.id, learner_token=token, expression=_expression(session, claims))


def _audience(claims: Mapping[str, Any]) -> str:
    audience = claims.get("aud")
    if isinstance(audience, list):
        return str(claims.get("azp") or audience[0])
    return str(audience)


def _user(session: Session, platform: LtiPlatform, sub: str) -> LtiUser:
    user = session.scalar(sa.select(LtiUser).where(LtiUser.platform_id == platform.id, LtiUser.sub == sub))
    if user is None:
        user = LtiUser(platform_id=platform.id, sub=sub)
        session.add(user)
    return user


def _learner(session: Session, user: LtiUser, name: str | None) -> tuple[Learner, str]:
    """The user's learner with a fresh token (each launch starts a new chat session)."""
    token = new_token(LEARNER_TOKEN_PREFIX)
    learner = session.get(Learner, user.learner_id) if user.learner_id else None
    if learner is None:
        learner = Learner(name=name, token_hash=hash_token(token))
        session.add(learner)
        session.flush()
        user.learner_id = learner.id
    else:
        learner.token_hash = hash_token(token)
        learner.name = name or learner.name
    return learner, token


def _instructor(session: Session, platform: LtiPlatform, user: LtiUser, name: str | None) -> Instructor:
    instructor = session.get(Instructor, user.instructor_id) if user.instructor_id else None
    if instructor is None:
        # An account of its own, never merged with another by an email the platform asserts.
        email = f"lti-{platform.id}-{secrets.token_hex(6)}@lti.invalid"
        instructor = Instructor(email=email, name=name or "LMS instructor",
                                password_hash=hash_password(secrets.token_urlsafe(32)))
        session.add(instructor)
        session.flush()
        user.instructor_id = instructor.id
    elif name:
        instructor.name = name
    return instructor


def _course(session: Session, platform: LtiPlatform, context: Mapping[str, Any], instructor: Instructor | None,
            claims: Mapping[str, Any]) -> tuple[Course, LtiContext]:
    link = session.scalar(sa.select(LtiContext).where(LtiContext.platform_id == platform.id,
                                                      LtiContext.context_id == str(context["id"])))
    title = str(context.get("title") or context.get("label") or "LMS course")[:200]
    memberships = (claims.get(NRPS) or {}).get("context_memberships_url")
    if link is None:
        owner = instructor or _placeholder_owner(session, platform)
        course = Course(instructor_id=owner.id, title=title, code=new_course_code())
        session.add(course)
        session.flush()
        link = LtiContext(platform_id=platform.id, context_id=str(context["id"]), course_id=course.id,
                          placeholder_owner=instructor is None, memberships_url=memberships)
        session.add(link)
        return course, link
    course = session.get(Course, link.course_id)
    assert course is not None  # the context's course goes with it (ON DELETE CASCADE)
    if instructor is not None and link.placeholder_owner:
        course.instructor_id, link.placeholder_owner = instructor.id, False
    if memberships:
        link.memberships_url = memberships
    return course, link


def _placeholder_owner(session: Session, platform: LtiPlatform) -> Instructor:
    email = f"lti-platform-{platform.id}@lti.invalid"
    owner = session.scalar(sa.select(Instructor).where(Instructor.email == email))
    if owner is None:
        owner = Instructor(email=email, name=f"{platform.name} (until an instructor launches)",
                           password_hash=hash_password(secrets.token_urlsafe(32)))
        session.add(owner)
        session.flush()
    return owner


def _grade_target(session: Session, platform: LtiPlatform, learner: Learner, course: Course, sub: str,
                  claims: Mapping[str, Any]) -> None:
    endpoint = claims.get(AGS_ENDPOINT)
    if not endpoint:
        return
    resource = claims.get(RESOURCE_LINK) or {}
    target = session.scalar(sa.select(LtiGradeTarget).where(LtiGradeTarget.learner_id == learner.id,
                                                            LtiGradeTarget.course_id == course.id))
    if target is None:
        target = LtiGradeTarget(platform_id=platform.id, learner_id=learner.id, course_id=course.id)
        session.add(target)
    target.sub, target.resource_link_id = sub, str(resource.get("id", ""))
    target.resource_title = resource.get("title")
    target.lineitem_url, target.lineitems_url = endpoint.get("lineitem"), endpoint.get("lineitems")
    target.scopes = list(endpoint.get("scope") or ())


def _expression(session: Session, claims: Mapping[str, Any]) -> str | None:
    """The problem the resource asks for: custom ``exercise`` (a bank slug), ``family`` (one of its
    problems, at random) or ``expression``."""
    custom = claims.get(CUSTOM) or {}
    if custom.get("family"):
        found = session.scalar(sa.select(Exercise.expression).where(Exercise.family == str(custom["family"]))
                               .order_by(sa.func.random()).limit(1))
        if found:
            return found
    if custom.get("exercise"):
        found = session.scalar(sa.select(Exercise.expression).where(Exercise.slug == str(custom["exercise"])))
        if found:
            return found
    expression = custom.get("expression")
    return str(expression)[:500] if expression else None


def lti_identities(session: Session, learner_ids: set[str]) -> dict[str, dict[str, str]]:
    """``{learner_id: {"iss", "sub"}}`` for the learners who came through a launch (webhook data)."""
    if not learner_ids:
        return {}
    rows = session.execute(sa.select(LtiUser.learner_id, LtiPlatform.issuer, LtiUser.sub)
                           .join(LtiPlatform, LtiPlatform.id == LtiUser.platform_id)
                           .where(LtiUser.learner_id.in_(learner_ids)))
    return {learner_id: {"iss": issuer, "sub": sub} for learner_id, issuer, sub in rows}
