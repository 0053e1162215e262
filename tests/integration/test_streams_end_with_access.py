"""A live stream ends the moment its reader loses access: disabled, demoted or deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import DEFAULT_PASSWORD, UserFactory
from tests.support.sse import EventStream, add_notifications, bearer, open_stream, ticket_url

# Well below the 30 s re-check a stream does by itself.
PROMPTLY = 3


@pytest.fixture
async def admin_api(served_app: str, make_user: UserFactory) -> AsyncIterator[httpx.AsyncClient]:
    await make_user("ops@example.com", role="admin")
    async with httpx.AsyncClient(base_url=served_app, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {await bearer(client, 'ops@example.com')}"
        yield client


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    return page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    token = await form_token(client, "/login")
    form = {"email": email, "password": DEFAULT_PASSWORD, "_csrf_token": token}
    assert (await client.post("/login", data=form)).status_code in {200, 303}


async def assert_ends_promptly(stream: EventStream) -> None:
    with pytest.raises(EOFError):
        await stream.next_event(within=PROMPTLY)


async def test_disabling_a_patient_ends_their_open_stream_at_once(
    served_app: str,
    admin_api: httpx.AsyncClient,
    make_user: UserFactory,
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    patient = await make_user("amina@example.com")
    async with httpx.AsyncClient(base_url=served_app, timeout=30) as browser:
        await sign_in(browser, patient.email)
        async with open_stream(browser, "/account/events") as stream:
            (first,) = await add_notifications(database, 1, patient_id=patient.id)
            assert (await stream.next_event()).id == str(first)

            disabled = await admin_api.post(
                f"/api/v1/users/{patient.id}/active", json={"active": False}
            )
            assert disabled.status_code == 200
            await add_notifications(database, 1, patient_id=patient.id)
            await assert_ends_promptly(stream)


async def test_a_role_change_ends_the_staff_stream_at_once(
    served_app: str, admin_api: httpx.AsyncClient, make_user: UserFactory
) -> None:
    caregiver = await make_user("carer@example.com", role="caregiver")
    async with httpx.AsyncClient(base_url=served_app, timeout=30) as staff:
        staff.headers["Authorization"] = f"Bearer {await bearer(staff, caregiver.email)}"
        url = await ticket_url(staff)
        async with open_stream(staff, url) as stream:
            changed = await admin_api.post(
                f"/api/v1/users/{caregiver.id}/role", json={"role": "patient"}
            )
            assert changed.status_code == 200
            await assert_ends_promptly(stream)


async def test_deleting_the_account_ends_its_open_stream_at_once(
    served_app: str, make_user: UserFactory
) -> None:
    patient = await make_user("amina@example.com")
    async with httpx.AsyncClient(base_url=served_app, timeout=30) as browser:
        await sign_in(browser, patient.email)
        async with open_stream(browser, "/account/events") as stream:
            token = await form_token(browser, "/account/delete")
            deleted = await browser.post(
                "/account/delete", data={"password": DEFAULT_PASSWORD, "_csrf_token": token}
            )
            assert deleted.status_code in {200, 303}
            await assert_ends_promptly(stream)
