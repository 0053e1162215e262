"""Admins manage the catalogue from the dashboard; patients only ever see active services."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
HTMX = {"HX-Request": "true"}
SEEDED = "newborn-night-nanny"


def service_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Post-Surgery Night Care",
        "slug": "",
        "short_title": "Calm overnight help in the first weeks after an operation",
        "category": "sick-care",
        "image": "/static/img/services/sick-care.svg",
        "featured": "on",
        "price_per_hour": "450.50",
        "price_per_day": "3600",
        "service_types": ["night", "weekly"],
        "working_hours": "20:00–08:00",
        "emergency_support": "on",
        "age_group": "",
        "min_experience_years": "3",
        "certifications": "Basic Life Support (BLS)\nWound care training",
        "languages": "Bangla, English",
        "highlights": "Overnight wound and drain checks\nHelp to the bathroom",
        "responsibilities": "Check dressings\nGive medicines on time",
        "safety_measures": "Hand hygiene before every contact",
        "description": "A rested night helps healing.\n\nOur caregivers stay awake with you.",
        "divisions": ["Dhaka", "Sylhet"],
        "min_hours": "8",
        "free_cancellation_hours": "24",
        "instant_booking": "",
        "seo_title": "Post-surgery night care at home | Carevia",
        "seo_description": "Overnight care after an operation, at home in Dhaka and Sylhet.",
        "status": "active",
    }
    return {**form, **changes}


@pytest.fixture
async def admin(client: Client, make_user: UserFactory) -> str:
    """Logs the admin in; returns a CSRF token for the dashboard's forms."""
    await make_user("admin@example.com", role="admin")
    await log_in(client, "admin@example.com")
    return await csrf_token(client, "/dashboard/services/new")


async def post(client: Client, path: str, token: str, htmx: bool = False, **data: Any) -> Any:
    headers = {**HTMX, "x-csrftoken": token} if htmx else {}
    return await client.post(
        path, data={"_csrf_token": token, **data}, headers=headers, follow_redirects=False
    )


async def stored(database: Database, slug: str) -> dict[str, Any] | None:
    return await database["services"].find_one({"slug": slug})


async def audited(database: Database, action: str) -> list[dict[str, Any]]:
    return await database["audit_log"].find({"action": action}).sort("_id").to_list()


async def test_an_admin_adds_a_service_priced_in_taka(
    client: Client, database: Database, admin: str
) -> None:
    response = await post(client, "/dashboard/services", admin, **service_form())
    # No address was typed, so one is made from the name.
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/dashboard/services/post-surgery-night-care/edit?saved=created"
    )
    service = await stored(database, "post-surgery-night-care")
    assert service is not None
    assert (service["price_per_hour"], service["price_per_day"]) == (45050, 360000)
    assert service["currency"] == "BDT"
    assert service["service_types"] == ["night", "weekly"]
    assert service["divisions"] == ["Dhaka", "Sylhet"]
    assert service["requirements"]["languages"] == ["Bangla", "English"]
    assert service["booking_rules"] == {
        "min_hours": 8,
        "free_cancellation_hours": 24,
        "instant_booking": False,
    }
    assert service["featured"] is True
    assert service["age_group"] is None
    edit_page = await client.get(response.headers["location"])
    assert "The service is added." in edit_page.text
    assert 'value="450.50"' in edit_page.text
    public = await client.get("/services/post-surgery-night-care")
    assert public.status_code == 200
    assert "Post-Surgery Night Care" in public.text
    [entry] = await audited(database, "admin.service_created")
    assert entry["target_id"] == str(service["_id"])
    assert entry["actor_role"] == "admin"


async def test_bad_input_comes_back_with_a_message_on_each_field(
    client: Client, database: Database, admin: str
) -> None:
    before = await database["services"].count_documents({})
    form = service_form(
        slug="Night Care!",
        price_per_hour="0",
        price_per_day="12.345",
        seo_title="x" * 61,
        seo_description="y" * 161,
        divisions=[],
        service_types=["hourly", "fortnightly"],
        category="pet-care",
    )
    response = await post(client, "/dashboard/services", admin, htmx=True, **form)
    assert response.status_code == 422
    html = response.text
    assert "<html" not in html, "htmx gets only the form block"
    assert 'id="service-form"' in html
    assert "like “night-care”" in html
    assert html.count("Enter a price in taka above 0") == 2
    assert "Use at most 60 characters (now 61)" in html
    assert "Use at most 160 characters (now 161)" in html
    assert "Unknown choice: fortnightly." in html
    assert "Choose one of the four categories." in html
    assert 'aria-describedby="divisions-error"' in html
    # The admin's input is kept.
    assert 'value="Post-Surgery Night Care"' in html
    assert "Basic Life Support (BLS)\nWound care training</textarea>" in html
    assert await database["services"].count_documents({}) == before
    assert await audited(database, "admin.service_created") == []


async def test_a_taken_address_gets_a_clear_message_and_changes_nothing(
    client: Client, database: Database, admin: str
) -> None:
    message = "This address is already used by another service."
    before = await database["services"].count_documents({})
    response = await post(client, "/dashboard/services", admin, **service_form(slug=SEEDED))
    assert response.status_code == 422
    assert message in response.text
    assert await database["services"].count_documents({}) == before

    other = await stored(database, "infant-day-care")
    assert other is not None
    edited = service_form(slug=SEEDED, name="Renamed")
    response = await post(client, "/dashboard/services/infant-day-care", admin, **edited)
    assert response.status_code == 422
    assert message in response.text
    assert await stored(database, "infant-day-care") == other
    assert await audited(database, "admin.service_updated") == []


async def test_an_admin_edits_a_service(client: Client, database: Database, admin: str) -> None:
    original = await stored(database, SEEDED)
    assert original is not None
    page = await client.get(f"/dashboard/services/{SEEDED}/edit")
    version = re.search(r'name="version" value="([^"]+)"', page.text)
    assert version, "the edit form carries the version it was opened at"
    assert 'value="450"' in page.text, "prices are shown in taka"
    form = service_form(name="Newborn Night Nanny Plus", slug=SEEDED, price_per_hour="500")
    response = await post(
        client, f"/dashboard/services/{SEEDED}", admin, htmx=True, version=version.group(1), **form
    )
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == f"/dashboard/services/{SEEDED}/edit?saved=updated"
    saved = await stored(database, SEEDED)
    assert saved is not None
    assert (saved["name"], saved["price_per_hour"]) == ("Newborn Night Nanny Plus", 50000)
    assert saved["rating"] == original["rating"], "reviews own the rating"
    assert saved["created_at"] == original["created_at"]
    assert saved["updated_at"] > original["updated_at"]
    [entry] = await audited(database, "admin.service_updated")
    assert {"name", "price_per_hour"} <= set(entry["details"]["changed"])

    # A second save from the page opened before the first one is refused, not lost.
    stale = await post(
        client, f"/dashboard/services/{SEEDED}", admin, version=version.group(1), **form
    )
    assert stale.status_code == 422
    assert "Someone else saved this service" in stale.text


async def test_deactivating_hides_a_service_from_patients(
    client: Client, database: Database, admin: str
) -> None:
    response = await post(client, f"/dashboard/services/{SEEDED}/status", admin, htmx=True)
    assert response.status_code == 204
    assert response.headers["hx-trigger"] == "serviceChanged"
    assert (await stored(database, SEEDED) or {})["status"] == "inactive"
    assert (await client.get(f"/services/{SEEDED}")).status_code == 404
    assert f'href="/services/{SEEDED}"' not in (await client.get("/services?q=nanny")).text
    rows = await client.get("/dashboard/services?status=inactive", headers=HTMX)
    assert "<html" not in rows.text
    inactive = await database["services"].count_documents({"status": "inactive"})
    assert f"1–{inactive} of {inactive} services" in rows.text
    assert "Newborn Night Nanny" in rows.text

    response = await post(client, f"/dashboard/services/{SEEDED}/status", admin)
    assert response.status_code == 303
    assert (await client.get(f"/services/{SEEDED}")).status_code == 200
    changes = await audited(database, "admin.service_status_changed")
    assert [(c["details"]["before"], c["details"]["after"]) for c in changes] == [
        ("active", "inactive"),
        ("inactive", "active"),
    ]


async def test_a_service_with_bookings_is_archived_not_deleted(
    client: Client, database: Database, admin: str
) -> None:
    service = await stored(database, SEEDED)
    assert service is not None
    await database["bookings"].insert_one(
        {"code": "CV-ARCH01", "service_id": service["_id"], "created_at": datetime.now(UTC)}
    )
    confirm = await client.get(f"/dashboard/services/{SEEDED}/delete")
    assert "Archive the service" in confirm.text
    response = await post(client, f"/dashboard/services/{SEEDED}/delete", admin)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/services?done=archived"
    assert (await stored(database, SEEDED) or {})["status"] == "archived"
    assert (await client.get(f"/services/{SEEDED}")).status_code == 404
    listed = await client.get("/dashboard/services?status=archived")
    assert "Newborn Night Nanny" in listed.text
    assert len(await audited(database, "admin.service_archived")) == 1
    assert await audited(database, "admin.service_deleted") == []


async def test_a_service_without_bookings_is_deleted(
    client: Client, database: Database, admin: str
) -> None:
    confirm = await client.get(f"/dashboard/services/{SEEDED}/delete")
    assert "Delete the service" in confirm.text
    response = await post(client, f"/dashboard/services/{SEEDED}/delete", admin)
    assert response.headers["location"] == "/dashboard/services?done=deleted"
    assert await stored(database, SEEDED) is None
    page = await client.get(response.headers["location"])
    assert "The service is deleted." in page.text
    [entry] = await audited(database, "admin.service_deleted")
    assert entry["details"]["slug"] == SEEDED


@pytest.mark.parametrize("role", ["patient", "caregiver"])
async def test_only_admins_manage_services(
    client: Client, database: Database, make_user: UserFactory, role: Any
) -> None:
    await make_user("someone@example.com", role=role)
    await log_in(client, "someone@example.com")
    token = await csrf_token(client, "/account")
    assert (await client.get("/dashboard/services")).status_code == 403
    assert (await client.get(f"/dashboard/services/{SEEDED}/edit")).status_code == 403
    for path in (f"/dashboard/services/{SEEDED}/status", f"/dashboard/services/{SEEDED}/delete"):
        assert (await post(client, path, token)).status_code == 403
    assert (await post(client, "/dashboard/services", token, **service_form())).status_code == 403
    assert (await stored(database, SEEDED) or {})["status"] == "active"
    assert await database["audit_log"].count_documents({"action": {"$regex": "^admin"}}) == 0


async def test_a_post_without_the_csrf_token_is_refused(
    client: Client, database: Database, admin: str
) -> None:
    response = await client.post(f"/dashboard/services/{SEEDED}/status", data={})
    assert response.status_code == 403
    assert (await stored(database, SEEDED) or {})["status"] == "active"
    assert await audited(database, "admin.service_status_changed") == []
