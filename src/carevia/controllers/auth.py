"""Registration, login and logout, email verification and password reset (HTML)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from carevia.domain.accounts import (
    AccountService,
    EmailForm,
    LoginForm,
    PasswordResetForm,
    RegistrationForm,
    TokenForm,
)
from carevia.domain.accounts.service import EXPIRED_LINK
from carevia.domain.auth import AuthService
from carevia.domain.shared import Invalid, NotFound, RateLimited, Unauthenticated
from carevia.settings import Settings
from carevia.web.auth import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    landing_page,
    safe_next,
    session_cookie,
    signed_in_cookies,
)
from carevia.web.guards import current_user
from carevia.web.requests import client_ip
from carevia.web.templating import render, render_invalid

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class AuthController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API

    @get("/login", name="auth.login")
    async def login_form(
        self,
        request: Request[Any, Any, Any],
        next_path: Annotated[str, QueryParameter(name="next")] = "",
        verified: FromQuery[str] = "",
    ) -> Template:
        return render(
            request,
            "auth/login.html",
            form=LoginForm(next=safe_next(next_path, "")),
            error=None,
            just_verified=verified == "1",
        )

    @post("/login", name="auth.login.submit")
    async def log_in(
        self,
        request: Request[Any, Any, Any],
        auth: NamedDependency[AuthService],
        settings: NamedDependency[Settings],
        data: Annotated[LoginForm, FORM],
    ) -> Response[Any] | Template:
        try:
            signed_in = await auth.log_in(
                data.email,
                data.password,
                client_ip(request),
                replaces=request.cookies.get(SESSION_COOKIE),
                device_cookie=request.cookies.get(DEVICE_COOKIE),
            )
        except (Unauthenticated, RateLimited) as failure:
            return render(
                request,
                "auth/login.html",
                status_code=429 if isinstance(failure, RateLimited) else 422,
                form=LoginForm(email=data.email, next=safe_next(data.next, "")),
                error=failure.message,
            )
        return Redirect(
            landing_page(signed_in.user, data.next),
            status_code=303,
            cookies=signed_in_cookies(settings, signed_in),
        )

    @post("/logout", name="auth.logout")
    async def log_out(
        self,
        request: Request[Any, Any, Any],
        auth: NamedDependency[AuthService],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await auth.close_session(token, current_user(request))
        return Redirect("/", status_code=303, cookies=[session_cookie(settings, None)])

    @get("/register", name="auth.register")
    async def registration_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "auth/register.html", form=RegistrationForm(), errors={})

    @post("/register", name="auth.register.submit", status_code=200)
    async def register(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        data: Annotated[RegistrationForm, FORM],
    ) -> Template:
        try:
            email = await accounts.register(data, client_ip(request))
        except Invalid as invalid:
            return render_invalid(request, "auth/register.html", invalid, form=data)
        return render(request, "auth/check_email.html", email=email)

    @get("/verify-email", name="auth.verify_email")
    async def verify_email_form(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        token: FromQuery[str] = "",
    ) -> Template:
        """Only asks: a GET that changed anything would let any page verify, or sign in, for us."""
        if not await accounts.verification_link_is_usable(token):
            raise NotFound(EXPIRED_LINK)
        return render(request, "auth/verify_email.html", token=token, other_account=None)

    @post("/verify-email", name="auth.verify_email.confirm", status_code=200)
    async def verify_email(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        data: Annotated[TokenForm, FORM],
    ) -> Response[Any] | Template:
        verified = await accounts.verify_email(data.token)
        signed_in = current_user(request)
        if signed_in is None:
            return Redirect("/login?verified=1&next=/account", status_code=303)
        if signed_in.id == verified.id:
            return Redirect("/account?verified=1", status_code=303)
        return render(request, "auth/verify_email.html", token="", other_account=signed_in)

    @get("/forgot-password", name="auth.forgot_password")
    async def forgot_password_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "auth/forgot_password.html", email="", sent=False)

    @post("/forgot-password", name="auth.forgot_password.submit", status_code=200)
    async def request_reset(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        data: Annotated[EmailForm, FORM],
    ) -> Template:
        await accounts.request_password_reset(data.email, client_ip(request))
        return render(request, "auth/forgot_password.html", email=data.email, sent=True)

    @get("/reset-password", name="auth.reset_password")
    async def reset_form(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        token: FromQuery[str] = "",
    ) -> Template:
        usable = await accounts.reset_link_is_usable(token)
        return render(
            request,
            "auth/reset_password.html",
            token=token,
            usable=usable,
            errors={},
            status_code=200 if usable else 410,
        )

    @post("/reset-password", name="auth.reset_password.submit", status_code=200)
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        data: Annotated[PasswordResetForm, FORM],
    ) -> Template:
        try:
            await accounts.reset_password(data.token, data.new_password)
        except Invalid as invalid:
            return render_invalid(
                request, "auth/reset_password.html", invalid, token=data.token, usable=True
            )
        return render(request, "auth/reset_done.html")
