"""Public caregiver profiles."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from carevia.domain.caregivers import CaregiverDirectory
from carevia.domain.reviews import ReviewService
from carevia.web.templating import render

REVIEWS_PER_PAGE = 10


class CaregiverController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    path = "/caregivers"

    @get("/{caregiver_id:str}", name="caregivers.profile")
    async def caregiver_profile(
        self,
        request: Request[Any, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        reviews: NamedDependency[ReviewService],
        caregiver_id: FromPath[str],
        page: FromQuery[int] = 1,
    ) -> Template:
        caregiver = await caregivers.public_profile(caregiver_id)
        shown = await reviews.for_caregiver_page(caregiver.id, page, REVIEWS_PER_PAGE)
        return render(request, "caregivers/profile.html", caregiver=caregiver, reviews=shown)
