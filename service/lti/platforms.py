"""Registering platforms (LMSs): per (issuer, client id), with their deployments."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import LtiPlatform
from service.usecases.errors import NotFound


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
                      auth_audience: str | None = None) -> PlatformView:
    """Register a platform, or add a deployment to (and update) an existing registration."""
    platform = session.scalar(sa.select(LtiPlatform).where(LtiPlatform.issuer == issuer,
                                                           LtiPlatform.client_id == client_id))
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id, deployment_ids=[])
        session.add(platform)
    platform.name, platform.auth_audience = name, auth_audience
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
