"""Every route × every role gets the answer listed in authorization_matrix.toml.

Anonymous visitors, two patients, two caregivers and an admin ask for each route with path
parameters that belong to patient A and caregiver X, so patient B and caregiver Y show what
a stranger gets. A route that the app serves and the file does not list fails the suite.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.security.conftest import data_file
from tests.security.world import ROLES, World

MATRIX: dict[str, Any] = tomllib.loads(data_file("authorization_matrix.toml").read_text())
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
        else:
            status = "in_progress" if fresh == "booking_in_progress" else ""
            ids["code"] = await world.fresh_booking(status)
    if "{ticket}" in route.get("query", ""):
        ids["ticket"] = await world.ticket(role)
    path = PARAMETER.sub(lambda match: ids[match.group(1)], route["path"])
    query = route.get("query", "")
    return (f"{path}?{query.format(**ids)}" if query else path), role


def filled(body: Any, ids: dict[str, str]) -> Any:
    if isinstance(body, dict):
        return {key: filled(value, ids) for key, value in body.items()}
    return body.format(**ids) if isinstance(body, str) else body


async def answer(world: World, route: dict[str, Any], role: str) -> int | str:
    path, sender = await resolve(world, route, role)
    if route.get("stream"):
        return outcome(await world.stream_head(sender, path))
    response = await world.send(
        sender,
        route["method"],
        path,
        form=filled(route.get("form"), world.ids),
        json=filled(route.get("json"), world.ids),
    )
    return outcome(response)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    "route", [pytest.param(route, id=f"{route['method']} {route['path']}") for route in ROUTES]
)
async def test_each_role_gets_the_listed_answer(world: World, route: dict[str, Any]) -> None:
    """One route's six cells; a failure names each role that got another answer."""
    answers = {role: await answer(world, route, role) for role in ROLES}
    wrong = {
        role: f"got {answers[role]}, listed {route['expect'][role]}"
        for role in ROLES
        if answers[role] != route["expect"][role]
    }
    assert wrong == {}


def served_routes(app: Litestar) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
        if method not in MATRIX["unlisted_methods"]
    }


def test_the_matrix_lists_every_route_the_app_serves_and_no_other(world_app: Litestar) -> None:
    listed = {(row["method"], row["path"]) for row in ROUTES}
    excluded = {(row["method"], row["path"]) for row in MATRIX["excluded"]}
    assert all(row["reason"] for row in MATRIX["excluded"])
    assert served_routes(world_app) - listed - excluded == set()
    assert listed - served_routes(world_app) == set()
    assert all(set(row["expect"]) == set(ROLES) for row in ROUTES)
