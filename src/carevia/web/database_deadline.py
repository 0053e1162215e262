"""One deadline for all the database work of a request.

The client's `timeoutMS` bounds each operation; a page that makes ten of them against a slow
server could still take ten times as long. Within this deadline every operation gets only
what is left, so a request answers (a 503 page at worst) within about the budget.
"""

from __future__ import annotations

from collections.abc import Callable

import pymongo
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send


def database_deadline(budget_ms: int) -> Callable[[ASGIApp], ASGIApp]:
    seconds = budget_ms / 1000

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            # An event stream lives for hours; each of its operations keeps the client's bound.
            if scope["type"] != ScopeType.HTTP or _is_event_stream(scope):
                await app(scope, receive, send)
                return
            with pymongo.timeout(seconds):
                await app(scope, receive, send)

        return middleware

    return middleware_factory


def _is_event_stream(scope: Scope) -> bool:
    return "text/event-stream" in Headers.from_scope(scope).get("accept", "")
