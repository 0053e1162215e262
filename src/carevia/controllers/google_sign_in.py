"""Sign in with Google (HTML): the start, the return, the password to link, and unlinking."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from carevia.domain.accounts import PasswordConfirmForm
from carevia.domain.auth.google import GoogleSignIn, LinkNeeded
from carevia.domain.auth.openid import SignInRefused
from carevia.domain.auth.service import SignedIn
from carevia.domain.shared import Invalid, NotFound, RateLimited, Unauthenticated
from carevia.domain.shared.text import Text
from carevia.settings import Settings
from carevia.web.auth import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    landing_page,
    safe_next,
    signed_in_cookies,
)
from carevia.web.guards import current_user, require_user
from carevia.web.requests import client_ip
from carevia.web.templating import render, render_invalid

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
# Ties a sign-in to the browser that began it, so its answer is honoured only there.
BROWSER_COOKIE = "carevia_google"
NOT_OFFERED = Text("Sign in with Google is not available here. Please log in with your password.")


class LinkForm(msgspec.Struct, frozen=True, kw_only=True):
    token: str = ""
    password: str = ""


def _offered(google_sign_in: GoogleSignIn | None) -> GoogleSignIn:
    if google_sign_in is None:
        raise NotFound(NOT_OFFERED)
    return google_sign_in


def _browser_key(request: Request[Any, Any, Any]) -> str:
    return request.cookies.get(BROWSER_COOKIE, "")


def _signed_in(settings: Settings, signed_in: SignedIn, requested: str) -> Response[Any]:
    return Redirect(
        landing_page(signed_in.user, requested),
        status_code=303,
        cookies=signed_in_cookies(settings, signed_in),
    )


class GoogleSignInController(Controller):
    path = "/login/google"
    include_in_schema = False

    @get("/", name="google.begin")
    async def begin(
        self,
        request: Request[Any, Any, Any],
        google_sign_in: NamedDependency[GoogleSignIn | None],
        settings: NamedDependency[Settings],
        next_path: Annotated[str, QueryParameter(name="next")] = "",
    ) -> Response[Any]:
        begun = await _offered(google_sign_in).begin(
            safe_next(next_path, ""), _browser_key(request) or None
        )
        cookie = Cookie(
            key=BROWSER_COOKIE,
            value=begun.browser_key,
            path="/login/google",
            httponly=True,
            # Lax: the browser must send it on the top-level return from the provider.
            samesite="lax",
            secure=settings.secure_cookies,
            max_age=900,
        )
        return Redirect(begun.url, status_code=303, cookies=[cookie])

    @get("/callback", name="google.callback")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        google_sign_in: NamedDependency[GoogleSignIn | None],
        settings: NamedDependency[Settings],
        # `state` is a name Litestar keeps for the app's state, hence the alias.
        returned_state: Annotated[str, QueryParameter(name="state")] = "",
        code: FromQuery[str] = "",
        error: FromQuery[str] = "",
    ) -> Response[Any]:
        if error or not code or not returned_state:
            raise SignInRefused(
                Text("You did not finish signing in with Google, so nothing changed.")
            )
        outcome, next_path = await _offered(google_sign_in).complete(
            returned_state,
            code,
            _browser_key(request),
            client_ip(request),
            replaces=request.cookies.get(SESSION_COOKIE),
        )
        if isinstance(outcome, LinkNeeded):
            return Redirect(f"/login/google/link?token={outcome.token}", status_code=303)
        return _signed_in(settings, outcome, next_path)

    @get("/link", name="google.link")
    async def link_form(
        self,
        request: Request[Any, Any, Any],
        google_sign_in: NamedDependency[GoogleSignIn | None],
        token: FromQuery[str] = "",
    ) -> Template:
        email = await _offered(google_sign_in).pending_email(token, _browser_key(request))
        return render(request, "auth/google_link.html", token=token, email=email, error=None)

    @post("/link", name="google.link.confirm")
    async def confirm_link(
        self,
        request: Request[Any, Any, Any],
        google_sign_in: NamedDependency[GoogleSignIn | None],
        settings: NamedDependency[Settings],
        data: Annotated[LinkForm, FORM],
    ) -> Response[Any] | Template:
        service = _offered(google_sign_in)
        browser_key = _browser_key(request)
        try:
            signed_in, next_path = await service.confirm_link(
                data.token,
                browser_key,
                data.password,
                client_ip(request),
                replaces=request.cookies.get(SESSION_COOKIE),
                device_cookie=request.cookies.get(DEVICE_COOKIE),
            )
        except (Unauthenticated, RateLimited) as failure:
            return render(
                request,
                "auth/google_link.html",
                status_code=429 if isinstance(failure, RateLimited) else 422,
                token=data.token,
                email=await service.pending_email(data.token, browser_key),
                error=failure.message,
            )
        return _signed_in(settings, signed_in, next_path)


class GoogleAccountController(Controller):
    path = "/account/google"
    include_in_schema = False
    guards = [require_user]

    @get("/", name="account.google")
    async def page(
        self,
        request: Request[Any, Any, Any],
        google_sign_in: NamedDependency[GoogleSignIn | None],
        unlinked: FromQuery[str] = "",
    ) -> Template:
        _offered(google_sign_in)
        return render(request, "account/google.html", errors={}, unlinked=unlinked == "1")

    @post("/unlink", name="account.google.unlink")
    async def unlink(
        self,
        request: Request[Any, Any, Any],
        google_sign_in: NamedDependency[GoogleSignIn | None],
        data: Annotated[PasswordConfirmForm, FORM],
    ) -> Response[Any] | Template:
        user = current_user(request)
        assert user is not None, "guarded by require_user"
        try:
            await _offered(google_sign_in).unlink(user, data.password)
        except Invalid as invalid:
            return render_invalid(request, "account/google.html", invalid, unlinked=False)
        return Redirect("/account/google?unlinked=1", status_code=303)
