"""A caregiver's own visits and working hours in the dashboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_code, submit_booking

pytestmark = pytest.mark.usefixtures("seeded")


async def test_caregivers_see_only_their_own_visits(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    mine = await make_caregiver("shirin@example.com", name="Shirin Akhter")
    theirs = await make_caregiver("other@example.com", name="Other Carer")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    own = await booking_code(client, await submit_booking(client, caregiver_id=str(mine)))
    other = await booking_code(client, await submit_booking(client, caregiver_id=str(theirs)))
    held = await booking_code(
        client, await submit_booking(client, caregiver_id=str(mine), start_time="15:00")
    )
    await database["bookings"].update_many(
        {"code": {"$in": [own, other]}}, {"$set": {"status": "confirmed"}}
    )

    client.cookies.clear()
    await log_in(client, "shirin@example.com")
    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert own in page.text
    assert other not in page.text
    assert held not in page.text  # an unpaid hold is not a visit yet
    fragment = await client.get("/dashboard", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="visits"')


async def test_caregivers_edit_their_hours_and_the_calendar_follows(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_caregiver: CaregiverFactory
) -> None:
    caregiver = await make_caregiver("shirin@example.com")
    await log_in(client, "shirin@example.com")
    form = await client.get("/dashboard/availability")
    assert form.status_code == 200
    # Start and end are the same kind of control, chosen from the same half-hour list.
    assert (
        len(re.findall(r'<select id="\w+-(?:start|end)" name="\w+_(?:start|end)">', form.text))
        == 14
    )
    assert '<input id="monday-end"' not in form.text
    monday_start = form.text.split('name="monday_start"')[1].split("</select>")[0]
    assert '<option value="08:00" selected>8:00 am</option>' in monday_start
    monday_end = form.text.split('name="monday_end"')[1].split("</select>")[0]
    assert '<option value="20:00" selected>8:00 pm</option>' in monday_end
    assert '<option value="24:00">midnight (end of day)</option>' in monday_end
    token = await csrf_token(client, "/dashboard/availability")
    hours = {
        f"{day}_{edge}": ""
        for day in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        for edge in ("start", "end")
    }
    bad = await client.post(
        "/dashboard/availability",
        headers={"HX-Request": "true"},
        data={
            **hours,
            "monday_start": "09:15",
            "monday_end": "17:00",
            "days_off": "soon",
            "_csrf_token": token,
        },
    )
    assert bad.status_code == 422
    assert "half-hour times" in bad.text and "is not a date" in bad.text
    saved = await client.post(
        "/dashboard/availability",
        headers={"HX-Request": "true"},
        data={
            **hours,
            "monday_start": "09:00",
            "monday_end": "13:30",
            "days_off": "2026-12-16",
            "_csrf_token": token,
        },
    )
    assert saved.status_code == 200
    assert "Your hours are saved." in saved.text
    stored = await database["caregivers"].find_one({"_id": caregiver})
    assert stored is not None
    assert stored["availability"]["monday"] == [{"start": "09:00", "end": "13:30"}]
    assert stored["availability"]["tuesday"] == []
    assert stored["days_off"] == ["2026-12-16"]


async def test_patients_cannot_open_the_dashboard_or_edit_hours(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    assert (await client.get("/dashboard")).status_code == 403
    assert (await client.get("/dashboard/availability")).status_code == 403


async def test_caregivers_edit_their_public_profile(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_caregiver: CaregiverFactory
) -> None:
    caregiver = await make_caregiver("shirin@example.com")
    await log_in(client, "shirin@example.com")
    assert "Experienced and calm." in (await client.get("/dashboard/profile")).text
    token = await csrf_token(client, "/dashboard/profile")
    short = await client.post(
        "/dashboard/profile",
        headers={"HX-Request": "true"},
        data={"bio": "Hi", "languages": "", "certifications": "", "_csrf_token": token},
    )
    assert short.status_code == 422
    assert "Write 20 to 1500 characters" in short.text and "List the languages" in short.text
    bio = "Twelve years with newborns and their parents, <b>calm</b> at night."
    saved = await client.post(
        "/dashboard/profile",
        headers={"HX-Request": "true"},
        data={
            "bio": bio,
            "languages": "Bangla, English",
            "certifications": "Newborn Care\nInfant CPR",
            "_csrf_token": token,
        },
    )
    assert saved.status_code == 200
    assert "Your profile is saved." in saved.text
    stored = await database["caregivers"].find_one({"_id": caregiver})
    assert stored is not None
    assert (stored["bio"], stored["languages"], stored["certifications"]) == (
        bio,
        ["Bangla", "English"],
        ["Newborn Care", "Infant CPR"],
    )
    public = await client.get(f"/caregivers/{caregiver}")
    assert "&lt;b&gt;calm&lt;/b&gt;" in public.text


async def test_caregivers_change_their_own_hours_and_profile_over_the_api(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    caregiver = await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    hours = {"monday": {"start": "09:00", "end": "13:00"}, "days_off": ["2026-12-16"]}
    profile = {"bio": "Gentle night care for newborns, twelve years.", "languages": ["Bangla"]}
    patient = {"Authorization": f"Bearer {await api_token(client, 'amina@example.com')}"}
    assert (
        await client.put("/api/v1/me/caregiver/availability", json=hours, headers=patient)
    ).status_code == 403
    await log_in(client, "shirin@example.com")
    assert (
        await client.put("/api/v1/me/caregiver/profile", json=profile)
    ).status_code == 403  # cookie only

    carer = {"Authorization": f"Bearer {await api_token(client, 'shirin@example.com')}"}
    bad = await client.put(
        "/api/v1/me/caregiver/availability",
        headers=carer,
        json={"monday": {"start": "09:15", "end": "13:00"}},
    )
    assert bad.status_code == 400
    assert "monday" in bad.json()["error"]["fields"]
    done = await client.put("/api/v1/me/caregiver/availability", json=hours, headers=carer)
    assert done.status_code == 200
    assert done.json()["days_off"] == ["2026-12-16"]
    assert (
        await client.put("/api/v1/me/caregiver/profile", json=profile, headers=carer)
    ).status_code == 200
    stored = await database["caregivers"].find_one({"_id": caregiver})
    assert stored is not None
    assert stored["availability"]["monday"] == [{"start": "09:00", "end": "13:00"}]
    assert stored["bio"] == profile["bio"]
    actions = {e["action"] async for e in database["audit_log"].find({"target_id": str(caregiver)})}
    assert {"caregiver.availability_changed", "caregiver.profile_changed"} <= actions
