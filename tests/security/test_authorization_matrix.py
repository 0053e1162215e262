"""Every route × every role gets the answer listed in authorization_matrix.toml.

Anonymous visitors, two patients, two caregivers and an admin ask for each route with path
parameters that belong to patient A and caregiver X, so patient B and caregiver Y show what
a stranger gets. A route that the app serves and the file does not list fails the suite.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.security.matrix import MATRIX, ROUTES, outcome, request
from tests.security.world import ROLES, World


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize(
    "route", [pytest.param(route, id=f"{route['method']} {route['path']}") for route in ROUTES]
)
async def test_each_role_gets_the_listed_answer(world: World, route: dict[str, Any]) -> None:
    """One route's six cells; a failure names each role that got another answer."""
    answers = {role: outcome(await request(world, route, role)) for role in ROLES}
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
