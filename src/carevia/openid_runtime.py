"""Choosing the OpenID provider behind "Sign in with Google" for one app process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar

from carevia.devtools.openid_provider import LocalOpenIDProvider
from carevia.domain.auth.openid import OpenIDClient
from carevia.settings import Settings


def google_redirect_uri(settings: Settings) -> str:
    return f"{settings.public_base_url}/login/google/callback"


@asynccontextmanager
async def openid_client(app: Litestar, settings: Settings) -> AsyncIterator[OpenIDClient | None]:
    """Google with its keys; the local test provider without them; nothing in production."""
    redirect_uri = google_redirect_uri(settings)
    if settings.google.client_id:
        yield OpenIDClient(
            client_id=settings.google.client_id,
            client_secret=settings.google.client_secret or "",
            discovery_url=settings.google.discovery_url,
            redirect_uri=redirect_uri,
        )
        return
    if not settings.uses_local_openid_provider:
        yield None
        return
    provider = LocalOpenIDProvider(f"{settings.public_base_url}/dev/openid", redirect_uri)
    app.state.local_openid_provider = provider
    # The client reaches the stand-in's discovery, keys and token endpoint in-process, over
    # the same HTTP routes a browser would use, so nothing listens beyond the app itself.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar is an ASGI app
    yield OpenIDClient(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        discovery_url=f"{provider.issuer}/.well-known/openid-configuration",
        redirect_uri=redirect_uri,
        transport=transport,
    )
