from __future__ import annotations

from datetime import datetime

from carevia.domain.catalogue.models import Service, ServiceFilter
from carevia.domain.catalogue.repository import ServiceRepository
from carevia.domain.coverage import is_known_division
from carevia.domain.shared import Invalid, NotFound, Page
from carevia.domain.shared.pagination import clamp_page
from carevia.domain.shared.text import Text

PAGE_SIZE = 12
MAX_SEARCH_LENGTH = 100


class CatalogueService:
    def __init__(self, repository: ServiceRepository) -> None:
        self._repository = repository

    async def browse(self, service_filter: ServiceFilter, page: int) -> Page[Service]:
        self._check(service_filter)
        total = await self._repository.count(service_filter)
        request = clamp_page(page, total, PAGE_SIZE)
        items = await self._repository.search(service_filter, skip=request.skip, limit=request.size)
        return Page(items=items, number=request.number, size=request.size, total=total)

    async def get(self, slug: str) -> Service:
        service = await self._repository.get_active_by_slug(slug)
        if service is None:
            raise NotFound(Text("We could not find a service called “%(slug)s”.", slug=slug))
        return service

    async def detail(self, slug: str, related_limit: int = 3) -> tuple[Service, list[Service]]:
        """The service with others from its category, most liked first."""
        service = await self.get(slug)
        return service, await self._repository.related(service, related_limit)

    async def featured(self, limit: int = 6) -> list[Service]:
        return await self._repository.featured(limit)

    async def sitemap_entries(self) -> list[tuple[str, datetime]]:
        return await self._repository.active_slugs_with_dates()

    @staticmethod
    def _check(service_filter: ServiceFilter) -> None:
        fields: dict[str, str] = {}
        if service_filter.text and len(service_filter.text) > MAX_SEARCH_LENGTH:
            fields["q"] = Text(
                "Search text can be at most %(limit)d characters.", limit=MAX_SEARCH_LENGTH
            )
        unknown = [d for d in service_filter.divisions if not is_known_division(d)]
        if unknown:
            fields["division"] = Text("Unknown division: %(names)s.", names=", ".join(unknown))
        if service_filter.min_rating is not None and not 0 <= service_filter.min_rating <= 5:
            fields["min_rating"] = Text("Minimum rating must be between 0 and 5.")
        if fields:
            raise Invalid(fields, Text("Some filters could not be used."))
