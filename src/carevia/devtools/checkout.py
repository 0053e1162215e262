"""Development checkout: the hosted payment page of the local test gateway.

Mounted only outside production and only when no Stripe key is configured; no money moves.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.devtools.local_gateway import LocalGateway
from carevia.settings import Settings
from carevia.web.templating import render


class DevCheckoutController(Controller):
    path = "/dev/checkout"
    include_in_schema = False

    @get("/{session_id:str}", name="dev_checkout.page")
    async def page(
        self,
        request: Request[Any, Any, Any],
        local_gateway: NamedDependency[LocalGateway],
        settings: NamedDependency[Settings],
        session_id: FromPath[str],
        declined: FromQuery[str] = "",
    ) -> Template:
        checkout = await local_gateway.checkout(session_id)
        return render(
            request,
            "dev/checkout.html",
            checkout=checkout,
            declined=bool(declined) and checkout.is_open,
            timezone=settings.timezone,
        )

    @post("/{session_id:str}/pay", name="dev_checkout.pay")
    async def pay(
        self,
        request: Request[Any, Any, Any],
        local_gateway: NamedDependency[LocalGateway],
        session_id: FromPath[str],
        then: FromQuery[str] = "",
    ) -> Response[Any] | Template:
        await local_gateway.pay(session_id)
        checkout = await local_gateway.checkout(session_id)
        if not checkout.is_paid:  # it expired before the customer paid
            return Redirect(f"/dev/checkout/{session_id}", status_code=303)
        if then == "close":
            return render(request, "dev/checkout_closed.html", checkout=checkout)
        return Redirect(checkout.return_url, status_code=303)

    @post("/{session_id:str}/fail", name="dev_checkout.fail")
    async def fail(
        self, local_gateway: NamedDependency[LocalGateway], session_id: FromPath[str]
    ) -> Response[Any]:
        session = await local_gateway.fail(session_id)
        query = "?declined=1" if session.status == "open" else ""
        return Redirect(f"/dev/checkout/{session_id}{query}", status_code=303)

    @post("/{session_id:str}/cancel", name="dev_checkout.cancel")
    async def cancel(
        self, local_gateway: NamedDependency[LocalGateway], session_id: FromPath[str]
    ) -> Response[Any]:
        return Redirect(await local_gateway.cancel(session_id), status_code=303)
