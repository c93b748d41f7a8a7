"""Registering platforms (LMSs): per (issuer, client id), with their deployments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Course, Learner, LtiContext, LtiGradeTarget, LtiPlatform, LtiScoreDelivery
from service.usecases.errors import NotFound
from service.webhooks.events import event_id


@dataclass(frozen=True)
class PlatformView:
    id: int
    name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


def register_platform(session: Session, *, issuer: str, client_id: str, deployment_id: str, name: str,
                      auth_login_url: str, auth_token_url: str, key_set_url: str,
                      auth_audience: str | None = None, webhook_secret: str | None = None) -> PlatformView:
    """Register a platform, or add a deployment to (and update) an existing registration."""
    platform = session.scalar(sa.select(LtiPlatform).where(LtiPlatform.issuer == issuer,
                                                           LtiPlatform.client_id == client_id))
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id, deployment_ids=[])
        session.add(platform)
    platform.name, platform.auth_audience = name, auth_audience
    if webhook_secret:
        platform.webhook_secret = webhook_secret
    platform.auth_login_url, platform.auth_token_url, platform.key_set_url = (
        auth_login_url, auth_token_url, key_set_url)
    if deployment_id not in platform.deployment_ids:
        platform.deployment_ids = [*platform.deployment_ids, deployment_id]
    session.commit()
    return _view(platform)


def list_platforms(session: Session) -> list[PlatformView]:
    return [_view(platform) for platform in session.scalars(sa.select(LtiPlatform).order_by(LtiPlatform.id))]


def remove_platform(session: Session, platform_id: int) -> None:
    platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound(f"There is no platform with id {platform_id}.")
    session.delete(platform)
    session.commit()


def _view(platform: LtiPlatform) -> PlatformView:
    return PlatformView(id=platform.id, name=platform.name, issuer=platform.issuer, client_id=platform.client_id,
                        deployment_ids=list(platform.deployment_ids), auth_login_url=platform.auth_login_url,
                        auth_token_url=platform.auth_token_url, key_set_url=platform.key_set_url)


@dataclass(frozen=True)
class LinkedCourse:
    course_id: int
    title: str
    platform: str
    has_roster: bool


@dataclass(frozen=True)
class ScoreLogEntry:
    id: int
    course_title: str
    learner_name: str | None
    event_id: str
    score: dict[str, object]
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class LtiOverview:
    """The dashboard's LTI page: platforms, the instructor's LMS courses, the grades sent."""

    platforms: list[PlatformView]
    courses: list[LinkedCourse]
    scores: list[ScoreLogEntry]


def lti_overview(session: Session, instructor_id: int, scores: int = 50) -> LtiOverview:
    """What the instructor sees of LTI: every platform, their own LMS courses and their scores' log."""
    courses = [LinkedCourse(course_id=course.id, title=course.title, platform=platform.name,
                            has_roster=bool(link.memberships_url))
               for link, course, platform in session.execute(
                   sa.select(LtiContext, Course, LtiPlatform).join(Course, Course.id == LtiContext.course_id)
                   .join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
                   .where(Course.instructor_id == instructor_id).order_by(Course.id))]
    log = session.execute(
        sa.select(LtiScoreDelivery, Course.title, Learner.name)
        .join(LtiGradeTarget, LtiGradeTarget.id == LtiScoreDelivery.target_id)
        .join(Course, Course.id == LtiGradeTarget.course_id)
        .join(Learner, Learner.id == LtiGradeTarget.learner_id)
        .where(Course.instructor_id == instructor_id)
        .order_by(LtiScoreDelivery.id.desc()).limit(scores))
    entries = [ScoreLogEntry(id=delivery.id, course_title=title, learner_name=name,
                             event_id=event_id(delivery.event_id), score=dict(delivery.score),
                             status=delivery.status, attempts=delivery.attempts,
                             last_status_code=delivery.last_status_code, last_error=delivery.last_error,
                             created_at=delivery.created_at) for delivery, title, name in log]
    return LtiOverview(platforms=list_platforms(session), courses=courses, scores=entries)
