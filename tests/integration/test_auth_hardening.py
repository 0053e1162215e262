"""Password rehashing, throttling per IP, expiring links, forged tokens, production routes."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.database import AsyncDatabase

from carevia.app import create_app
from carevia.domain.accounts.repository import token_digest
from carevia.settings import MailSettings, Settings, StripeSettings
from tests.support.accounts import DEFAULT_PASSWORD, Client, UserFactory, log_in


async def test_login_rehashes_a_password_stored_with_older_parameters(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    user = await make_user("amina@example.com")
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
        DEFAULT_PASSWORD
    )
    await database["users"].update_one({"_id": user.id}, {"$set": {"password_hash": weak_hash}})
    assert (await log_in(client, "amina@example.com")).status_code == 303
    stored = await database["users"].find_one({"_id": user.id})
    assert stored is not None
    assert stored["password_hash"] != weak_hash
    assert "m=19456,t=2,p=1" in stored["password_hash"]


async def test_many_failures_from_one_address_are_throttled_across_accounts(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    for attempt in range(30):
        response = await log_in(client, f"guess{attempt}@example.com", "wrong-wrong-wrong")
        assert response.status_code == 422
    blocked = await log_in(client, "amina@example.com")
    assert blocked.status_code == 429


async def test_an_expired_verification_link_is_refused(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    user = await make_user("amina@example.com", verified=False)
    await database["account_tokens"].insert_one(
        {
            "_id": token_digest("expired-token"),
            "user_id": user.id,
            "purpose": "verify_email",
            "expires_at": datetime.now(UTC) - timedelta(seconds=1),
            "used_at": None,
        }
    )
    response = await client.get("/verify-email", params={"token": "expired-token"})
    assert response.status_code == 404
    assert "expired or has already been used" in response.text
    stored = await database["users"].find_one({"_id": user.id})
    assert stored is not None
    assert stored["email_verified_at"] is None
    indexes = await database["account_tokens"].index_information()
    assert any(spec.get("expireAfterSeconds") == 0 for spec in indexes.values())


def unsigned_token(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_forged_bearer_tokens_are_refused_over_http(
    client: Client, make_user: UserFactory
) -> None:
    admin = await make_user("admin@example.com", role="admin")
    now = int(datetime.now(UTC).timestamp())
    forged = unsigned_token(
        {
            "sub": str(admin.id),
            "role": "admin",
            "ver": 0,
            "jti": "x",
            "iat": now,
            "exp": now + 600,
            "iss": "https://testserver.local",
            "aud": "carevia-api",
        }
    )
    for header in [f"Bearer {forged}", "Bearer not-a-token", "Basic YWRtaW46YWRtaW4=", "Bearer "]:
        response = await client.get("/api/v1/users", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json()["error"]["code"] in {"unauthorized", "invalid_token"}


async def test_production_has_no_dev_mailbox(settings: Settings) -> None:
    production = msgspec.structs.replace(
        settings,
        env="production",
        secret_key="p" * 40,
        stripe=StripeSettings(secret_key="sk_test_local", webhook_secret="whsec_local_test"),
        mail=MailSettings(host="127.0.0.1", port=2525),
    )
    async with AsyncTestClient(
        app=create_app(production), base_url="https://testserver.local"
    ) as client:
        assert (await client.get("/dev/mailbox")).status_code == 404
        assert (await client.get("/services")).status_code == 200
