"""Who is asking: a bearer JWT (dashboard, API) or a web session cookie (the website)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from carevia.domain.accounts import User
from carevia.domain.auth.service import AuthService, SignedIn
from carevia.domain.auth.sessions import SESSION_LIFETIME
from carevia.domain.auth.tokens import InvalidToken
from carevia.settings import Settings
from carevia.web.i18n import language_cookie

SESSION_COOKIE = "carevia_session"
REFRESH_COOKIE = "carevia_refresh"
DEVICE_COOKIE = "carevia_device"
REFRESH_PATH = "/api/v1/auth"
API_PREFIX = "/api/"


class AuthInfo(msgspec.Struct, frozen=True):
    via: Literal["bearer", "session", "anonymous"]
    session_token: str | None = None


class AuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        auth: AuthService = connection.app.state.services.auth
        # Bearer tokens are for the API only. A page that honoured a stale one would send
        # the browser to /login, which would refuse the same header again, and so on.
        on_api = connection.scope["path"].startswith(API_PREFIX)
        header = connection.headers.get("authorization") if on_api else None
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthorizedException(
                    "Send an access token as 'Authorization: Bearer <token>'."
                )
            try:
                user: User | None = await auth.user_for_access_token(token.strip())
            except InvalidToken as invalid:
                raise NotAuthorizedException(invalid.message) from None
            return AuthenticationResult(user=user, auth=AuthInfo("bearer"))
        session_token = connection.cookies.get(SESSION_COOKIE)
        if session_token:
            user = await auth.user_for_session(session_token)
            if user is not None:
                return AuthenticationResult(user=user, auth=AuthInfo("session", session_token))
        return AuthenticationResult(user=None, auth=AuthInfo("anonymous", session_token))


def session_cookie(settings: Settings, token: str | None) -> Cookie:
    """The session cookie; `None` clears it. SameSite=Lax so the return from Checkout keeps it."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token or "",
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=int(SESSION_LIFETIME.total_seconds()) if token else 0,
    )


DEVICE_LIFETIME_SECONDS = 180 * 24 * 3600


def device_cookie(settings: Settings, token: str) -> Cookie:
    """Sent only to the login form, which is the only place that reads it."""
    return Cookie(
        key=DEVICE_COOKIE,
        value=token,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=DEVICE_LIFETIME_SECONDS,
    )


def refresh_cookie(settings: Settings, token: str | None, max_age: int = 0) -> Cookie:
    """Scoped to the token endpoints and Strict: only our own pages ever send it."""
    return Cookie(
        key=REFRESH_COOKIE,
        value=token or "",
        path=REFRESH_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=max_age if token else 0,
    )


STAFF_HOME = "/dashboard"
PATIENT_HOME = "/account"


def signed_in_cookies(settings: Settings, signed_in: SignedIn) -> list[Cookie]:
    """What every sign-in sets, with a password or with Google: the session, this browser as
    a trusted device, and the account's language for the pages that follow."""
    return [
        session_cookie(settings, signed_in.session),
        device_cookie(settings, signed_in.device),
        language_cookie(settings, signed_in.user.language),
    ]


def landing_page(user: User, requested: str) -> str:
    """A safe `next` the visitor asked for wins; otherwise staff start in their workspace."""
    return safe_next(requested, STAFF_HOME if user.role in ("admin", "caregiver") else PATIENT_HOME)


def safe_next(target: str | None, default: str = "/account") -> str:
    """Only a local path may be a redirect target after login."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in ("\r", "\n", "\\")) or ":" in target.split("?", 1)[0]:
        return default
    return target
