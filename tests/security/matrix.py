"""The authorization matrix file, and sending one of its cells as one kind of visitor."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from tests.security.world import World

MATRIX: dict[str, Any] = tomllib.loads(
    Path(__file__).with_name("authorization_matrix.toml").read_text()
)
ROUTES: list[dict[str, Any]] = MATRIX["route"]
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
# Answers that refuse before anything changes: these cells may share the one target.
REFUSED = ("login", 401, 403, 404)


def outcome(response: Any) -> int | str:
    """The status, or "login" for a redirect to the sign-in page."""
    location = response.headers.get("location", "") or response.headers.get("hx-redirect", "")
    if response.status_code in (302, 303) and location.startswith("/login"):
        return "login"
    return int(response.status_code)


async def resolve(world: World, route: dict[str, Any], role: str) -> tuple[str, str]:
    """The cell's URL and who sends it; a cell of a changing route gets its own target."""
    ids = {**world.ids, **route.get("path_values", {})}
    fresh = route.get("fresh", "")
    if fresh == "session":  # signing in or out ends the session it was sent with
        world.visitors[f"{role} (fresh)"] = await world.visitor(role)
        role = f"{role} (fresh)"
    elif fresh and route["expect"][role] not in REFUSED:
        if fresh == "service":
            ids["slug"] = await world.fresh_service()
        elif fresh == "caregiver":
            ids["caregiver_id"] = ids["user_id"] = await world.fresh_caregiver()
        elif fresh == "person":
            ids["person_id"] = await world.fresh_person()
        else:
            status = "in_progress" if fresh == "booking_in_progress" else ""
            ids["code"] = await world.fresh_booking(status, due=fresh == "booking_due")
    if "{ticket}" in route.get("query", ""):
        ids["ticket"] = await world.ticket(role)
    path = PARAMETER.sub(lambda match: ids[match.group(1)], route["path"])
    query = route.get("query", "")
    return (f"{path}?{query.format(**ids)}" if query else path), role


def filled(body: Any, ids: dict[str, str]) -> Any:
    if isinstance(body, dict):
        return {key: filled(value, ids) for key, value in body.items()}
    return body.format(**ids) if isinstance(body, str) else body


async def request(world: World, route: dict[str, Any], role: str) -> Any:
    """The answer to one cell: a response, or the head of a live-event stream."""
    path, sender = await resolve(world, route, role)
    if route.get("stream"):
        return await world.stream_head(sender, path)
    return await world.send(
        sender,
        route["method"],
        path,
        form=filled(route.get("form"), world.ids),
        json=filled(route.get("json"), world.ids),
    )
