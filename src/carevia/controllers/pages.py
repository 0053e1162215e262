"""Home, the informational pages and the contact form."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Template

from carevia.domain.catalogue import CatalogueService
from carevia.domain.contact import CONTACT_TOPICS, ContactForm, ContactService
from carevia.domain.reviews import ReviewService
from carevia.domain.shared import Invalid
from carevia.web.info_pages import INFO_PAGES
from carevia.web.page_cache import PAGE_CACHE_OPT
from carevia.web.templating import render, render_invalid

ContactBody = Annotated[ContactForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


class PageController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API

    @get("/", name="home", opt={PAGE_CACHE_OPT: ("catalogue",)})
    async def home(
        self,
        request: Request[Any, Any, Any],
        catalogue: NamedDependency[CatalogueService],
        reviews: NamedDependency[ReviewService],
        account_deleted: FromQuery[str] = "",
    ) -> Template:
        return render(
            request,
            "home.html",
            featured=await catalogue.featured(),
            testimonials=await reviews.testimonials(),
            account_deleted=account_deleted == "1",
        )

    @get(list(INFO_PAGES), name="info_page")
    async def info_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, INFO_PAGES[request.url.path])

    @get("/contact", name="contact")
    async def contact_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(
            request, "pages/contact.html", form=ContactForm(), errors={}, topics=CONTACT_TOPICS
        )

    @post("/contact", name="contact.submit", status_code=200)
    async def submit_contact(
        self,
        request: Request[Any, Any, Any],
        contact: NamedDependency[ContactService],
        data: ContactBody,
    ) -> Template:
        try:
            message = await contact.submit(data)
        except Invalid as invalid:
            return render_invalid(
                request,
                "pages/contact.html",
                invalid,
                block="contact_form",
                form=data,
                topics=CONTACT_TOPICS,
            )
        return render(
            request,
            "pages/contact.html",
            block="contact_form",
            sent=message,
            form=ContactForm(),
            errors={},
            topics=CONTACT_TOPICS,
        )
