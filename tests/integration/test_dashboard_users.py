"""Admins managing people in the dashboard: the table, the queue, and every action's form."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.shared.documents import to_document
from carevia.web.auth import SESSION_COOKIE
from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory

Database = AsyncDatabase[dict[str, Any]]
HTMX = {"HX-Request": "true"}


@pytest.fixture
async def people(make_user: UserFactory, make_caregiver: CaregiverFactory) -> dict[str, Any]:
    return {
        "admin": await make_user("admin@example.com", role="admin"),
        "amina": await make_user("amina@example.com", first_name="Ruma", last_name="Sultana"),
        "gone": await make_user("gone@example.com", first_name="Gone", is_active=False),
        "shirin": await make_caregiver("shirin@example.com", name="Shirin Akhter"),
        "new": await make_caregiver("new@example.com", verified=False, name="New Carer"),
        "newer": await make_caregiver("newer@example.com", verified=False, name="Newer Carer"),
    }


async def as_user(client: Client, email: str) -> str:
    """Log in with a fresh cookie jar; returns a CSRF token for the forms."""
    client.cookies.clear()
    await log_in(client, email)
    return await csrf_token(client, "/account")


async def post(client: Client, path: str, token: str, htmx: bool = False, **fields: str) -> Any:
    headers = {**HTMX, "x-csrftoken": token} if htmx else {}
    return await client.post(
        path, data={"_csrf_token": token, **fields}, headers=headers, follow_redirects=False
    )


def emails(html: str) -> set[str]:
    return set(re.findall(r'<td data-label="Email"[^>]*>([^<]+)</td>', html))


async def audited(database: Database, action: str, target: Any) -> dict[str, Any]:
    entry = await database["audit_log"].find_one({"action": action, "target_id": str(target)})
    assert entry is not None, f"no {action} for {target}"
    return entry


async def test_the_table_filters_with_literal_search_and_clamped_pages(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    await as_user(client, "admin@example.com")
    page = await client.get("/dashboard/users")
    assert page.status_code == 200 and 'hx-push-url="true"' in page.text
    assert emails(page.text) == {f"{n}@example.com" for n in people}
    caregivers = await client.get("/dashboard/users", params={"role": "caregiver"}, headers=HTMX)
    assert caregivers.text.lstrip().startswith('<section id="user-rows"')
    assert emails(caregivers.text) == {"shirin@example.com", "new@example.com", "newer@example.com"}
    verified = await client.get("/dashboard/users", params={"verified": "yes"}, headers=HTMX)
    assert emails(verified.text) == {"shirin@example.com"}
    disabled = await client.get("/dashboard/users", params={"active": "no"}, headers=HTMX)
    assert emails(disabled.text) == {"gone@example.com"}
    found = await client.get("/dashboard/users", params={"q": "rUMA"}, headers=HTMX)
    assert emails(found.text) == {"amina@example.com"}
    literal = await client.get("/dashboard/users", params={"q": ".*"}, headers=HTMX)
    assert emails(literal.text) == set() and "No accounts match these filters." in literal.text
    for bad in ({"role": "root"}, {"verified": "maybe"}, {"role": "patient", "verified": "yes"}):
        assert (await client.get("/dashboard/users", params=bad)).status_code == 400
    assert await database["audit_log"].count_documents({"action": "admin.users_listed"}) >= 6

    now = datetime.now(UTC)
    crowd = [
        User(
            id=ObjectId(),
            email=f"crowd{n}@example.com",
            first_name="Crowd",
            last_name=str(n),
            password_hash="not-a-real-hash",
            created_at=now,
            updated_at=now,
        )
        for n in range(110)
    ]
    await database["users"].insert_many([to_document(user) for user in crowd])
    huge = await client.get("/dashboard/users", params={"size": 5000, "page": 9})
    assert huge.status_code == 200
    assert "101–116 of 116 accounts" in huge.text and "Page 2 of 2" in huge.text
    assert len(emails(huge.text)) == 16


async def test_disabling_ends_sessions_and_bearer_tokens_at_once(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    amina = people["amina"]
    bearer = {"Authorization": f"Bearer {await api_token(client, 'amina@example.com')}"}
    await as_user(client, "amina@example.com")
    session = client.cookies[SESSION_COOKIE]
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 200

    token = await as_user(client, "admin@example.com")
    base = f"/dashboard/users/{amina.id}"
    disabled = await post(client, f"{base}/disable", token)
    assert disabled.status_code == 303
    assert disabled.headers["location"] == f"{base}?done=disabled"
    shown = await client.get(disabled.headers["location"])
    assert "signed out everywhere" in shown.text and "Enable account" in shown.text
    stored = await database["users"].find_one({"_id": amina.id})
    assert stored is not None and stored["is_active"] is False
    entry = await audited(database, "admin.user_disabled", amina.id)
    assert entry["actor_id"] == str(people["admin"].id)

    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, session)
    assert (await client.get("/account", follow_redirects=False)).status_code == 303
    assert await database["sessions"].count_documents({"user_id": amina.id}) == 0

    token = await as_user(client, "admin@example.com")
    enabled = await post(client, f"{base}/enable", token, htmx=True)
    assert enabled.status_code == 200 and enabled.headers["HX-Trigger"] == "userChanged"
    assert enabled.text.lstrip().startswith('<section id="user-drawer"')
    assert "Disable account" in enabled.text and "active again" in enabled.text
    await audited(database, "admin.user_enabled", amina.id)
    myself = await post(client, f"/dashboard/users/{people['admin'].id}/disable", token, htmx=True)
    assert myself.status_code == 422 and "cannot disable your own account" in myself.text


async def test_a_role_change_revokes_access_and_unlists_a_former_caregiver(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    shirin = people["shirin"]
    bearer = {"Authorization": f"Bearer {await api_token(client, 'shirin@example.com')}"}
    await as_user(client, "shirin@example.com")
    session = client.cookies[SESSION_COOKIE]

    token = await as_user(client, "admin@example.com")
    base = f"/dashboard/users/{shirin}"
    refused = await post(client, f"{base}/role", token, htmx=True, role="superuser")
    assert refused.status_code == 422 and "Choose patient, caregiver or admin." in refused.text
    changed = await post(client, f"{base}/role", token, htmx=True, role="patient")
    assert changed.status_code == 200 and changed.headers["HX-Trigger"] == "userChanged"
    assert "The role is changed" in changed.text
    stored = await database["users"].find_one({"_id": shirin})
    assert stored is not None and stored["role"] == "patient"
    profile = await database["caregivers"].find_one({"_id": shirin})
    assert profile is not None and profile["verified"] is False
    role_entry = await audited(database, "admin.role_changed", shirin)
    assert (role_entry["details"]["before"], role_entry["details"]["after"]) == (
        "caregiver",
        "patient",
    )
    unlisted = await audited(database, "admin.caregiver_unverified", shirin)
    assert unlisted["details"]["reason"] == "role_changed"

    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, session)
    assert (await client.get("/dashboard", follow_redirects=False)).status_code == 303
    assert (await client.get(f"/caregivers/{shirin}")).status_code == 404


async def test_the_queue_lists_only_unverified_caregivers_until_verified(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    token = await as_user(client, "admin@example.com")
    queue = await client.get("/dashboard/users", params={"queue": "1"})
    assert queue.status_code == 200 and "Verification queue" in queue.text
    assert emails(queue.text) == {"new@example.com", "newer@example.com"}

    newcomer = people["new"]
    verified = await post(client, f"/dashboard/users/{newcomer}/verify", token, htmx=True)
    assert verified.status_code == 200 and verified.headers["HX-Trigger"] == "userChanged"
    assert "can now be booked" in verified.text and "Withdraw verification" in verified.text
    profile = await database["caregivers"].find_one({"_id": newcomer})
    assert profile is not None and profile["verified"] is True
    entry = await audited(database, "admin.caregiver_verified", newcomer)
    assert entry["actor_id"] == str(people["admin"].id) and entry["ip"]
    refreshed = await client.get("/dashboard/users?queue=1", headers=HTMX)
    assert emails(refreshed.text) == {"newer@example.com"}
    assert (await client.get(f"/caregivers/{newcomer}")).status_code == 200

    unverified = await post(client, f"/dashboard/users/{newcomer}/unverify", token)
    assert unverified.status_code == 303
    assert unverified.headers["location"] == f"/dashboard/users/{newcomer}?done=unverified"
    await audited(database, "admin.caregiver_unverified", newcomer)
    again = await client.get("/dashboard/users?queue=1", headers=HTMX)
    assert emails(again.text) == {"new@example.com", "newer@example.com"}
    no_profile = await post(client, f"/dashboard/users/{people['amina'].id}/verify", token)
    assert no_profile.status_code == 404


async def test_an_admin_edits_any_caregivers_weekly_hours(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    carer = people["newer"]
    token = await as_user(client, "admin@example.com")
    detail = await client.get(f"/dashboard/users/{carer}")
    action = f"/dashboard/users/{carer}/availability"
    assert f'action="{action}"' in detail.text and 'value="08:00"' in detail.text
    read = await audited(database, "admin.user_read", carer)
    assert read["actor_id"] == str(people["admin"].id)

    bad = await post(client, action, token, htmx=True, monday_start="09:15", monday_end="17:00")
    assert bad.status_code == 422 and "half-hour times" in bad.text
    assert bad.text.lstrip().startswith('<section id="admin-availability"')
    hours = {"monday_start": "09:00", "monday_end": "17:00", "days_off": "2030-01-01"}
    saved = await post(client, action, token, htmx=True, **hours)
    assert saved.status_code == 200 and "working hours are saved" in saved.text
    profile = await database["caregivers"].find_one({"_id": carer})
    assert profile is not None
    assert profile["availability"]["monday"] == [{"start": "09:00", "end": "17:00"}]
    assert profile["availability"]["tuesday"] == [] and profile["days_off"] == ["2030-01-01"]
    entry = await audited(database, "admin.availability_changed", carer)
    assert entry["details"]["after"]["monday_start"] == "09:00"

    plain = await post(client, action, token, friday_start="10:00", friday_end="12:00")
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/dashboard/users/{carer}?done=hours_saved"


async def test_patients_and_caregivers_cannot_manage_people(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    target = people["new"]
    base = f"/dashboard/users/{target}"
    for email in ("amina@example.com", "shirin@example.com"):
        token = await as_user(client, email)
        for path in ("/dashboard/users", "/dashboard/users?queue=1", base):
            page = await client.get(path)
            assert page.status_code == 403 and "new@example.com" not in page.text
        for action in ("disable", "enable", "role", "verify", "unverify", "availability"):
            refused = await post(client, f"{base}/{action}", token, htmx=True, role="admin")
            assert refused.status_code == 403
    stored = await database["users"].find_one({"_id": target})
    assert stored is not None and stored["role"] == "caregiver" and stored["is_active"]
    profile = await database["caregivers"].find_one({"_id": target})
    assert profile is not None and profile["verified"] is False
    assert await database["audit_log"].count_documents({"action": {"$regex": "^admin\\."}}) == 0
    client.cookies.clear()
    anonymous = await client.get("/dashboard/users", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
