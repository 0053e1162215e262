"""The emailed verification link: a GET only asks, a POST confirms, no session ever changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.repository import token_digest
from carevia.web.auth import SESSION_COOKIE
from tests.support.accounts import Client, UserFactory, log_in


async def verification_link(
    database: AsyncDatabase[dict[str, Any]], user_id: Any, token: str
) -> str:
    await database["account_tokens"].insert_one(
        {
            "_id": token_digest(token),
            "user_id": user_id,
            "purpose": "verify_email",
            "expires_at": datetime.now(UTC) + timedelta(hours=1),
            "used_at": None,
        }
    )
    return f"/verify-email?token={token}"


def confirm_form_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF field on the confirmation page"
    return match.group(1)


async def verified_at(database: AsyncDatabase[dict[str, Any]], user_id: Any) -> Any:
    stored = await database["users"].find_one({"_id": user_id})
    assert stored is not None
    return stored["email_verified_at"]


async def test_opening_the_link_only_asks_for_a_confirming_post(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    owner = await make_user("attacker@example.com", verified=False)
    link = await verification_link(database, owner.id, "link-token")
    page = await client.get(link)
    assert page.status_code == 200
    assert 'action="/verify-email"' in page.text
    assert 'method="post"' in page.text
    assert SESSION_COOKIE not in page.cookies
    assert await verified_at(database, owner.id) is None
    assert (await client.get("/account", follow_redirects=False)).status_code in {302, 303}

    confirmed = await client.post(
        "/verify-email",
        data={"token": "link-token", "_csrf_token": confirm_form_token(page.text)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/login?verified=1&next=/account"
    assert SESSION_COOKIE not in confirmed.cookies
    assert await verified_at(database, owner.id) is not None
    login = await client.get(confirmed.headers["location"])
    assert "Your email address is confirmed" in login.text
    assert (await client.get("/account", follow_redirects=False)).status_code in {302, 303}


async def test_a_signed_in_victim_stays_in_their_own_account(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    victim = await make_user("victim@example.com", first_name="Victim")
    attacker = await make_user("attacker@example.com", first_name="Mallory", verified=False)
    assert (await log_in(client, "victim@example.com")).status_code == 303
    session_before = client.cookies.get(SESSION_COOKIE)
    link = await verification_link(database, attacker.id, "attacker-token")

    page = await client.get(link)
    assert page.status_code == 200
    assert client.cookies.get(SESSION_COOKIE) == session_before
    assert "Hello, Victim" in (await client.get("/account")).text

    confirmed = await client.post(
        "/verify-email",
        data={"token": "attacker-token", "_csrf_token": confirm_form_token(page.text)},
    )
    assert confirmed.status_code == 200
    assert "still signed in as <strong>victim@example.com</strong>" in confirmed.text
    assert client.cookies.get(SESSION_COOKIE) == session_before
    assert "Hello, Victim" in (await client.get("/account")).text
    assert await verified_at(database, attacker.id) is not None
    assert await verified_at(database, victim.id) is not None


async def test_the_owner_signed_in_is_sent_to_their_account(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    owner = await make_user("owner@example.com", verified=False)
    assert (await log_in(client, "owner@example.com")).status_code == 303
    session_before = client.cookies.get(SESSION_COOKIE)
    page = await client.get(await verification_link(database, owner.id, "own-token"))
    confirmed = await client.post(
        "/verify-email",
        data={"token": "own-token", "_csrf_token": confirm_form_token(page.text)},
        follow_redirects=False,
    )
    assert confirmed.headers["location"] == "/account?verified=1"
    assert client.cookies.get(SESSION_COOKIE) == session_before
    again = await client.post(
        "/verify-email", data={"token": "own-token", "_csrf_token": confirm_form_token(page.text)}
    )
    assert again.status_code == 404
    assert "expired or has already been used" in again.text


async def test_a_cross_site_post_without_the_form_token_is_refused(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    owner = await make_user("owner@example.com", verified=False)
    await verification_link(database, owner.id, "forged-token")
    forged = await client.post("/verify-email", data={"token": "forged-token"})
    assert forged.status_code == 403
    assert await verified_at(database, owner.id) is None
