"""The staff dashboard shell and the bridge from a web session to API tokens."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from carevia.controllers.api_auth import TokenResponse, token_response
from carevia.domain.accounts import User
from carevia.domain.auth import AuthService
from carevia.settings import Settings
from carevia.web.guards import require_role
from carevia.web.requests import client_ip
from carevia.web.templating import render


class DashboardController(Controller):
    path = "/dashboard"
    guards = [require_role("admin", "caregiver")]
    include_in_schema = False

    @get("/", name="dashboard.home")
    async def home(self, request: Request[User, Any, Any]) -> Template:
        return render(request, "dashboard/home.html", headers={"Cache-Control": "no-store"})

    @post("/token", name="dashboard.token", status_code=200)
    async def token(
        self,
        request: Request[User, Any, Any],
        auth: NamedDependency[AuthService],
        settings: NamedDependency[Settings],
    ) -> Response[TokenResponse]:
        """Tokens for the page's script, in a response body: never in a URL.

        This is an ordinary CSRF-protected form route, so only our own page can call it.
        """
        return token_response(settings, await auth.issue_tokens(request.user, client_ip(request)))
