"""Asking for a reset link: the same work for every address, and a limit per address and IP."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token

Database = AsyncDatabase[dict[str, Any]]


async def document_counts(database: Database) -> dict[str, int]:
    return {
        name: await database[name].count_documents({})
        for name in await database.list_collection_names()
    }


async def work_done(client: Client, database: Database, email: str, token: str) -> dict[str, int]:
    """How many documents each collection gained from one request."""
    before = await document_counts(database)
    response = await client.post("/forgot-password", data={"email": email, "_csrf_token": token})
    assert response.status_code == 200
    after = await document_counts(database)
    return {name: count - before.get(name, 0) for name, count in after.items()}


async def test_a_known_and_an_unknown_address_cost_the_same_writes(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user("rahim@example.com")
    token = await csrf_token(client, "/forgot-password")
    # The first request of an address (IP) opens its counter; warm that up first.
    await work_done(client, database, "first@example.com", token)

    known = await work_done(client, database, "rahim@example.com", token)
    unknown = await work_done(client, database, "nobody@example.com", token)

    assert known == unknown
    assert known["mail_outbox"] == known["account_tokens"] == 1
    templates = {
        message["to"]: message["template"]
        async for message in database["mail_outbox"].find({}, {"to": 1, "template": 1})
    }
    assert templates["rahim@example.com"] == "reset_password"
    assert templates["nobody@example.com"] == "reset_no_account"


async def test_twelve_requests_for_one_address_queue_three_links(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user("rahim@example.com")
    token = await csrf_token(client, "/forgot-password")
    pages = set()
    for _ in range(12):
        response = await client.post(
            "/forgot-password", data={"email": "rahim@example.com", "_csrf_token": token}
        )
        assert response.status_code == 200
        pages.add(response.text)
    assert len(pages) == 1
    assert await database["mail_outbox"].count_documents({"to": "rahim@example.com"}) == 3


async def test_one_address_asking_for_many_accounts_is_held_to_ten(
    client: Client, database: Database
) -> None:
    token = await csrf_token(client, "/forgot-password")
    for number in range(12):
        response = await client.post(
            "/forgot-password", data={"email": f"guess{number}@example.com", "_csrf_token": token}
        )
        assert response.status_code == 200
        assert "If an account uses" in response.text
    assert await database["mail_outbox"].count_documents({}) == 10
