"""Webhooks in: notices from a platform (roster changes, a course renamed).

Two ways to sign them are accepted: a JWT signed by the platform and
verified against its JWKS (as LTI's Platform Notification Service and
Canvas Live Events do), or Standard Webhooks 1.0 with the platform's shared
``whsec_`` secret. A notice is stored once per id (a repeat is answered as
a duplicate), answered at once, and processed by the delivery worker:

- ``context.updated`` (or ``LtiContextUpdateNotice``) with ``context: {id, title}``:
  the course takes the new title;
- ``membership.changed`` (or ``LtiMembershipChangeNotice``) with ``context: {id}``:
  the course's roster is synced again (NRPS).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jwt
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.lti.rosters import sync_roster
from service.models import Course, LtiContext, LtiNotice, LtiPlatform, utcnow
from service.usecases.errors import InvalidCredentials, NotFound, Unprocessable, UseCaseError

NOTICE_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/notice"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
RENAMED = {"context.updated", "LtiContextUpdateNotice"}
ROSTER_CHANGED = {"membership.changed", "LtiMembershipChangeNotice"}
BATCH = 50
# One JWKS client per key set URL for the process: it keeps the platform's keys for
# five minutes, so a notice is answered without fetching them every time.
_JWK_CLIENTS: dict[str, jwt.PyJWKClient] = {}


def receive_notice(session: Session, platform_id: int, body: bytes, headers: Mapping[str, str]) -> bool:
    """Verify and store a notice; whether it is new (``False``: a duplicate of one already received)."""
    platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound(f"There is no platform {platform_id}.")
    notice_id, payload = _verified(platform, body, {k.lower(): v for k, v in headers.items()})
    kind = str(payload.get("type") or (payload.get(NOTICE_CLAIM) or {}).get("type") or "")
    session.add(LtiNotice(key=f"{platform.id}:{notice_id}"[:300], platform_id=platform.id, type=kind[:100],
                          payload=payload))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def _verified(platform: LtiPlatform, body: bytes, headers: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    if "webhook-signature" in headers:
        if not platform.webhook_secret:
            raise InvalidCredentials("This platform has no shared secret for signed webhooks.")
        try:
            payload = Webhook(platform.webhook_secret).verify(body, dict(headers))
        except (WebhookVerificationError, ValueError) as error:
            raise InvalidCredentials(f"The webhook signature does not check out: {error}.") from None
        return headers["webhook-id"], payload
    token = _token(body)
    try:
        client = _JWK_CLIENTS.setdefault(platform.key_set_url, jwt.PyJWKClient(platform.key_set_url, timeout=15))
        key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=platform.issuer,
                            audience=platform.client_id)
    except jwt.PyJWTError as error:
        raise InvalidCredentials(f"The notice's JWT does not check out: {error}.") from None
    notice_id = (claims.get(NOTICE_CLAIM) or {}).get("id") or claims.get("jti")
    if not notice_id:
        raise Unprocessable("The notice has no id.")
    return str(notice_id), claims


def _token(body: bytes) -> str:
    text = body.decode(errors="replace").strip()
    if text.startswith("{"):
        try:
            found = json.loads(text).get("jwt")
        except (ValueError, AttributeError):
            found = None
        if not isinstance(found, str):
            raise Unprocessable("The notice is neither signed webhook JSON nor a JWT.")
        return found
    return text


def process_notices(session: Session) -> int:
    """Apply notices not yet processed (oldest first); how many were handled. Commits each."""
    query = (sa.select(LtiNotice).where(LtiNotice.processed_at.is_(None)).order_by(LtiNotice.created_at)
             .limit(BATCH))
    if session.connection().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    notices = session.scalars(query).all()
    for notice in notices:
        try:
            _apply(session, notice)
        except UseCaseError as error:
            notice.error = error.message[:500]
        notice.processed_at = utcnow()
    session.commit()
    return len(notices)


def _apply(session: Session, notice: LtiNotice) -> None:
    context = notice.payload.get("context") or notice.payload.get(CONTEXT_CLAIM) or {}
    link = session.scalar(sa.select(LtiContext).where(LtiContext.platform_id == notice.platform_id,
                                                      LtiContext.context_id == str(context.get("id"))))
    if link is None:
        raise NotFound(f"No course here for the platform's context {context.get('id')!r}.")
    if notice.type in RENAMED and context.get("title"):
        course = session.get(Course, link.course_id)
        assert course is not None
        course.title = str(context["title"])[:200]
    elif notice.type in ROSTER_CHANGED:
        sync_roster(session, link.course_id)
