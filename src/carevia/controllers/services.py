from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from carevia.domain.caregivers.listings import CaregiverListings
from carevia.domain.catalogue import CatalogueService, ServiceFilter
from carevia.domain.reviews import ReviewService
from carevia.web.page_cache import PAGE_CACHE_OPT
from carevia.web.templating import render

RECENT_REVIEWS = 3


class ServiceController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    path = "/services"

    @get("/", name="services.list", opt={PAGE_CACHE_OPT: ("catalogue",)})
    async def list_services(
        self,
        request: Request[Any, Any, Any],
        catalogue: NamedDependency[CatalogueService],
        q: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        division: FromQuery[list[str] | None] = None,
        min_rating: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        service_filter = ServiceFilter.from_query(
            text=q, category=category, divisions=division, min_rating=min_rating, sort=sort
        )
        results = await catalogue.browse(service_filter, page)
        return render(
            request, "services/list.html", block="results", filter=service_filter, results=results
        )

    # The page lists the caregivers offering the service with their next free time.
    @get("/{slug:str}", name="services.detail", opt={PAGE_CACHE_OPT: ("catalogue", "free_time")})
    async def service_detail(
        self,
        request: Request[Any, Any, Any],
        catalogue: NamedDependency[CatalogueService],
        caregiver_listings: NamedDependency[CaregiverListings],
        reviews: NamedDependency[ReviewService],
        slug: FromPath[str],
    ) -> Template:
        service, related = await catalogue.detail(slug)
        return render(
            request,
            "services/detail.html",
            service=service,
            related=related,
            caregivers=await caregiver_listings.offering(
                service.category, service.booking_rules.min_hours
            ),
            reviews=await reviews.recent_for_service(service.id, RECENT_REVIEWS),
        )
