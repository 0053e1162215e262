"""A caregiver's public profile, edited by the caregiver."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.caregivers.availability import ProfileForm
from carevia.domain.caregivers.service import CaregiverDirectory
from carevia.domain.files import UPLOAD_BODY_LIMIT, CaregiverPhotos
from carevia.domain.shared import Invalid
from carevia.web.guards import require_role
from carevia.web.templating import render, render_invalid
from carevia.web.uploads import FileUpload


class DashboardProfileController(Controller):
    path = "/dashboard/profile"
    guards = [require_role("caregiver")]
    include_in_schema = False

    @get("/", name="dashboard.profile")
    async def profile(
        self,
        request: Request[User, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        photo: FromQuery[str] = "",
    ) -> Template:
        caregiver = await caregivers.own_profile(request.user)
        return render(
            request,
            "dashboard/profile.html",
            form=ProfileForm.of(caregiver),
            errors={},
            saved=False,
            caregiver=caregiver,
            photo_state=photo,
        )

    @post(
        "/photo",
        name="dashboard.profile.photo",
        status_code=200,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def upload_photo(
        self,
        request: Request[User, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        caregiver_photos: NamedDependency[CaregiverPhotos],
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[Any] | Template:
        try:
            await caregiver_photos.submit(request.user, await data.content(), data.file_name)
        except Invalid as invalid:
            caregiver = await caregivers.own_profile(request.user)
            return render(
                request,
                "dashboard/profile.html",
                status_code=422,
                form=ProfileForm.of(caregiver),
                errors={},
                saved=False,
                caregiver=caregiver,
                photo_error=invalid.fields.get("file", invalid.message),
            )
        return Redirect("/dashboard/profile?photo=pending", status_code=303)

    @post("/", name="dashboard.profile.save", status_code=200)
    async def save(
        self,
        request: Request[User, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        data: Annotated[ProfileForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        try:
            caregiver = await caregivers.update_profile(request.user, data)
        except Invalid as invalid:
            caregiver = await caregivers.own_profile(request.user)
            return render_invalid(
                request,
                "dashboard/profile.html",
                invalid,
                block="profile_form",
                form=data,
                saved=False,
                caregiver=caregiver,
            )
        return render(
            request,
            "dashboard/profile.html",
            block="profile_form",
            form=ProfileForm.of(caregiver),
            errors={},
            saved=True,
            caregiver=caregiver,
        )
