"""Unlinking Google needs a password on the account, confirmed, so it never locks anyone out."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import UserRepository
from tests.support.accounts import DEFAULT_PASSWORD, Client, UserFactory, csrf_token
from tests.support.openid import sign_in_with_google


async def unlink(client: Client, password: str) -> Any:
    return await client.post(
        "/account/google/unlink",
        data={"password": password, "_csrf_token": await csrf_token(client, "/account/google")},
        follow_redirects=False,
    )


async def test_an_account_made_with_google_cannot_unlink_before_it_has_a_password(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    await sign_in_with_google(client, "nadia.islam@example.com")
    page = await client.get("/account/google")
    assert "Your account has no password yet" in page.text

    refused = await unlink(client, "anything-at-all-1")

    assert refused.status_code == 422
    assert "Set a password first" in refused.text
    user = await UserRepository(database).get_by_email("nadia.islam@example.com")
    assert user is not None and user.google_subject is not None


async def test_unlinking_asks_for_the_password_and_then_google_no_longer_signs_in(
    client: Client, make_user: UserFactory, database: AsyncDatabase[dict[str, Any]]
) -> None:
    owner = await make_user("salma.begum@example.com")
    await sign_in_with_google(client, "salma.begum@example.com")  # both verified: linked

    wrong = await unlink(client, "not-the-password-1")
    assert wrong.status_code == 422
    assert "Your password is not right." in wrong.text
    done = await unlink(client, DEFAULT_PASSWORD)

    assert done.status_code == 303
    stored = await UserRepository(database).get(owner.id)
    assert stored is not None and stored.google_subject is None
    assert "no longer linked" in (await client.get(done.headers["location"])).text


async def test_a_deleted_account_forgets_its_google_identity(
    client: Client, make_user: UserFactory, database: AsyncDatabase[dict[str, Any]]
) -> None:
    """Google's `sub` is personal data too; the person may come back with a new account."""
    owner = await make_user("salma.begum@example.com")
    await sign_in_with_google(client, "salma.begum@example.com")  # both verified: linked
    deleted = await client.post(
        "/account/delete",
        data={"password": DEFAULT_PASSWORD, "_csrf_token": await csrf_token(client, "/account")},
        follow_redirects=False,
    )
    assert deleted.status_code == 303

    again = await sign_in_with_google(client, "salma.begum@example.com")

    assert again.status_code == 303
    assert again.headers["location"] == "/account"
    erased = await UserRepository(database).get(owner.id)
    assert erased is not None and erased.google_subject is None
