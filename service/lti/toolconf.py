"""Platform registrations from the database, in the shape ``pylti1p3`` asks for.

Every issuer may have several client ids (one per registration), so the
"many clients per issuer" lookups are the ones used; a login initiation
that leaves ``client_id`` out (it is optional there) finds the issuer's
registration when it has exactly one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy.orm import Session

from service.lti.keys import signing_key
from service.models import LtiPlatform


class DatabaseToolConf(ToolConfAbstract):  # type: ignore[type-arg]
    """``pylti1p3``'s tool configuration, read from ``lti_platforms`` and ``lti_keys``."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session = session_factory

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        """The registration of ``(iss, client_id)``, or the issuer's only one when no client id is given."""
        query = sa.select(LtiPlatform).where(LtiPlatform.issuer == iss)
        if client_id:
            query = query.where(LtiPlatform.client_id == client_id)
        found = self._session().scalars(query.limit(2)).all()
        return found[0] if len(found) == 1 else None

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration | None:
        return self.find_registration_by_params(iss, None, *args, **kwargs)  # type: ignore[arg-type]

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any
                                    ) -> Registration | None:
        platform = self.platform(iss, client_id)
        if platform is None:
            return None
        key = signing_key(self._session())
        return registration_for(platform, key.private_pem, key.public_pem)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)  # type: ignore[arg-type]

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args: Any,
                                  **kwargs: Any) -> Deployment | None:
        platform = self.platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


def registration_for(platform: LtiPlatform, private_pem: str, public_pem: str) -> Registration:
    """The platform's registration with the tool's key, for launches and service calls (AGS, NRPS)."""
    registration = (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
                    .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
                    .set_key_set_url(platform.key_set_url)
                    .set_tool_private_key(private_pem).set_tool_public_key(public_pem))
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    return registration
