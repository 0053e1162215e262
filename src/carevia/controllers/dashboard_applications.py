"""Admins' verification queue of applications, each with its documents side by side."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from carevia.domain.accounts import User
from carevia.domain.applications import STATUS_LABELS, ApplicationService, DecisionForm
from carevia.domain.shared import Invalid
from carevia.domain.shared.pagination import listing_query
from carevia.web.guards import require_role
from carevia.web.requests import client_ip
from carevia.web.templating import render, trigger

DETAIL = "dashboard/application_detail.html"


class QueueFilters(msgspec.Struct, frozen=True, kw_only=True):
    status: str = "submitted"

    def query_pairs(
        self, page: int | None = None, size: int | None = None
    ) -> list[tuple[str, str]]:
        return listing_query(self, page, size, 20)


class DashboardApplicationController(Controller):
    path = "/dashboard/applications"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/", name="dashboard.applications")
    async def queue(
        self,
        request: Request[User, Any, Any],
        applications: NamedDependency[ApplicationService],
        status: FromQuery[str] = "submitted",
        page: FromQuery[int] = 1,
    ) -> Template:
        filters = QueueFilters(status=status)
        listing = await applications.queue(request.user, "" if status == "all" else status, page)
        return render(
            request,
            "dashboard/applications.html",
            block="queue",
            listing=listing,
            filters=filters,
            statuses=STATUS_LABELS,
        )

    @get("/{application_id:str}", name="dashboard.applications.detail")
    async def detail(
        self,
        request: Request[User, Any, Any],
        applications: NamedDependency[ApplicationService],
        application_id: FromPath[str],
    ) -> Template:
        application = await applications.review(request.user, application_id, client_ip(request))
        return render(request, DETAIL, application=application, form=DecisionForm(), errors={})

    @post("/{application_id:str}/decision", name="dashboard.applications.decide", status_code=200)
    async def decide(
        self,
        request: Request[User, Any, Any],
        applications: NamedDependency[ApplicationService],
        application_id: FromPath[str],
        data: Annotated[DecisionForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        try:
            application = await applications.decide(
                request.user, application_id, data, client_ip(request)
            )
        except Invalid as invalid:
            application = await applications.review(
                request.user, application_id, client_ip(request)
            )
            return render(
                request,
                DETAIL,
                block="decision",
                status_code=422,
                application=application,
                form=data,
                errors=invalid.fields,
            )
        return render(
            request,
            DETAIL,
            block="decision",
            headers=trigger("applicationDecided"),
            application=application,
            form=DecisionForm(),
            errors={},
            decided=True,
        )
