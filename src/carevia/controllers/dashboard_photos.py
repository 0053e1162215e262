"""Admins approving or rejecting caregivers' new photos, beside the verification queue."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.files import CaregiverPhotos
from carevia.domain.shared.text import Text
from carevia.web.guards import require_role
from carevia.web.requests import client_ip
from carevia.web.templating import render

DONE = {
    "approved": Text("The photo is approved and now shown to patients."),
    "rejected": Text("The photo is rejected and removed."),
}


class DecisionForm(msgspec.Struct, frozen=True, kw_only=True):
    upload_id: str = ""


class DashboardPhotoController(Controller):
    path = "/dashboard/photos"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/", name="dashboard.photos")
    async def waiting(
        self,
        request: Request[User, Any, Any],
        caregiver_photos: NamedDependency[CaregiverPhotos],
        done: FromQuery[str] = "",
    ) -> Template:
        caregivers = await caregiver_photos.pending(request.user)
        return render(
            request, "dashboard/photos.html", caregivers=caregivers, notice=DONE.get(done)
        )

    @post("/{caregiver_id:str}/{decision:str}", name="dashboard.photos.decide")
    async def decide(
        self,
        request: Request[User, Any, Any],
        caregiver_photos: NamedDependency[CaregiverPhotos],
        caregiver_id: FromPath[str],
        decision: FromPath[str],
        data: Annotated[DecisionForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        approve = await caregiver_photos.decide(
            request.user, caregiver_id, data.upload_id, decision, client_ip(request)
        )
        return Redirect(
            f"/dashboard/photos?done={'approved' if approve else 'rejected'}", status_code=303
        )
