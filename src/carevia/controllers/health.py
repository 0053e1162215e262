from __future__ import annotations

from litestar import MediaType, Response, get
from litestar.di import NamedDependency

from carevia.db import Database, is_reachable


@get(
    "/healthz",
    media_type=MediaType.JSON,
    include_in_schema=False,
    sync_to_thread=False,
    opt={"exclude_from_auth": True},
)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", media_type=MediaType.JSON, include_in_schema=False, opt={"exclude_from_auth": True})
async def readyz(database: NamedDependency[Database]) -> Response[dict[str, str]]:
    if await is_reachable(database):
        return Response({"status": "ready"})
    return Response({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
