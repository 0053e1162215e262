"""The signed-in user's own account: profile, password, export and deletion."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import (
    AccountService,
    PasswordChangeForm,
    PasswordConfirmForm,
    ProfileForm,
    User,
)
from carevia.domain.privacy import PersonalData
from carevia.domain.shared import Invalid
from carevia.settings import Settings
from carevia.web.auth import session_cookie
from carevia.web.guards import require_user
from carevia.web.templating import render, render_invalid

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def profile_form_of(user: User) -> ProfileForm:
    return ProfileForm(
        first_name=user.first_name,
        last_name=user.last_name,
        phone=user.phone,
        address=user.address,
        city=user.city,
        division=user.division,
        district=user.district,
        postal_code=user.postal_code or "",
    )


class AccountController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    path = "/account"
    guards = [require_user]

    @get("/", name="account.profile")
    async def profile(
        self, request: Request[User, Any, Any], verified: FromQuery[str] = ""
    ) -> Template:
        return render(
            request,
            "account/profile.html",
            block="profile_form",
            form=profile_form_of(request.user),
            errors={},
            saved=False,
            just_verified=verified == "1",
        )

    @post("/", name="account.profile.update", status_code=200)
    async def update_profile(
        self,
        request: Request[User, Any, Any],
        accounts: NamedDependency[AccountService],
        data: Annotated[ProfileForm, FORM],
    ) -> Template:
        try:
            user = await accounts.update_profile(request.user, data)
        except Invalid as invalid:
            return render_invalid(
                request,
                "account/profile.html",
                invalid,
                block="profile_form",
                form=data,
                saved=False,
                just_verified=False,
            )
        return render(
            request,
            "account/profile.html",
            block="profile_form",
            form=profile_form_of(user),
            errors={},
            saved=True,
            just_verified=False,
        )

    @post("/verification", name="account.resend_verification", status_code=200)
    async def resend_verification(
        self, request: Request[User, Any, Any], accounts: NamedDependency[AccountService]
    ) -> Template:
        await accounts.resend_verification(request.user)
        return render(
            request,
            "account/profile.html",
            block="verification",
            form=profile_form_of(request.user),
            errors={},
            saved=False,
            just_verified=False,
            resent=True,
        )

    @get("/password", name="account.password")
    async def password_form(self, request: Request[User, Any, Any]) -> Template:
        return render(request, "account/password.html", errors={})

    @post("/password", name="account.password.change", status_code=200)
    async def change_password(
        self,
        request: Request[User, Any, Any],
        accounts: NamedDependency[AccountService],
        data: Annotated[PasswordChangeForm, FORM],
    ) -> Response[Any] | Template:
        try:
            await accounts.change_password(request.user, data)
        except Invalid as invalid:
            return render_invalid(request, "account/password.html", invalid)
        # Every session, this one included, ended with the old password.
        return Redirect("/login?next=/account", status_code=303)

    @get("/export", name="account.export")
    async def export(
        self, request: Request[User, Any, Any], personal_data: NamedDependency[PersonalData]
    ) -> Response[bytes]:
        data = await personal_data.export(request.user)
        return Response(
            msgspec.json.format(msgspec.json.encode(data), indent=2),
            media_type="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="carevia-my-data.json"',
                "Cache-Control": "no-store",
            },
        )

    @get("/delete", name="account.delete")
    async def delete_form(
        self, request: Request[User, Any, Any], personal_data: NamedDependency[PersonalData]
    ) -> Template:
        upcoming = await personal_data.upcoming_bookings(request.user)
        return render(request, "account/delete.html", errors={}, upcoming=upcoming)

    @post("/delete", name="account.delete.confirm", status_code=200)
    async def delete(
        self,
        request: Request[User, Any, Any],
        personal_data: NamedDependency[PersonalData],
        settings: NamedDependency[Settings],
        data: Annotated[PasswordConfirmForm, FORM],
    ) -> Response[Any] | Template:
        try:
            await personal_data.delete_account(request.user, data.password)
        except Invalid as invalid:
            upcoming = await personal_data.upcoming_bookings(request.user)
            return render_invalid(request, "account/delete.html", invalid, upcoming=upcoming)
        return Redirect(
            "/?account_deleted=1", status_code=303, cookies=[session_cookie(settings, None)]
        )
