"""The tool's signing keys: RSA 2048, made the first time one is needed and kept in the database.

The newest key that is not retired signs. :func:`rotate_key` retires it
and makes a new one; a retired key stays in the published JWKS for
:data:`RETIRED_KEY_GRACE`, so what was signed just before still verifies.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy.orm import Session

from service.models import LtiKey, utcnow

RETIRED_KEY_GRACE = timedelta(days=7)


def public_jwk(public_pem: str) -> dict[str, Any]:
    """A public key as a JWK for signatures (``kid`` its RFC 7638 thumbprint)."""
    key = JWK.from_pem(public_pem.encode())
    jwk: dict[str, Any] = json.loads(key.export_public())
    jwk.update(alg="RS256", use="sig", kid=key.thumbprint())
    return jwk


def _new_key() -> LtiKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return LtiKey(kid=public_jwk(public_pem)["kid"], private_pem=private_pem, public_pem=public_pem)


def signing_key(session: Session) -> LtiKey:
    """The key that signs now, made (and committed) on first use."""
    key = session.scalar(sa.select(LtiKey).where(LtiKey.retired_at.is_(None))
                         .order_by(LtiKey.created_at.desc()).limit(1))
    if key is None:
        key = _new_key()
        session.add(key)
        session.commit()
    return key


def rotate_key(session: Session) -> LtiKey:
    """Retire the signing key (it stays published for a grace period) and make a new one."""
    now = utcnow()
    session.execute(sa.update(LtiKey).where(LtiKey.retired_at.is_(None)).values(retired_at=now))
    key = _new_key()
    session.add(key)
    session.commit()
    return key


def jwks(session: Session) -> dict[str, list[dict[str, Any]]]:
    """The published key set: the signing key and keys retired within the grace period."""
    signing_key(session)
    since = utcnow() - RETIRED_KEY_GRACE
    keys = session.scalars(sa.select(LtiKey).where(sa.or_(LtiKey.retired_at.is_(None), LtiKey.retired_at > since))
                           .order_by(LtiKey.created_at.desc()))
    return {"keys": [public_jwk(key.public_pem) for key in keys]}
