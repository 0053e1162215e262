"""Web sessions: login, logout, rotation, redirects, throttling and injection attempts."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in


async def test_login_sets_a_rotated_http_only_session_and_logout_ends_it(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    client.cookies.set("carevia_session", "planted-by-someone-else", domain="testserver.local")
    response = await log_in(client, "amina@example.com")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "carevia_session=" in cookie
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" in cookie
    session_value = response.cookies["carevia_session"]
    assert session_value != "planted-by-someone-else"
    assert await database["web_sessions"].count_documents({}) == 1

    account = await client.get("/account")
    assert account.status_code == 200
    assert "amina@example.com" in account.text

    token = await csrf_token(client, "/account")
    logout = await client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert logout.status_code == 303
    assert await database["web_sessions"].count_documents({}) == 0
    client.cookies.set("carevia_session", session_value, domain="testserver.local")
    after = await client.get("/account", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"] == "/login?next=/account"


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/services?category=baby-care", "/services?category=baby-care"),
        ("//evil.example/steal", "/account"),
        ("https://evil.example/", "/account"),
        ("/\\evil.example", "/account"),
        ("javascript:alert(1)", "/account"),
    ],
)
async def test_login_only_redirects_to_local_paths(
    client: Client, make_user: UserFactory, next_path: str, expected: str
) -> None:
    await make_user("amina@example.com")
    response = await log_in(client, "amina@example.com", next_path=next_path)
    assert response.status_code == 303
    assert response.headers["location"] == expected


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    wrong = await log_in(client, "amina@example.com", "not-the-password")
    unknown = await log_in(client, "nobody@example.com", "not-the-password")
    assert wrong.status_code == unknown.status_code == 422
    assert "The email or password is not right." in wrong.text
    assert wrong.text.replace("amina@example.com", "X") == unknown.text.replace(
        "nobody@example.com", "X"
    )
    assert "carevia_session" not in wrong.headers.get("set-cookie", "")


async def test_sixth_rapid_failure_is_throttled_even_with_the_right_password(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    for _ in range(5):
        assert (await log_in(client, "amina@example.com", "guess-guess-guess")).status_code == 422
    throttled = await log_in(client, "amina@example.com", "guess-guess-guess")
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.text
    correct = await log_in(client, "amina@example.com")
    assert correct.status_code == 429
    assert "carevia_session" not in correct.headers.get("set-cookie", "")
    assert await database["web_sessions"].count_documents({}) == 0
    assert await database["audit_log"].count_documents({"action": "auth.login_failed"}) == 5
    assert await database["audit_log"].count_documents({"action": "auth.login_throttled"}) == 2


async def test_operator_injection_in_the_login_form_logs_no_one_in(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        content="email[$ne]=&password[$ne]=&_csrf_token=" + token,
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert 400 <= response.status_code < 500
    repeated = await client.post(
        "/login",
        data={
            "email": ["a@example.com", "amina@example.com"],
            "password": "x",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert 400 <= repeated.status_code < 500
    assert await database["web_sessions"].count_documents({}) == 0


async def test_post_without_csrf_token_is_refused_and_changes_nothing(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    user = await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    response = await client.post(
        "/account",
        data={
            "first_name": "Changed",
            "last_name": "Rahman",
            "phone": "01712345678",
            "address": "House 12, Road 5",
            "city": "Dhaka",
            "division": "Dhaka",
            "district": "Dhaka",
        },
    )
    assert response.status_code == 403
    stored = await database["users"].find_one({"_id": user.id})
    assert stored is not None
    assert stored["first_name"] == "Amina"


async def test_cross_site_posts_are_refused_even_with_a_token(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    token = await csrf_token(client)
    form = {"email": "amina@example.com", "password": "calm-river-morning-42", "_csrf_token": token}
    cross_site = await client.post("/login", data=form, headers={"sec-fetch-site": "cross-site"})
    assert cross_site.status_code == 403
    foreign_origin = await client.post(
        "/login", data=form, headers={"origin": "https://evil.example"}
    )
    assert foreign_origin.status_code == 403
    same_site = await client.post(
        "/login", data=form, headers={"origin": "https://testserver.local"}, follow_redirects=False
    )
    assert same_site.status_code == 303


async def test_signed_out_visitors_are_sent_to_login(client: Client) -> None:
    page = await client.get("/account/password", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/account/password"
    htmx = await client.get(
        "/account",
        headers={"HX-Request": "true", "HX-Current-URL": "https://testserver.local/account"},
    )
    assert htmx.status_code == 401
    assert htmx.headers["hx-redirect"] == "/login?next=/account"
