"""The patient's waitlist: join from the booking form, see each place and offer, leave."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.shared import Invalid
from carevia.domain.waitlist import OFFER_MINUTES, Waitlist, WaitlistForm
from carevia.web.guards import require_user
from carevia.web.templating import render

TEMPLATE = "waitlist/mine.html"


class WaitlistController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    guards = [require_user]

    @post("/waitlist", name="waitlist.join")
    async def join(
        self,
        request: Request[User, Any, Any],
        waitlist: NamedDependency[Waitlist],
        data: Annotated[WaitlistForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any] | Template:
        """The booking form's "join the waitlist" button posts the whole form here."""
        try:
            await waitlist.join(request.user, data.request())
        except Invalid as invalid:
            return await _page(request, waitlist, status_code=422, errors=invalid.fields)
        return Redirect("/account/waitlist?joined=1", status_code=303)

    @get("/account/waitlist", name="waitlist.mine")
    async def mine(
        self, request: Request[User, Any, Any], waitlist: NamedDependency[Waitlist]
    ) -> Template:
        return await _page(request, waitlist)

    @post("/account/waitlist/{entry_id:str}/leave", name="waitlist.leave")
    async def leave(
        self,
        request: Request[User, Any, Any],
        waitlist: NamedDependency[Waitlist],
        entry_id: FromPath[str],
    ) -> Response[Any] | Template:
        try:
            await waitlist.leave(request.user, entry_id)
        except Invalid as invalid:
            return await _page(request, waitlist, status_code=409, errors=invalid.fields)
        return Redirect("/account/waitlist?left=1", status_code=303)


async def _page(
    request: Request[User, Any, Any],
    waitlist: Waitlist,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> Template:
    """The page; its live region and the booking list's banner select their part of it."""
    return render(
        request,
        TEMPLATE,
        status_code=status_code,
        entries=await waitlist.entries_for(request.user),
        offers=await waitlist.offers_for(request.user),
        offer_minutes=OFFER_MINUTES,
        errors=errors or {},
    )
