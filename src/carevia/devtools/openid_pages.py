"""The local test OpenID provider's endpoints: discovery, keys, the pick page and the token.

Mounted only outside production and only without Google keys (`uses_local_openid_provider`).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from carevia.devtools.openid_provider import (
    OFFERED_IDENTITIES,
    AuthorizationRequest,
    LocalOpenIDProvider,
    PickedIdentity,
    ProviderRefusal,
)
from carevia.web.templating import render

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
# Called by the app's own client, which has no user, no cookie and no CSRF token.
MACHINE = {"exclude_from_auth": True, "exclude_from_csrf": True}


class PickForm(AuthorizationRequest, frozen=True, kw_only=True):
    email: str = ""
    given_name: str = ""
    family_name: str = ""
    email_verified: str = ""


class DevOpenIDController(Controller):
    path = "/dev/openid"
    include_in_schema = False

    @get("/.well-known/openid-configuration", name="dev_openid.discovery", opt=MACHINE)
    async def discovery(
        self, local_openid_provider: NamedDependency[LocalOpenIDProvider]
    ) -> dict[str, Any]:
        return local_openid_provider.discovery()

    @get("/jwks", name="dev_openid.jwks", opt=MACHINE)
    async def jwks(
        self, local_openid_provider: NamedDependency[LocalOpenIDProvider]
    ) -> dict[str, Any]:
        return local_openid_provider.jwks()

    @get("/authorize", name="dev_openid.pick")
    async def pick(
        self,
        request: Request[Any, Any, Any],
        local_openid_provider: NamedDependency[LocalOpenIDProvider],
    ) -> Template:
        asked = msgspec.convert(
            {
                name: request.query_params.get(name, "")
                for name in AuthorizationRequest.__struct_fields__
            },
            AuthorizationRequest,
        )
        try:
            local_openid_provider.check(asked)
        except ProviderRefusal as refusal:
            return render(
                request,
                "dev/openid_pick.html",
                status_code=400,
                asked=asked,
                refusal=refusal.description,
                identities=(),
            )
        return render(
            request,
            "dev/openid_pick.html",
            asked=asked,
            refusal=None,
            identities=OFFERED_IDENTITIES,
        )

    @post("/authorize", name="dev_openid.choose")
    async def choose(
        self,
        request: Request[Any, Any, Any],
        local_openid_provider: NamedDependency[LocalOpenIDProvider],
        data: Annotated[PickForm, FORM],
    ) -> Response[Any] | Template:
        identity = PickedIdentity(
            email=data.email[:254],
            given_name=data.given_name[:100],
            family_name=data.family_name[:100],
            email_verified=data.email_verified == "yes",
        )
        asked = msgspec.convert(
            {name: getattr(data, name) for name in AuthorizationRequest.__struct_fields__},
            AuthorizationRequest,
        )
        try:
            return Redirect(local_openid_provider.authorize(asked, identity), status_code=303)
        except ProviderRefusal as refusal:
            return render(
                request,
                "dev/openid_pick.html",
                status_code=400,
                asked=asked,
                refusal=refusal.description,
                identities=OFFERED_IDENTITIES,
            )

    @post("/token", name="dev_openid.token", opt=MACHINE, status_code=200)
    async def token(
        self,
        request: Request[Any, Any, Any],
        local_openid_provider: NamedDependency[LocalOpenIDProvider],
    ) -> Response[dict[str, Any]]:
        form = {key: str(value) for key, value in (await request.form()).items()}
        try:
            answer = local_openid_provider.exchange(form, request.headers.get("authorization"))
        except ProviderRefusal as refusal:
            return Response(
                {"error": refusal.error, "error_description": refusal.description},
                status_code=401 if refusal.error == "invalid_client" else 400,
            )
        return Response(answer, headers={"Cache-Control": "no-store"})
