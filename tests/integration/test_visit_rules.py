"""The visit's rules: Start only in its window, Complete only after Start, both confirmed,
an admin's override with its reason on the record, and the report filed with Complete."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.audit import AuditLog
from carevia.domain.bookings import Booking, BookingRepository
from carevia.domain.bookings.models import Actor
from carevia.domain.bookings.transitions import BookingTransitions
from carevia.domain.shared import Conflict
from carevia.domain.shared.time_format import format_local
from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_code, due_soon, submit_booking
from tests.support.reviews import MovableClock
from tests.support.visits import REPORT

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
API = "/api/v1/bookings"
TASK = "Bathe, dress and change the baby"


@pytest.fixture
async def visit(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, Any]:
    """Amina's confirmed visit with Shirin, three days ahead; an admin on hand."""
    people: dict[str, Any] = {"shirin": await make_caregiver("shirin@example.com")}
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    people["code"] = await booking_code(client, await submit_booking(client))
    client.cookies.clear()
    await database["bookings"].update_many({}, {"$set": {"status": "confirmed"}})
    return people


async def stored(database: Database, code: str) -> Booking:
    found = await BookingRepository(database).get_by_code(code)
    assert found is not None
    return found


async def move(client: Client, email: str, code: str, **body: Any) -> Any:
    headers = {"Authorization": f"Bearer {await api_token(client, email)}"}
    return await client.post(f"{API}/{code}/transition", json=body, headers=headers)


async def audited(database: Database, action: str, code: str) -> list[dict[str, Any]]:
    return await database["audit_log"].find({"action": action, "target_id": code}).to_list()


async def test_a_start_too_early_is_refused_with_the_time_it_opens(
    client: Client, database: Database, visit: dict[str, Any]
) -> None:
    code = visit["code"]
    booking = await stored(database, code)
    opens = format_local(
        booking.starts_at - timedelta(minutes=60), "Asia/Dhaka", "%-I:%M %p on %a %-d %b"
    )
    refused = await move(client, "shirin@example.com", code, to="in_progress")
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == f"You can start this visit from {opens}."
    assert (await stored(database, code)).status == "confirmed"

    await log_in(client, "shirin@example.com")
    token = await csrf_token(client, "/account")
    drawer = await client.post(
        f"/dashboard/bookings/{code}/start",
        data={"_csrf_token": token, "confirm": "yes"},
        follow_redirects=False,
    )
    assert drawer.status_code == 422 and f"You can start this visit from {opens}." in drawer.text
    # A caregiver cannot talk their way past the window.
    excuse = await move(client, "shirin@example.com", code, to="in_progress", reason="Early bus")
    assert excuse.status_code == 403


async def test_the_window_opens_sixty_minutes_before_the_start_and_closes_at_the_end(
    database: Database, visit: dict[str, Any]
) -> None:
    booking = await stored(database, visit["code"])
    clock = MovableClock()
    clock.now = booking.starts_at - timedelta(minutes=60, seconds=1)
    transitions = BookingTransitions(
        database, BookingRepository(database), AuditLog(database), None, clock
    )
    shirin = Actor(str(visit["shirin"]), "caregiver")
    with pytest.raises(Conflict, match="You can start this visit from"):
        await transitions.move(booking, "in_progress", shirin)
    clock.move(seconds=1)
    started = await transitions.move(booking, "in_progress", shirin)
    assert started is not None and started.started_at == clock.now

    late = await stored(database, visit["code"])
    await database["bookings"].update_one({"_id": late.id}, {"$set": {"status": "confirmed"}})
    clock.now = booking.ends_at
    with pytest.raises(Conflict, match="was due to end at"):
        await transitions.move(await stored(database, visit["code"]), "in_progress", shirin)


async def test_complete_before_start_is_refused(
    client: Client, database: Database, visit: dict[str, Any]
) -> None:
    code = visit["code"]
    await due_soon(database, code)
    for email in ("shirin@example.com", "admin@example.com"):
        refused = await move(client, email, code, to="completed", report=REPORT)
        assert refused.status_code == 409
        assert "confirmed cannot become completed" in refused.json()["error"]["message"]
    booking = await stored(database, code)
    assert (booking.status, booking.report) == ("confirmed", None)


async def test_an_admin_overrides_the_window_only_with_a_reason_which_is_audited(
    client: Client, database: Database, visit: dict[str, Any]
) -> None:
    code = visit["code"]
    bare = await move(client, "admin@example.com", code, to="in_progress")
    assert bare.status_code == 400
    assert "reason" in bare.json()["error"]["fields"]
    assert await audited(database, "booking.timing_overridden", code) == []

    reason = "Family asked for an early start; confirmed by phone"
    started = await move(client, "admin@example.com", code, to="in_progress", reason=reason)
    assert started.status_code == 200, started.text
    (entry,) = await audited(database, "booking.timing_overridden", code)
    assert (entry["actor_role"], entry["details"]["reason"]) == ("admin", reason)
    admin = await database["users"].find_one({"email": "admin@example.com"})
    assert admin is not None and entry["actor_id"] == str(admin["_id"])
    assert started.json()["history"][-1]["note"] == f"Timing rule overridden by an admin: {reason}"


async def test_both_actions_need_their_confirmation(
    client: Client, database: Database, visit: dict[str, Any]
) -> None:
    code, base = visit["code"], f"/dashboard/bookings/{visit['code']}"
    await due_soon(database, code)
    await log_in(client, "shirin@example.com")
    token = await csrf_token(client, "/account")
    drawer = await client.get(base)
    assert 'name="confirm"' in drawer.text and "required" in drawer.text
    bare = await client.post(f"{base}/start", data={"_csrf_token": token})
    assert bare.status_code == 422 and "Tick the box to confirm" in bare.text
    assert (await stored(database, code)).status == "confirmed"

    started = await client.post(
        f"{base}/start", data={"_csrf_token": token, "confirm": "yes"}, follow_redirects=False
    )
    assert started.status_code == 303
    report = {**REPORT, "tasks": TASK}
    bare = await client.post(f"{base}/complete", data={"_csrf_token": token, **report})
    assert bare.status_code == 422 and "Tick the box to confirm" in bare.text
    # The report comes back as typed, so one missed box does not cost the whole report.
    assert f">{REPORT['meals']}</textarea>" in bare.text
    assert f'value="{TASK}" checked' in bare.text and 'value="calm" selected' in bare.text
    assert (await stored(database, code)).status == "in_progress"
