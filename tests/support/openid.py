"""Signing in with the local test OpenID provider, as a browser would, step by step."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from litestar import Litestar

from carevia.devtools.openid_provider import LocalOpenIDProvider, PickedIdentity
from tests.support.accounts import Client, csrf_token


def provider_of(app: Litestar) -> LocalOpenIDProvider:
    provider: LocalOpenIDProvider = app.state.local_openid_provider
    return provider


async def begin(client: Client, next_path: str = "") -> dict[str, str]:
    """Press "Sign in with Google": the parameters the app sent the browser to the provider with."""
    started = await client.get(
        "/login/google", params={"next": next_path} if next_path else None, follow_redirects=False
    )
    assert started.status_code == 303, started.text
    location = urlsplit(started.headers["location"])
    assert location.path == "/dev/openid/authorize"
    return dict(parse_qsl(location.query))


async def pick(client: Client, asked: dict[str, str], identity: PickedIdentity) -> str:
    """Choose an identity on the provider's page: the callback address it sends the browser to."""
    page = "/dev/openid/authorize?" + "&".join(f"{k}={v}" for k, v in asked.items())
    chosen = await client.post(
        "/dev/openid/authorize",
        data={
            **asked,
            "email": identity.email,
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "email_verified": "yes" if identity.email_verified else "no",
            "_csrf_token": await csrf_token(client, page),
        },
        follow_redirects=False,
    )
    assert chosen.status_code == 303, chosen.text
    return str(chosen.headers["location"])


async def sign_in_with_google(
    client: Client, email: str, *, verified: bool = True, next_path: str = ""
) -> Any:
    """The whole round trip; the answer of the app's callback, not followed."""
    asked = await begin(client, next_path)
    identity = PickedIdentity(
        email=email, given_name="Nadia", family_name="Islam", email_verified=verified
    )
    callback = await pick(client, asked, identity)
    return await client.get(callback, follow_redirects=False)


async def answer_with(client: Client, app: Litestar, asked: dict[str, str], id_token: str) -> Any:
    """Return to the app with a code for this exact ID token, as a misbehaving provider might."""
    code = provider_of(app).grant(id_token, asked["code_challenge"], asked["redirect_uri"])
    return await client.get(
        "/login/google/callback",
        params={"code": code, "state": asked["state"]},
        follow_redirects=False,
    )
