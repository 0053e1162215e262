"""Helpers for tests that need people: create users, log in, read emailed links."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from bson import ObjectId
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import Role, User, UserRepository
from carevia.domain.accounts.passwords import hash_password

Client = AsyncTestClient[Litestar]
UserFactory = Callable[..., Awaitable[User]]
DEFAULT_PASSWORD = "calm-river-morning-42"


async def add_user(
    database: AsyncDatabase[dict[str, Any]],
    email: str,
    role: Role = "patient",
    password: str = DEFAULT_PASSWORD,
    verified: bool = True,
    **fields: Any,
) -> User:
    now = datetime.now(UTC)
    user = User(
        id=ObjectId(),
        email=email,
        first_name=fields.pop("first_name", "Amina"),
        last_name=fields.pop("last_name", "Rahman"),
        phone="+8801712345678",
        address="House 12, Road 5",
        city="Dhaka",
        division="Dhaka",
        district="Dhaka",
        role=role,
        password_hash=await hash_password(password),
        email_verified_at=now if verified else None,
        created_at=now,
        updated_at=now,
        **fields,
    )
    await UserRepository(database).add(user)
    return user


@pytest.fixture
def make_user(database: AsyncDatabase[dict[str, Any]]) -> UserFactory:
    async def make(email: str, *args: Any, **fields: Any) -> User:
        return await add_user(database, email, *args, **fields)

    return make


async def csrf_token(client: Client, path: str = "/login") -> str:
    page = await client.get(path)
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


async def log_in(
    client: Client, email: str, password: str = DEFAULT_PASSWORD, next_path: str = ""
) -> Any:
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"email": email, "password": password, "next": next_path, "_csrf_token": token},
        follow_redirects=False,
    )


async def api_token(client: Client, email: str, password: str = DEFAULT_PASSWORD) -> str:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def wait_for_mail(
    messages: list[EmailMessage], count: int = 1, within: float = 10
) -> list[EmailMessage]:
    """The worker delivers in the background; wait until `count` messages arrived."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    # The SMTP server runs in its own thread, so its inbox is polled.
    while len(messages) < count and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert len(messages) >= count, f"expected {count} emails, got {len(messages)}"
    return messages


def link_in(message: EmailMessage, path: str) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(
        rf"https?://[^\s]+{re.escape(path)}\?token=[A-Za-z0-9_\-]+", body.get_content()
    )
    assert match, f"no {path} link in the email"
    return match.group(0)
