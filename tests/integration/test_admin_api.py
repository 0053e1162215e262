"""The dashboard's catalogue and caregiver actions through the JSON API, for admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, api_token, log_in
from tests.support.bookings import CaregiverFactory

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
SERVICES = "/api/v1/services"
CAREGIVERS = "/api/v1/caregivers"
SEEDED = "newborn-night-nanny"
HOURS = {"monday": {"start": "09:00", "end": "17:00"}, "days_off": ["2030-01-01"]}


def service_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Post-Surgery Night Care",
        "short_title": "Calm overnight help in the first weeks after an operation",
        "category": "sick-care",
        "featured": True,
        "price_per_hour": 45050,
        "price_per_day": 360000,
        "service_types": ["night", "weekly"],
        "working_hours": "20:00–08:00",
        "emergency_support": True,
        "min_experience_years": 3,
        "certifications": ["Basic Life Support (BLS)"],
        "languages": ["Bangla", "English"],
        "highlights": ["Overnight wound and drain checks"],
        "responsibilities": ["Check dressings"],
        "safety_measures": ["Hand hygiene before every contact"],
        "description": "A rested night helps healing.",
        "divisions": ["Dhaka", "Sylhet"],
        "min_hours": 8,
        "seo_title": "Post-surgery night care at home | Carevia",
        "seo_description": "Overnight care after an operation, at home.",
    }
    return {**body, **changes}


@pytest.fixture
async def people(make_user: UserFactory, make_caregiver: CaregiverFactory) -> dict[str, Any]:
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    return {
        "shirin": await make_caregiver("shirin@example.com"),
        "newcomer": await make_caregiver("new@example.com", verified=False),
    }


async def bearer(client: Client, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await api_token(client, email)}"}


async def audited(database: Database, action: str, match: dict[str, Any]) -> list[dict[str, Any]]:
    return await database["audit_log"].find({"action": action, **match}).to_list()


async def test_an_admin_manages_services_over_the_api(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    auth = await bearer(client, "admin@example.com")
    created = await client.post(SERVICES, json=service_body(), headers=auth)
    assert created.status_code == 201, created.text
    service = created.json()
    assert service["slug"] == "post-surgery-night-care"
    assert service["price_per_hour"] == 45050 and service["currency"] == "BDT"
    assert service["image"] == "/static/img/services/sick-care.svg"
    slug = service["slug"]
    assert len(await audited(database, "admin.service_created", {"details.slug": slug})) == 1

    bad = await client.post(SERVICES, json=service_body(price_per_hour=0), headers=auth)
    assert bad.status_code == 400 and "price_per_hour" in bad.json()["error"]["fields"]

    changes = service_body(price_per_day=400000, version=service["version"])
    updated = await client.put(f"{SERVICES}/{slug}", json=changes, headers=auth)
    assert updated.status_code == 200 and updated.json()["price_per_day"] == 400000
    stale = await client.post(f"{SERVICES}/{slug}", json=changes, headers=auth)
    assert stale.status_code == 400 and "version" in stale.json()["error"]["fields"]
    entries = await audited(database, "admin.service_updated", {"details.slug": slug})
    assert [e["details"]["changed"] for e in entries] == [["price_per_day"]]

    toggled = await client.post(f"{SERVICES}/{slug}/status", headers=auth)
    assert toggled.status_code == 200 and toggled.json()["status"] == "inactive"
    assert len(await audited(database, "admin.service_status_changed", {"details.slug": slug})) == 1
    listed = await client.get(f"{SERVICES}?status=inactive&limit=100", headers=auth)
    assert slug in [s["slug"] for s in listed.json()["items"]]
    assert {s["status"] for s in listed.json()["items"]} == {"inactive"}
    too_many = await client.get(f"{SERVICES}?limit=101", headers=auth)
    assert too_many.status_code == 400

    removed = await client.delete(f"{SERVICES}/{slug}", headers=auth)
    assert removed.json() == {"slug": slug, "outcome": "deleted"}
    assert await database["services"].find_one({"slug": slug}) is None
    assert len(await audited(database, "admin.service_deleted", {"details.slug": slug})) == 1


async def test_a_booked_service_is_archived_and_the_answer_says_so(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    service = await database["services"].find_one({"slug": SEEDED})
    assert service is not None
    await database["bookings"].insert_one(
        {"code": "CV-API001", "service_id": service["_id"], "created_at": datetime.now(UTC)}
    )
    auth = await bearer(client, "admin@example.com")
    removed = await client.delete(f"{SERVICES}/{SEEDED}", headers=auth)
    assert removed.status_code == 200
    assert removed.json() == {"slug": SEEDED, "outcome": "archived"}
    listed = await client.get(f"{SERVICES}?status=archived", headers=auth)
    assert SEEDED in [s["slug"] for s in listed.json()["items"]]
    assert len(await audited(database, "admin.service_archived", {"details.slug": SEEDED})) == 1


async def test_an_admin_verifies_caregivers_and_sets_their_hours(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    auth = await bearer(client, "admin@example.com")
    newcomer = people["newcomer"]
    target = {"target_id": str(newcomer)}
    verify = f"{CAREGIVERS}/{newcomer}/verify"
    verified = await client.post(verify, json={"verified": True}, headers=auth)
    assert verified.status_code == 200 and verified.json()["verified"] is True
    assert len(await audited(database, "admin.caregiver_verified", target)) == 1
    unverified = await client.post(verify, json={"verified": False}, headers=auth)
    assert unverified.json()["verified"] is False
    assert len(await audited(database, "admin.caregiver_unverified", target)) == 1

    hours = f"{CAREGIVERS}/{newcomer}/availability"
    saved = await client.put(hours, json=HOURS, headers=auth)
    assert saved.status_code == 200, saved.text
    assert saved.json()["availability"]["monday"] == [{"start": "09:00", "end": "17:00"}]
    profile = await database["caregivers"].find_one({"_id": newcomer})
    assert profile is not None and profile["availability"]["tuesday"] == []
    assert profile["days_off"] == ["2030-01-01"]
    [entry] = await audited(database, "admin.availability_changed", target)
    assert entry["details"]["after"]["monday_start"] == "09:00"

    wrong = {"monday": {"start": "09:15", "end": "17:00"}}
    bad = await client.put(hours, json=wrong, headers=auth)
    assert bad.status_code == 400 and "monday" in bad.json()["error"]["fields"]
    anonymous = await client.post(f"{CAREGIVERS}/{'0' * 24}/verify", json={"verified": True})
    assert anonymous.status_code == 401
    unknown = await client.post(
        f"{CAREGIVERS}/{'0' * 24}/verify", json={"verified": True}, headers=auth
    )
    assert unknown.status_code == 404


def writes(slug: str, caregiver: Any) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("POST", SERVICES, service_body(slug="forbidden-care")),
        ("PUT", f"{SERVICES}/{slug}", service_body(slug=slug)),
        ("POST", f"{SERVICES}/{slug}", service_body(slug=slug)),
        ("POST", f"{SERVICES}/{slug}/status", None),
        ("DELETE", f"{SERVICES}/{slug}", None),
        ("POST", f"{CAREGIVERS}/{caregiver}/verify", {"verified": True}),
        ("PUT", f"{CAREGIVERS}/{caregiver}/availability", HOURS),
    ]


async def assert_unchanged(database: Database, caregiver: Any) -> None:
    service = await database["services"].find_one({"slug": SEEDED})
    assert service is not None and service["status"] == "active"
    assert await database["services"].find_one({"slug": "forbidden-care"}) is None
    profile = await database["caregivers"].find_one({"_id": caregiver})
    assert profile is not None and profile["verified"] is False and profile["days_off"] == []
    assert await database["audit_log"].count_documents({"action": {"$regex": "^admin\\."}}) == 0


async def test_patients_and_caregivers_are_refused(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    for email in ("amina@example.com", "shirin@example.com"):
        auth = await bearer(client, email)
        assert (await client.get(SERVICES, headers=auth)).status_code == 403
        for method, path, body in writes(SEEDED, people["newcomer"]):
            refused = await client.request(method, path, json=body, headers=auth)
            assert refused.status_code == 403, (email, method, path)
            assert refused.json()["error"]["code"] == "forbidden"
    await assert_unchanged(database, people["newcomer"])


async def test_an_admin_session_cookie_reads_but_cannot_write(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    await log_in(client, "admin@example.com")
    assert (await client.get(SERVICES)).status_code == 200
    for method, path, body in writes(SEEDED, people["newcomer"]):
        refused = await client.request(method, path, json=body)
        assert refused.status_code == 403, (method, path)
        assert "Bearer" in refused.json()["error"]["message"]
    await assert_unchanged(database, people["newcomer"])
