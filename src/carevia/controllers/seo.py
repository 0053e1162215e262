from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Template

from carevia.domain.caregivers.listings import CaregiverListings
from carevia.domain.catalogue import CatalogueService
from carevia.settings import Settings
from carevia.web.info_pages import INFO_PAGES


@get("/sitemap.xml", include_in_schema=False)
async def sitemap(
    request: Request[Any, Any, Any],
    catalogue: NamedDependency[CatalogueService],
    caregiver_listings: NamedDependency[CaregiverListings],
    settings: NamedDependency[Settings],
) -> Template:
    return Template(
        "seo/sitemap.xml",
        context={
            "base": settings.public_base_url,
            "pages": ["/", "/services", "/caregivers", "/contact", *INFO_PAGES],
            "services": await catalogue.sitemap_entries(),
            "caregivers": await caregiver_listings.sitemap_entries(),
        },
        media_type="application/xml",
    )


@get("/robots.txt", include_in_schema=False, sync_to_thread=False)
def robots(settings: NamedDependency[Settings]) -> Response[str]:
    lines = [
        "User-agent: *",
        "Disallow: /account",
        "Disallow: /bookings",
        "Disallow: /dashboard",
        "Disallow: /checkout",
        "Disallow: /api/",
        "Disallow: /dev/",
        f"Sitemap: {settings.public_base_url}/sitemap.xml",
    ]
    return Response("\n".join(lines) + "\n", media_type=MediaType.TEXT)
