"""JSON authentication for the dashboard: access tokens, rotating refresh tokens, the caller."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from carevia.domain.accounts import Role, User
from carevia.domain.auth import AuthService
from carevia.domain.auth.tokens import InvalidToken
from carevia.settings import Settings
from carevia.web.auth import REFRESH_COOKIE, refresh_cookie
from carevia.web.guards import require_bearer_for_writes, require_user
from carevia.web.openapi import errors
from carevia.web.requests import client_ip
from carevia.web.tokens import TokenResponse, token_response


class TokenRequest(msgspec.Struct, frozen=True):
    email: str
    password: str


class Me(msgspec.Struct, frozen=True):
    id: str
    email: str
    first_name: str
    last_name: str
    role: Role
    email_verified: bool


class TokenController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", status_code=200, responses=errors(400, 401, 429))
    async def issue_token(
        self,
        request: Request[Any, Any, Any],
        auth: NamedDependency[AuthService],
        settings: NamedDependency[Settings],
        data: JSONBody[TokenRequest],
    ) -> Response[TokenResponse]:
        """Exchange an email and password for a 15-minute access token and a refresh cookie."""
        return token_response(
            settings, await auth.log_in_for_tokens(data.email, data.password, client_ip(request))
        )

    @post("/refresh", status_code=200, responses=errors(401, 429))
    async def refresh(
        self,
        request: Request[Any, Any, Any],
        auth: NamedDependency[AuthService],
        settings: NamedDependency[Settings],
    ) -> Response[TokenResponse]:
        """Rotate the refresh cookie and return a new access token; reuse ends the session."""
        token = request.cookies.get(REFRESH_COOKIE)
        if not token:
            raise InvalidToken("No refresh token was sent. Please log in.")
        return token_response(settings, await auth.refresh(token, client_ip(request)))

    @post(
        "/logout",
        status_code=204,
        # Litestar would document a JSON `null` body; a 204 has none.
        responses={
            204: ResponseSpec(None, description="Signed out; the refresh cookie is cleared.")
        },
    )
    async def log_out(
        self,
        request: Request[Any, Any, Any],
        auth: NamedDependency[AuthService],
        settings: NamedDependency[Settings],
    ) -> Response[None]:
        token = request.cookies.get(REFRESH_COOKIE)
        if token:
            await auth.revoke_refresh(token)
        return Response(None, status_code=204, cookies=[refresh_cookie(settings, None)])


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["auth"]
    guards = [require_user, require_bearer_for_writes]

    @get("/", responses=errors(401))
    async def me(self, request: Request[User, Any, Any]) -> Me:
        user = request.user
        return Me(
            id=str(user.id),
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            role=user.role,
            email_verified=user.is_verified,
        )
