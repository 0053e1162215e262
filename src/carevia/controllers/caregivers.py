"""The public caregiver directory and profiles."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from carevia.domain.caregivers.directory import DIRECTORY_SORTS, DirectoryFilter
from carevia.domain.caregivers.listings import DIRECTORY_VISIT_HOURS, CaregiverListings
from carevia.domain.reviews import ReviewService
from carevia.web.templating import render

REVIEWS_PER_PAGE = 10


class CaregiverController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    path = "/caregivers"

    @get("/", name="caregivers.list")
    async def directory(
        self,
        request: Request[Any, Any, Any],
        caregiver_listings: NamedDependency[CaregiverListings],
        category: FromQuery[str | None] = None,
        division: FromQuery[str | None] = None,
        language: FromQuery[str | None] = None,
        min_rating: FromQuery[str | None] = None,
        free_on: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        wanted = DirectoryFilter.from_query(
            category=category,
            division=division,
            language=language,
            min_rating=min_rating,
            free_on=free_on,
            sort=sort,
        )
        results = await caregiver_listings.browse(wanted, page)
        return render(
            request,
            "caregivers/directory.html",
            block="results",
            filter=wanted,
            results=results,
            languages=await caregiver_listings.languages(),
            sorts=DIRECTORY_SORTS,
            visit_hours=DIRECTORY_VISIT_HOURS,
        )

    @get("/{caregiver_id:str}", name="caregivers.profile")
    async def caregiver_profile(
        self,
        request: Request[Any, Any, Any],
        caregiver_listings: NamedDependency[CaregiverListings],
        reviews: NamedDependency[ReviewService],
        caregiver_id: FromPath[str],
        page: FromQuery[int] = 1,
    ) -> Template:
        caregiver = await caregiver_listings.profile(caregiver_id)
        shown = await reviews.for_caregiver_page(caregiver.id, page, REVIEWS_PER_PAGE)
        return render(request, "caregivers/profile.html", caregiver=caregiver, reviews=shown)
