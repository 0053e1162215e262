"""Bearer tokens for the dashboard: issue, refresh rotation, revocation and role scoping."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, api_token, log_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_token_identifies_the_caller(client: Client, make_user: UserFactory) -> None:
    await make_user("nurse@example.com", role="caregiver")
    response = await client.post(
        "/api/v1/auth/token",
        json={"email": "Nurse@Example.com", "password": "calm-river-morning-42"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"
    refresh_cookie = response.headers["set-cookie"]
    assert "carevia_refresh=" in refresh_cookie and "Path=/api/v1/auth" in refresh_cookie
    assert "HttpOnly" in refresh_cookie and "samesite=strict" in refresh_cookie.lower()
    me = await client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.json()["email"] == "nurse@example.com"
    assert me.json()["role"] == "caregiver"


async def test_bad_credentials_and_injection_get_json_errors(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    await make_user("nurse@example.com")
    wrong = await client.post(
        "/api/v1/auth/token", json={"email": "nurse@example.com", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthorized"
    injected = await client.post(
        "/api/v1/auth/token", json={"email": {"$ne": None}, "password": {"$ne": None}}
    )
    assert injected.status_code == 400
    assert injected.json()["error"]["code"] == "validation_failed"
    assert "access_token" not in injected.text
    assert await database["refresh_tokens"].count_documents({}) == 0


async def test_refresh_rotates_and_a_reused_token_ends_the_family(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("admin@example.com", role="admin")
    await api_token(client, "admin@example.com")
    first_cookie = client.cookies.get("carevia_refresh", path="/api/v1/auth")
    assert first_cookie

    rotated = await client.post("/api/v1/auth/refresh")
    assert rotated.status_code == 200
    second_cookie = client.cookies.get("carevia_refresh", path="/api/v1/auth")
    assert second_cookie and second_cookie != first_cookie
    assert (
        await client.get("/api/v1/me", headers=bearer(rotated.json()["access_token"]))
    ).status_code == 200

    client.cookies.set(
        "carevia_refresh", first_cookie, domain="testserver.local", path="/api/v1/auth"
    )
    reused = await client.post("/api/v1/auth/refresh")
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "refresh_reused"
    client.cookies.set(
        "carevia_refresh", second_cookie, domain="testserver.local", path="/api/v1/auth"
    )
    assert (await client.post("/api/v1/auth/refresh")).status_code == 401


async def test_role_change_disable_and_password_change_revoke_tokens_at_once(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    await make_user("admin@example.com", role="admin")
    staff = await make_user("staff@example.com", role="caregiver")
    admin_token = await api_token(client, "admin@example.com")
    staff_token = await api_token(client, "staff@example.com")
    assert (await client.get("/api/v1/me", headers=bearer(staff_token))).status_code == 200

    changed = await client.post(
        f"/api/v1/users/{staff.id}/role", json={"role": "patient"}, headers=bearer(admin_token)
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "patient"
    revoked = await client.get("/api/v1/me", headers=bearer(staff_token))
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"] == "Bearer"

    staff_token = await api_token(client, "staff@example.com")
    disabled = await client.post(
        f"/api/v1/users/{staff.id}/active", json={"active": False}, headers=bearer(admin_token)
    )
    assert disabled.status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(staff_token))).status_code == 401
    assert (
        await client.post(
            "/api/v1/auth/token",
            json={"email": "staff@example.com", "password": "calm-river-morning-42"},
        )
    ).status_code == 401

    actions = {
        entry["action"] async for entry in database["audit_log"].find({"target_id": str(staff.id)})
    }
    assert {"admin.role_changed", "admin.user_disabled"} <= actions


async def test_patients_and_caregivers_cannot_use_admin_routes(
    client: Client, make_user: UserFactory
) -> None:
    first = await make_user("first@example.com")
    await make_user("second@example.com")
    await make_user("carer@example.com", role="caregiver")
    for email in ["second@example.com", "carer@example.com"]:
        token = await api_token(client, email)
        read = await client.get(f"/api/v1/users/{first.id}", headers=bearer(token))
        assert read.status_code == 403
        assert read.json()["error"]["code"] == "forbidden"
        assert "first@example.com" not in read.text
        listing = await client.get("/api/v1/users", headers=bearer(token))
        assert listing.status_code == 403
        promote = await client.post(
            f"/api/v1/users/{first.id}/role", json={"role": "admin"}, headers=bearer(token)
        )
        assert promote.status_code == 403


async def test_admin_reads_are_audited_and_search_is_literal(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    admin = await make_user("admin@example.com", role="admin")
    patient = await make_user("patient@example.com", first_name="Ruma")
    token = await api_token(client, "admin@example.com")
    read = await client.get(f"/api/v1/users/{patient.id}", headers=bearer(token))
    assert read.status_code == 200
    assert read.json()["phone"] == "+8801712345678"
    audit = await database["audit_log"].find_one({"action": "admin.user_read"})
    assert audit is not None
    assert (audit["actor_id"], audit["target_id"]) == (str(admin.id), str(patient.id))
    found = await client.get("/api/v1/users", params={"q": "ruma"}, headers=bearer(token))
    assert [u["email"] for u in found.json()["items"]] == ["patient@example.com"]
    assert (await client.get("/api/v1/users", params={"q": ".*"}, headers=bearer(token))).json()[
        "total"
    ] == 0
    assert (
        await client.get("/api/v1/users", params={"limit": 5000}, headers=bearer(token))
    ).json()["total"] == 2


async def test_session_cookie_reads_the_api_but_cannot_change_anything(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("admin@example.com", role="admin")
    other = await make_user("other@example.com")
    await log_in(client, "admin@example.com")
    assert (await client.get("/api/v1/me")).json()["email"] == "admin@example.com"
    cookie_only = await client.post(f"/api/v1/users/{other.id}/role", json={"role": "admin"})
    assert cookie_only.status_code == 403
    assert "Bearer" in cookie_only.json()["error"]["message"]


async def test_dashboard_page_gets_tokens_from_the_session_without_a_url(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("carer@example.com", role="caregiver")
    await make_user("patient@example.com")
    await log_in(client, "carer@example.com")
    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert '<script src="/static/js/dashboard.js" defer></script>' in page.text
    assert "access_token" not in page.text
    assert (await client.post("/dashboard/token")).status_code == 403  # no CSRF token
    csrf = client.cookies.get("csrftoken")
    assert csrf
    issued = await client.post("/dashboard/token", headers={"x-csrftoken": csrf})
    assert issued.status_code == 200
    me = await client.get("/api/v1/me", headers=bearer(issued.json()["access_token"]))
    assert me.json()["role"] == "caregiver"

    client.cookies.clear()
    await log_in(client, "patient@example.com")
    forbidden = await client.get("/dashboard")
    assert forbidden.status_code == 403
    assert "You do not have access to this page" in forbidden.text
    csrf = client.cookies.get("csrftoken")
    assert (
        await client.post("/dashboard/token", headers={"x-csrftoken": csrf or ""})
    ).status_code == 403
