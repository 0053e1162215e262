"""Moving a confirmed visit: the same caregiver at once, another with an admin's approval."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.composition import build_services
from carevia.devtools.local_gateway import LocalGateway
from carevia.domain.accounts import UserRepository
from carevia.domain.bookings import Booking, BookingRepository, SlotTaken
from carevia.domain.bookings.rescheduling import MoveForm
from carevia.settings import Settings
from tests.support.accounts import UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, next_local_date
from tests.support.listings import Database
from tests.support.payment_flows import paid_booking, queued_templates, stored_booking
from tests.support.rescheduling import claimed, local, mover_with

Client = AsyncTestClient[Litestar]
pytestmark = pytest.mark.usefixtures("seeded")
NEW_DAY = next_local_date(4)


@pytest.fixture
async def people(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, str]:
    """Amina signed in, her caregiver Shirin, and Nasrin, who offers the same service."""
    shirin = await make_caregiver("shirin@example.com", name="Shirin Akhter")
    nasrin = await make_caregiver("nasrin@example.com", name="Nasrin Sultana")
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    return {"shirin": str(shirin), "nasrin": str(nasrin)}


async def move(client: Client, code: str, caregiver: str, at: str, day: str = "") -> Any:
    token = await csrf_token(client, f"/bookings/{code}/move")
    return await client.post(
        f"/bookings/{code}/move",
        data={
            "_csrf_token": token,
            "date": day or NEW_DAY.isoformat(),
            "slot": f"{caregiver}@{at}",
        },
        follow_redirects=False,
    )


async def test_a_patient_moves_a_visit_to_another_free_time_of_the_same_caregiver_at_once(
    client: Client, database: Database, people: dict[str, str]
) -> None:
    code, _ = await paid_booking(client, database, caregiver_id=people["shirin"])
    page = await client.get(f"/bookings/{code}")
    assert f'href="/bookings/{code}/move"' in page.text

    options = await client.get(f"/bookings/{code}/move", params={"date": NEW_DAY.isoformat()})
    assert options.status_code == 200
    assert f'value="{people["shirin"]}@11:00"' in options.text
    assert "your caregiver: changes at once" in options.text

    moved = await move(client, code, people["shirin"], "11:00")

    assert moved.status_code == 303
    assert moved.headers["location"] == f"/bookings/{code}?moved=1"
    stored = await stored_booking(database, code)
    assert (stored["status"], stored["starts_at"]) == ("confirmed", local(NEW_DAY, 11))
    assert stored["ends_at"] == local(NEW_DAY, 15)
    slots = await claimed(database, code)
    assert (len(slots), slots[0], slots[-1]) == (
        8,
        local(NEW_DAY, 11),
        local(NEW_DAY, 14) + timedelta(minutes=30),
    )
    assert stored["history"][-1]["note"].startswith("Moved from ")
    assert (
        await database["audit_log"].count_documents({"action": "booking.moved", "target_id": code})
        == 1
    )
    assert "visit_moved" in await queued_templates(database, "amina@example.com")
    assert "visit_moved_caregiver" in await queued_templates(database, "shirin@example.com")
    events = await database["notifications"].distinct("event", {"booking_code": code})
    assert {"booking.updated", "visit.moved"} <= set(events)
    shown = await client.get(f"/bookings/{code}?moved=1")
    assert "Your visit has its new time" in shown.text


async def test_a_move_after_the_free_change_window_is_refused_with_the_reason(
    client: Client, database: Database, people: dict[str, str]
) -> None:
    code, _ = await paid_booking(client, database, caregiver_id=people["shirin"])
    paid = await stored_booking(database, code)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(
        hours=paid["policy"]["free_until_hours"] - 1
    )
    await database["bookings"].update_one(
        {"code": code}, {"$set": {"starts_at": soon, "ends_at": soon + timedelta(hours=4)}}
    )

    refused = await move(client, code, people["shirin"], "11:00")

    assert refused.status_code == 409
    assert f"free of charge until {paid['policy']['free_until_hours']} hours before" in refused.text
    assert (await stored_booking(database, code))["starts_at"] == soon
    assert 'href="/bookings/' + code + '/move"' not in (await client.get(f"/bookings/{code}")).text


async def test_a_taken_time_refuses_the_whole_move_and_leaves_the_booking_as_it_was(
    client: Client, database: Database, people: dict[str, str]
) -> None:
    code, _ = await paid_booking(client, database, caregiver_id=people["shirin"])
    before, claims_before = await stored_booking(database, code), await claimed(database, code)
    # Another family holds Shirin from 10:00 to 14:00 on the new day.
    other, _ = await paid_booking(
        client, database, caregiver_id=people["shirin"], date=NEW_DAY.isoformat()
    )

    refused = await move(client, code, people["shirin"], "12:00")

    assert refused.status_code == 409
    assert "That time was just taken" in refused.text
    after = await stored_booking(database, code)
    assert (after["starts_at"], after["history"]) == (before["starts_at"], before["history"])
    assert await claimed(database, code) == claims_before
    assert len(await claimed(database, other)) == 8
    assert await database["audit_log"].count_documents({"action": "booking.moved"}) == 0


async def test_another_caregivers_time_waits_for_an_admin_who_approves_or_declines(
    client: Client, database: Database, people: dict[str, str]
) -> None:
    code, _ = await paid_booking(client, database, caregiver_id=people["shirin"])
    before = await stored_booking(database, code)

    asked = await move(client, code, people["nasrin"], "09:00")

    assert asked.headers["location"] == f"/bookings/{code}?move_requested=1"
    waiting = await stored_booking(database, code)
    assert (waiting["starts_at"], waiting["caregiver_id"]) == (
        before["starts_at"],
        before["caregiver_id"],
    )
    assert str(waiting["move_request"]["caregiver_id"]) == people["nasrin"]
    assert "admin_move_requested" in await queued_templates(database, "admin@example.com")
    assert "We will email you once it is approved" in (await client.get(f"/bookings/{code}")).text

    await log_in(client, "admin@example.com")
    drawer = await client.get(f"/dashboard/bookings/{code}")
    assert "Approve the move" in drawer.text and "Nasrin Sultana" in drawer.text
    token = await csrf_token(client, f"/dashboard/bookings/{code}")
    approved = await client.post(
        f"/dashboard/bookings/{code}/move/approve",
        data={"_csrf_token": token},
        follow_redirects=False,
    )

    assert approved.status_code == 303
    moved = await stored_booking(database, code)
    assert (str(moved["caregiver_id"]), moved["starts_at"]) == (people["nasrin"], local(NEW_DAY, 9))
    assert moved["move_request"] is None
    assert (await claimed(database, code))[0] == local(NEW_DAY, 9)
    assert "visit_unassigned" in await queued_templates(database, "shirin@example.com")
    assert "visit_assigned" in await queued_templates(database, "nasrin@example.com")

    # A second request, declined: the visit keeps its time and the patient is told.
    await log_in(client, "amina@example.com")
    await move(client, code, people["shirin"], "16:00")
    await log_in(client, "admin@example.com")
    token = await csrf_token(client, f"/dashboard/bookings/{code}")
    declined = await client.post(
        f"/dashboard/bookings/{code}/move/decline",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert declined.status_code == 303
    kept = await stored_booking(database, code)
    assert (kept["starts_at"], kept["move_request"]) == (moved["starts_at"], None)
    assert "visit_move_declined" in await queued_templates(database, "amina@example.com")


async def test_two_moves_to_the_same_time_one_wins_and_the_other_changes_nothing(
    client: Client, database: Database, settings: Settings, people: dict[str, str]
) -> None:
    first, _ = await paid_booking(client, database, caregiver_id=people["shirin"])
    second, _ = await paid_booking(
        client, database, caregiver_id=people["shirin"], start_time="15:00"
    )
    amina = await UserRepository(database).get_by_email("amina@example.com")
    assert amina is not None
    stored = BookingRepository(database)
    bookings: list[Booking] = []
    for code in (first, second):
        found = await stored.get_by_code(code)
        assert found is not None
        bookings.append(found)
    # Two processes, each with its own services, move both visits to the same time.
    gateway = LocalGateway(database, None, settings.public_base_url)  # type: ignore[arg-type]
    movers = [build_services(settings, database, gateway).rescheduling for _ in range(2)]
    form = MoveForm(date=NEW_DAY.isoformat(), slot=f"{people['shirin']}@10:00")

    results = await asyncio.gather(
        *(
            mover.move(amina, booking, form)
            for mover, booking in zip(movers, bookings, strict=True)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(r, Booking) for r in results) == 1
    assert sum(isinstance(r, SlotTaken) for r in results) == 1
    starts = [(await stored_booking(database, code))["starts_at"] for code in (first, second)]
    assert sorted(starts).count(local(NEW_DAY, 10)) == 1
    taken = await database["slot_claims"].count_documents(
        {"caregiver_id": ObjectId(people["shirin"])}
    )
    assert taken == 16


async def test_a_move_to_a_time_that_cannot_be_booked_is_refused_field_by_field(
    client: Client, database: Database, people: dict[str, str]
) -> None:
    code, _ = await paid_booking(client, database, caregiver_id=people["shirin"])
    before = await stored_booking(database, code)
    far = (NEW_DAY + timedelta(days=400)).isoformat()
    refusals = [
        ("2020-01-01", f"{people['shirin']}@10:00", "That date has passed"),
        (far, f"{people['shirin']}@10:00", "up to 90 days ahead"),
        ("", f"{people['shirin']}@10:00", "Choose a date"),
        (NEW_DAY.isoformat(), f"{people['shirin']}@25:00", "Choose one of the free times"),
        (NEW_DAY.isoformat(), f"{ObjectId()}@10:00", "Choose one of the free times"),
        (NEW_DAY.isoformat(), '{"$ne": null}', "Choose one of the free times"),
        (NEW_DAY.isoformat(), f"{people['shirin']}@03:00", "outside the caregiver"),
    ]
    token = await csrf_token(client, f"/bookings/{code}/move")
    for day, slot, message in refusals:
        refused = await client.post(
            f"/bookings/{code}/move", data={"_csrf_token": token, "date": day, "slot": slot}
        )
        assert refused.status_code == 422, (day, slot)
        assert message in refused.text, (day, slot)
    after = await stored_booking(database, code)
    assert (after["starts_at"], after["history"]) == (before["starts_at"], before["history"])


async def test_the_after_move_listeners_run_inside_the_move_and_can_refuse_it(
    client: Client, database: Database, settings: Settings, people: dict[str, str]
) -> None:
    code, _ = await paid_booking(client, database, caregiver_id=people["shirin"])
    amina = await UserRepository(database).get_by_email("amina@example.com")
    booking = await BookingRepository(database).get_by_code(code)
    assert amina is not None and booking is not None
    heard: list[tuple[datetime, datetime, bool]] = []

    async def listener(old: Booking, new: Booking, session: AsyncClientSession) -> None:
        heard.append((old.starts_at, new.starts_at, session.in_transaction))

    async def refuses(old: Booking, new: Booking, session: AsyncClientSession) -> None:
        raise RuntimeError("the reminders could not follow")

    form = MoveForm(date=NEW_DAY.isoformat(), slot=f"{people['shirin']}@11:00")
    with pytest.raises(RuntimeError):
        await mover_with(database, settings, listener, refuses).move(amina, booking, form)
    assert (await stored_booking(database, code))["starts_at"] == booking.starts_at
    assert (await claimed(database, code))[0] == booking.starts_at

    moved = await mover_with(database, settings, listener).move(amina, booking, form)

    assert moved.starts_at == local(NEW_DAY, 11)
    assert heard[-1] == (booking.starts_at, local(NEW_DAY, 11), True)
