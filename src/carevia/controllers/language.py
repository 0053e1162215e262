"""The language switch in the header: a plain form post that remembers the choice and goes back."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from carevia.domain.accounts import AccountService
from carevia.settings import Settings
from carevia.web.auth import safe_next
from carevia.web.guards import current_user
from carevia.web.i18n import Language, language_cookie


class LanguageChoice(msgspec.Struct, frozen=True, kw_only=True):
    language: Language
    next: str = "/"


class LanguageController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API

    @post("/language", name="language.choose", status_code=303)
    async def choose(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        settings: NamedDependency[Settings],
        data: Annotated[LanguageChoice, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        if (user := current_user(request)) is not None:
            await accounts.choose_language(user, data.language)
        return Redirect(
            safe_next(data.next, "/"),
            status_code=303,
            cookies=[language_cookie(settings, data.language)],
        )
