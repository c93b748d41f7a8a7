"""Rosters from the platform (Names and Role Provisioning Services) into a course.

Every active learner in the platform's context becomes (or stays) a learner
enrolled in the course, with the name the platform gives; members the
platform reports inactive or no longer lists are unenrolled. Run on an
instructor's launch and on demand (the dashboard, ``chain-tutor lti
sync-roster``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from requests import RequestException
from sqlalchemy.orm import Session

from service.lti.grades import TimedSession
from service.lti.keys import signing_key
from service.lti.launches import INSTRUCTOR_ROLES
from service.lti.toolconf import registration_for
from service.models import Course, Enrolment, Learner, LtiContext, LtiPlatform, LtiUser
from service.usecases.credentials import LEARNER_TOKEN_PREFIX, hash_token, new_token
from service.usecases.errors import NotFound, Unprocessable


@dataclass(frozen=True)
class RosterSync:
    course_id: int
    learners: int  # active learners on the platform's roster
    enrolled: int  # newly enrolled here
    removed: int  # unenrolled (inactive or gone)


def sync_roster(session: Session, course_id: int, instructor_id: int | None = None) -> RosterSync:
    """Bring the course's enrolments in line with the platform's roster; commit.

    With ``instructor_id`` (a request from the dashboard), only the course's own instructor may.
    """
    course = session.get(Course, course_id)
    if course is None or (instructor_id is not None and course.instructor_id != instructor_id):
        raise NotFound(f"There is no course {course_id} of yours.")
    link = session.scalar(sa.select(LtiContext).where(LtiContext.course_id == course_id))
    if link is None or not link.memberships_url:
        raise NotFound("This course has no LMS roster to sync (no launch with Names and Roles yet).")
    platform = session.get(LtiPlatform, link.platform_id)
    assert platform is not None
    key = signing_key(session)
    connector = FlaskServiceConnector(registration_for(platform, key.private_pem, key.public_pem),
                                      requests_session=TimedSession())
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": link.memberships_url,
                                                        "service_versions": ["2.0"]})
    try:
        members = service.get_members()
    except (LtiException, RequestException) as error:
        raise Unprocessable(f"The LMS did not give the roster: {error}") from None
    return _apply(session, platform, course_id, members)


def _apply(session: Session, platform: LtiPlatform, course_id: int, members: list[Any]) -> RosterSync:
    active = {str(member["user_id"]): member for member in members
              if member.get("status", "Active") == "Active"
              and not any(role.endswith(INSTRUCTOR_ROLES) for role in member.get("roles", ()))}
    users = {user.sub: user for user in session.scalars(
        sa.select(LtiUser).where(LtiUser.platform_id == platform.id))}
    enrolled_ids = set(session.scalars(sa.select(Enrolment.learner_id).where(Enrolment.course_id == course_id)))
    added = 0
    wanted: set[str] = set()
    for sub, member in active.items():
        user = users.get(sub) or LtiUser(platform_id=platform.id, sub=sub)
        session.add(user)
        learner = session.get(Learner, user.learner_id) if user.learner_id else None
        if learner is None:
            # A token nobody holds: the learner signs in by launching, which issues one.
            learner = Learner(name=member.get("name"), token_hash=hash_token(new_token(LEARNER_TOKEN_PREFIX)))
            session.add(learner)
            session.flush()
            user.learner_id = learner.id
        elif member.get("name"):
            learner.name = member["name"]
        wanted.add(learner.id)
        if learner.id not in enrolled_ids:
            session.add(Enrolment(learner_id=learner.id, course_id=course_id))
            added += 1
    platform_learners = {user.learner_id for user in users.values() if user.learner_id}
    gone = (enrolled_ids & platform_learners) - wanted
    if gone:
        session.execute(sa.delete(Enrolment).where(Enrolment.course_id == course_id,
                                                   Enrolment.learner_id.in_(gone)))
    session.commit()
    return RosterSync(course_id=course_id, learners=len(active), enrolled=added, removed=len(gone))
