"""The one rule for caching: nothing personal is stored by a browser or a shared cache.

Handlers do not set `Cache-Control` for this themselves. An answer is personal when a
signed-in person asked for it (even a catalogue page shows their name) or when its path
serves accounts, bookings, payments, staff screens, tokens or emailed links, whoever asks.
The public catalogue, static files and probes, asked for signed out, stay cacheable.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from carevia.domain.accounts import User

NO_STORE = "no-store"
PERSONAL_PATHS = (
    "/account",
    "/bookings",
    "/checkout",
    "/dashboard",
    "/dev/",
    "/documents",
    "/reset-password",
    "/verify-email",
    "/api/v1/auth",
    "/api/v1/bookings",
    "/api/v1/events",
    "/api/v1/me",
    "/api/v1/notifications",
    "/api/v1/stats",
    "/api/v1/users",
)


# Pictures set their own caching: a published one is the same for everyone, whoever asks,
# and a pending one (seen by its owner and admins) says `private, no-store` itself.
PICTURE_PATHS = ("/files/", "/avatars/")


def is_personal(scope: Scope) -> bool:
    path = scope.get("path", "")
    if path.startswith(PICTURE_PATHS):
        return False
    return isinstance(scope.get("user"), User) or path.startswith(PERSONAL_PATHS)


async def no_store_when_personal(message: Message, scope: Scope) -> None:
    """A `before_send` hook, so error pages and redirects of personal routes are covered too."""
    if message["type"] == "http.response.start" and is_personal(scope):
        MutableScopeHeaders.from_message(message)["cache-control"] = NO_STORE
