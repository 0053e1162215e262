"""Nothing rendered for a signed-in person is kept by a browser or a shared cache.

`Cache-Control: no-store` comes from one place for every personal answer: pages, htmx
fragments, the JSON API and downloads; the public catalogue stays cacheable for visitors.
"""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, api_token, log_in
from tests.support.bookings import CaregiverFactory, booking_code, submit_booking

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
PUBLIC = ["/", "/services", "/services/infant-day-care", "/about"]


def stored_anywhere(response: Any) -> str | None:
    """The Cache-Control of an answer that a cache may keep, or None when it says no-store."""
    value = response.headers.get("cache-control", "")
    return None if "no-store" in value else f"{response.status_code} {value!r}"


async def test_personal_pages_fragments_and_api_answers_say_no_store(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    code = await booking_code(client, await submit_booking(client))
    token = await api_token(client, "amina@example.com")
    bearer = {"Authorization": f"Bearer {token}"}
    pages = [
        "/account",
        "/account/bookings",
        "/account/password",
        f"/bookings/{code}/cancel",
        f"/bookings/{code}/move",
        f"/checkout/cancelled?booking={code}",
        *PUBLIC,  # these show the signed-in person's name in the header
    ]
    kept = {path: stored_anywhere(await client.get(path)) for path in pages}
    kept["/account/bookings (htmx)"] = stored_anywhere(
        await client.get("/account/bookings", headers={"HX-Request": "true"})
    )
    for path in ("/api/v1/me", "/api/v1/bookings", f"/api/v1/bookings/{code}"):
        kept[path] = stored_anywhere(await client.get(path, headers=bearer))
    assert {path: why for path, why in kept.items() if why} == {}


async def test_signed_out_visitors_get_no_store_on_personal_routes_only(client: Client) -> None:
    assert stored_anywhere(await client.get("/api/v1/me")) is None
    assert stored_anywhere(await client.get("/account", follow_redirects=False)) is None
    for path in PUBLIC:
        response = await client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", ""), path
