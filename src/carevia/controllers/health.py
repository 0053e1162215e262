from __future__ import annotations

from typing import Any

from litestar import MediaType, Response, get
from litestar.di import NamedDependency

from carevia.db import Database, is_reachable
from carevia.embedded_db import EmbeddedDatabase


@get(
    "/healthz",
    media_type=MediaType.JSON,
    include_in_schema=False,
    sync_to_thread=False,
    opt={"exclude_from_auth": True, "exclude_from_csrf": True},
)
def healthz(
    database_process: NamedDependency[EmbeddedDatabase | None],
) -> Response[dict[str, Any]]:
    """Alive, unless the embedded database this process runs is down or restarting."""
    if database_process is None:
        return Response({"status": "ok"})
    health = database_process.health
    process = {"state": health.state, "restarts": health.restarts}
    if health.state == "running":
        return Response({"status": "ok", "database": process})
    reason = health.reason or "the embedded database is not running"
    return Response(
        {"status": "unavailable", "reason": reason, "database": process}, status_code=503
    )


@get(
    "/readyz",
    media_type=MediaType.JSON,
    include_in_schema=False,
    opt={"exclude_from_auth": True, "exclude_from_csrf": True},
)
async def readyz(database: NamedDependency[Database]) -> Response[dict[str, str]]:
    if await is_reachable(database):
        return Response({"status": "ready"})
    return Response({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
