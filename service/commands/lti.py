"""``chain-tutor lti``: register LMS platforms, list them, rotate the tool's key.

What to give the LMS when registering the tool: the login URL
``https://HOST/lti/login``, the launch (redirect) URL
``https://HOST/lti/launch`` and the key set URL
``https://HOST/.well-known/jwks.json``.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from service.extensions import db
from service.lti.keys import rotate_key, signing_key
from service.lti.platforms import list_platforms, register_platform
from service.lti.rosters import sync_roster


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3: platforms (LMSs) and the tool's keys."""


@lti_group.command("register")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://canvas.instructure.com")
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option("--deployment-id", required=True, help="The deployment id (run again to add another).")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorisation endpoint.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token endpoint.")
@click.option("--key-set-url", required=True, help="The platform's JWKS URL.")
@click.option("--auth-audience", default=None, help="Audience of token requests, if not the token URL.")
@click.option("--name", default="LMS", show_default=True, help="A name for people.")
@click.option("--webhook-secret", default=None,
              help="whsec_ secret of the platform's Standard Webhooks notices (JWT notices need none).")
@with_appcontext
def register_command(issuer: str, client_id: str, deployment_id: str, auth_login_url: str,
                     auth_token_url: str, key_set_url: str, auth_audience: str | None, name: str,
                     webhook_secret: str | None) -> None:
    """Register a platform (or add a deployment to one)."""
    platform = register_platform(db.session, issuer=issuer, client_id=client_id, deployment_id=deployment_id,
                                 name=name, auth_login_url=auth_login_url, auth_token_url=auth_token_url,
                                 key_set_url=key_set_url, auth_audience=auth_audience,
                                 webhook_secret=webhook_secret)
    click.echo(f"notices: POST /lti/notices/{platform.id}")
    click.echo(f"platform {platform.id}: {platform.issuer} client {platform.client_id}, "
               f"deployments {', '.join(platform.deployment_ids)}")


@lti_group.command("list")
@with_appcontext
def list_command() -> None:
    """List the registered platforms."""
    for platform in list_platforms(db.session):
        click.echo(f"{platform.id}\t{platform.name}\t{platform.issuer}\t{platform.client_id}\t"
                   f"{','.join(platform.deployment_ids)}")


@lti_group.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Make a new signing key; the old one stays published for a week."""
    signing_key(db.session)
    click.echo(f"new signing key {rotate_key(db.session).kid}")


@lti_group.command("sync-roster")
@click.argument("course_id", type=int)
@with_appcontext
def sync_roster_command(course_id: int) -> None:
    """Fetch a course's roster from its LMS (Names and Role Provisioning Services)."""
    synced = sync_roster(db.session, course_id)
    click.echo(f"{synced.learners} learners in the LMS; {synced.enrolled} enrolled, {synced.removed} removed")
