"""Registration, email verification and password reset, with mail delivered over real SMTP."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, link_in, log_in, wait_for_mail
from tests.support.mail import SMTPServer

REGISTRATION = {
    "first_name": "Farhana",
    "last_name": "Akter",
    "email": "Farhana.Akter@Example.com",
    "password": "green-tea-at-seven",
    "phone": "01812-345678",
    "address": "Flat 3B, 14 Lake Road",
    "city": "Khulna",
    "division": "Khulna",
    "district": "Jashore",
    "postal_code": "7400",
}

pytestmark = pytest.mark.mails


async def register(client: Client, **changes: str) -> Any:
    token = await csrf_token(client, "/register")
    return await client.post("/register", data={**REGISTRATION, **changes, "_csrf_token": token})


async def test_registration_sends_a_link_that_verifies_once(
    client: Client, database: AsyncDatabase[dict[str, Any]], smtp_server: SMTPServer
) -> None:
    response = await register(client)
    assert response.status_code == 200
    assert "Check your email" in response.text
    user = await database["users"].find_one({"email": "farhana.akter@example.com"})
    assert user is not None
    assert user["role"] == "patient"
    assert user["phone"] == "+8801812345678"
    assert user["email_verified_at"] is None
    assert user["password_hash"].startswith("$argon2id$")

    (mail,) = await wait_for_mail(smtp_server.messages)
    assert mail["To"] == "farhana.akter@example.com"
    assert mail.get_body(preferencelist=("html",)) is not None
    link = link_in(mail, "/verify-email").replace("https://testserver.local", "")

    confirm_page = await client.get(link)
    assert confirm_page.status_code == 200
    form_token = await csrf_token(client, link)
    verified = await client.post(
        "/verify-email",
        data={"token": link.split("token=")[1], "_csrf_token": form_token},
        follow_redirects=False,
    )
    assert verified.status_code == 303
    assert verified.headers["location"] == "/login?verified=1&next=/account"
    assert (
        await log_in(client, "farhana.akter@example.com", REGISTRATION["password"])
    ).status_code == 303
    account = await client.get("/account?verified=1")
    assert "your email address is confirmed" in account.text
    user = await database["users"].find_one({"email": "farhana.akter@example.com"})
    assert user is not None
    assert user["email_verified_at"] is not None

    again = await client.get(link)
    assert again.status_code == 404
    assert "expired or has already been used" in again.text


async def test_invalid_registration_keeps_the_input_and_stores_nothing(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    response = await register(
        client, password="password123", division="Sylhet", district="Jashore", phone="12"
    )
    assert response.status_code == 422
    assert "This password is too common" in response.text
    assert "Choose a district in Sylhet division." in response.text
    assert "Enter a Bangladeshi mobile number" in response.text
    assert 'value="Flat 3B, 14 Lake Road"' in response.text
    assert 'value="password123"' not in response.text
    assert await database["users"].count_documents({}) == 0


async def test_registering_an_existing_email_changes_nothing(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    smtp_server: SMTPServer,
) -> None:
    owner = await make_user("farhana.akter@example.com", first_name="Original")
    before = await database["users"].find_one({"_id": owner.id})

    response = await register(client, first_name="Intruder")
    assert response.status_code == 200
    assert "Check your email" in response.text
    assert await database["users"].find_one({"_id": owner.id}) == before
    assert await database["users"].count_documents({}) == 1

    (mail,) = await wait_for_mail(smtp_server.messages)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Original" in body.get_content()
    login = await log_in(client, "farhana.akter@example.com", REGISTRATION["password"])
    assert login.status_code == 422


async def test_password_reset_never_reveals_accounts_and_links_work_once(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    smtp_server: SMTPServer,
) -> None:
    user = await make_user("rahim@example.com")
    token = await csrf_token(client, "/forgot-password")
    unknown = await client.post(
        "/forgot-password", data={"email": "nobody@example.com", "_csrf_token": token}
    )
    known = await client.post(
        "/forgot-password", data={"email": "Rahim@Example.com", "_csrf_token": token}
    )
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("nobody@example.com", "X") == known.text.replace(
        "Rahim@Example.com", "X"
    )

    await wait_for_mail(smtp_server.messages, count=2)
    (nobody,) = smtp_server.handler.to("nobody@example.com")
    assert "no active Carevia account uses it" in str(nobody.get_body(preferencelist=("plain",)))
    (mail,) = smtp_server.handler.to("rahim@example.com")
    link = link_in(mail, "/reset-password").replace("https://testserver.local", "")
    reset_token = link.split("token=")[1]
    assert (await client.get(link)).status_code == 200

    weak = await client.post(
        "/reset-password",
        data={"token": reset_token, "new_password": "short", "_csrf_token": token},
    )
    assert weak.status_code == 422
    done = await client.post(
        "/reset-password",
        data={"token": reset_token, "new_password": "a-brand-new-phrase", "_csrf_token": token},
    )
    assert done.status_code == 200
    assert "Your password has been changed" in done.text

    reused = await client.post(
        "/reset-password",
        data={"token": reset_token, "new_password": "another-new-phrase", "_csrf_token": token},
    )
    assert reused.status_code == 404
    assert (await client.get(link)).status_code == 410
    assert (await log_in(client, "rahim@example.com")).status_code == 422
    assert (await log_in(client, "rahim@example.com", "a-brand-new-phrase")).status_code == 303
    stored = await database["users"].find_one({"_id": user.id})
    assert stored is not None
    assert stored["token_version"] == 1
