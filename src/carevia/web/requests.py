from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException
from litestar.plugins.htmx import HTMXRequest


class CareviaRequest(HTMXRequest):
    """The htmx-aware request, refusing a JSON body nested too deeply for the decoder (400).

    Naming it as the app's `request_class` replaces the one `HTMXPlugin` would set, so it
    keeps `HTMXRequest` as its base.
    """

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError as error:
            # msgspec gives up on deep nesting (10,000 levels of `[`) with RecursionError,
            # which Litestar does not turn into a client error.
            raise ClientException("The JSON body is nested too deeply.") from error


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def cookies_in(header: str) -> dict[str, str]:
    """A raw `Cookie` header's values, the first of each name, for middleware that runs
    before a `Request` exists."""
    found: dict[str, str] = {}
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name and name not in found:
            found[name] = value
    return found
