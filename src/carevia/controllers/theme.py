"""The light/dark switch: a plain form post that remembers the choice and goes back."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import ClientRefresh
from litestar.response import Redirect

from carevia.settings import Settings
from carevia.web.auth import safe_next
from carevia.web.templating import is_fragment_request
from carevia.web.theme import Theme, theme_cookie


class ThemeChoice(msgspec.Struct, frozen=True, kw_only=True):
    theme: Theme
    next: str = "/"


class ThemeController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API

    # A plain post is redirected (303, set below); an htmx post is answered 200 with a refresh.
    @post("/theme", name="theme.choose", status_code=200)
    async def choose(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        data: Annotated[ThemeChoice, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        cookie = theme_cookie(settings, data.theme)
        back = safe_next(data.next, "/")
        if is_fragment_request(request):
            # The whole page is drawn again in the new colours, keeping its address.
            refresh = ClientRefresh()
            refresh.set_cookie(cookie)
            return refresh
        return Redirect(back, status_code=303, cookies=[cookie])
