"""Who hears about a visit: the caregiver when it becomes or stops being theirs, the family
when it starts and ends; and the report, which only the right people read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import (
    DEFAULT_PASSWORD,
    Client,
    UserFactory,
    api_token,
    csrf_token,
    log_in,
)
from tests.support.bookings import CaregiverFactory, due_soon
from tests.support.care import MOTHER
from tests.support.payment_flows import paid_booking
from tests.support.visits import REPORT, REPORT_VALUES

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
API = "/api/v1/bookings"
TASK = "Bathe, dress and change the baby"


@pytest.fixture
async def paid(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, Any]:
    """Amina's visit with Shirin, paid and so confirmed; Rahim is free too."""
    people: dict[str, Any] = {
        "shirin": await make_caregiver("shirin@example.com", name="Shirin Akhter"),
        "rahim": await make_caregiver("rahim@example.com", name="Rahim Uddin"),
    }
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    people["code"], _ = await paid_booking(client, database, caregiver_id=str(people["shirin"]))
    client.cookies.clear()
    return people


async def call(client: Client, email: str, path: str, **body: Any) -> Any:
    headers = {"Authorization": f"Bearer {await api_token(client, email)}"}
    response = await client.post(f"{API}/{path}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


async def mails(database: Database, code: str, template: str) -> list[dict[str, Any]]:
    query = {"template": template, "dedupe_key": {"$regex": code}}
    return await database["mail_outbox"].find(query).to_list()


async def test_the_caregiver_hears_once_when_a_visit_becomes_or_stops_being_theirs(
    client: Client, database: Database, paid: dict[str, Any]
) -> None:
    code = paid["code"]
    (assigned,) = await mails(database, code, "visit_assigned")
    assert assigned["to"] == "shirin@example.com"
    assert f"/dashboard/bookings/{code}" in assigned["text"]
    assert "House 9, Road 3" not in assigned["text"] + assigned["html"]  # details behind the link

    await call(client, "admin@example.com", f"{code}/assign", caregiver_id=str(paid["rahim"]))
    assigned_to = [m["to"] for m in await mails(database, code, "visit_assigned")]
    assert sorted(assigned_to) == ["rahim@example.com", "shirin@example.com"]
    (unassigned,) = await mails(database, code, "visit_unassigned")
    assert unassigned["to"] == "shirin@example.com"

    await call(client, "admin@example.com", f"{code}/transition", to="cancelled")
    unassigned_to = [m["to"] for m in await mails(database, code, "visit_unassigned")]
    assert sorted(unassigned_to) == ["rahim@example.com", "shirin@example.com"]
    live = database["notifications"].find({"booking_code": code, "event": "visit.unassigned"})
    assert {n["caregiver_id"] async for n in live} == {paid["shirin"], paid["rahim"]}


async def test_the_family_hears_of_start_and_end_and_reads_the_report_on_the_booking(
    client: Client, database: Database, paid: dict[str, Any]
) -> None:
    code = paid["code"]
    await due_soon(database, code)
    await call(client, "shirin@example.com", f"{code}/transition", to="in_progress")
    (started,) = await mails(database, code, "visit_started")
    assert started["to"] == "amina@example.com" and "Dhaka time" in started["text"]

    report = {**REPORT, "tasks": [TASK]}
    await call(client, "shirin@example.com", f"{code}/transition", to="completed", report=report)
    (completed,) = await mails(database, code, "visit_completed")
    assert completed["to"] == "amina@example.com"
    assert f"/bookings/{code}" in completed["text"]
    stored = await database["bookings"].find_one({"code": code})
    assert stored is not None and stored["has_concern"] is True
    assert stored["report"]["tasks"] == [TASK] and stored["report"]["meals"] == REPORT["meals"]
    filed = await database["audit_log"].find_one({"action": "visit.report_filed"})
    assert filed is not None and filed["details"] == {"concern": True}

    # The patient's live stream says the booking changed, and nothing of what the report says.
    updates = (
        await database["notifications"]
        .find(
            {"booking_code": code, "event": "booking.updated", "patient_id": stored["patient_id"]}
        )
        .sort("_id", 1)  # in the order written; numbering rewrites documents in place
        .to_list()
    )
    assert [n["data"]["status"] for n in updates] == ["in_progress", "completed"]
    everything_sent = str(updates) + str(await database["mail_outbox"].find().to_list())
    assert not [value for value in REPORT_VALUES if value in everything_sent]

    await log_in(client, "amina@example.com")
    page = (await client.get(f"/bookings/{code}")).text
    assert 'id="visit-report"' in page
    assert all(value in page for value in (*REPORT_VALUES, TASK, "Calm"))

    client.cookies.clear()
    await log_in(client, "admin@example.com")
    flagged = (await client.get("/dashboard/bookings", params={"concern": "yes"})).text
    assert code in flagged and "Concern</span>" in flagged
    csv = (await client.get("/dashboard/bookings.csv")).text
    assert code in csv and not [value for value in REPORT_VALUES if value in csv]


async def test_a_report_is_refused_when_it_breaks_its_limits(
    client: Client, database: Database, paid: dict[str, Any]
) -> None:
    code = paid["code"]
    await due_soon(database, code)
    await call(client, "shirin@example.com", f"{code}/transition", to="in_progress")
    headers = {"Authorization": f"Bearer {await api_token(client, 'shirin@example.com')}"}
    for bad, field in (
        ({"tasks": ["Fix the roof"]}, "tasks"),
        ({"mood": "ecstatic"}, "mood"),
    ):
        body = {"to": "completed", "report": {**REPORT, **bad}}
        refused = await client.post(f"{API}/{code}/transition", json=body, headers=headers)
        assert refused.status_code == 400, refused.text
        assert list(refused.json()["error"]["fields"]) == [field]
    too_long = {"to": "completed", "report": {**REPORT, "meals": "x" * 501}}
    refused = await client.post(f"{API}/{code}/transition", json=too_long, headers=headers)
    assert refused.status_code == 400
    found = await database["bookings"].find_one({"code": code})
    assert found is not None and found["status"] == "in_progress" and found.get("report") is None


async def test_a_deleted_patient_leaves_no_visit_report_behind(
    client: Client, database: Database, paid: dict[str, Any]
) -> None:
    code = paid["code"]
    await due_soon(database, code)
    await call(client, "shirin@example.com", f"{code}/transition", to="in_progress")
    await call(client, "shirin@example.com", f"{code}/transition", to="completed", report=REPORT)
    await log_in(client, "amina@example.com")
    token = await csrf_token(client, "/account/delete")
    deleted = await client.post(
        "/account/delete",
        data={"password": DEFAULT_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    kept = await database["bookings"].find_one({"code": code})
    assert kept is not None and kept["status"] == "completed"
    assert (kept["report"], kept["has_concern"]) == (None, False)


async def test_the_caregiver_reads_their_report_for_a_week_after_the_visit_only(
    client: Client, database: Database, paid: dict[str, Any]
) -> None:
    code = paid["code"]
    await due_soon(database, code)
    await call(client, "shirin@example.com", f"{code}/transition", to="in_progress")
    await call(client, "shirin@example.com", f"{code}/transition", to="completed", report=REPORT)
    await log_in(client, "shirin@example.com")
    assert REPORT["concern"] in (await client.get(f"/dashboard/bookings/{code}")).text

    week_ago = {"ends_at": datetime.now(UTC) - timedelta(days=7, minutes=1)}
    await database["bookings"].update_one({"code": code}, {"$set": week_ago})
    later = (await client.get(f"/dashboard/bookings/{code}")).text
    assert not [value for value in REPORT_VALUES if value in later]
    client.cookies.clear()
    await log_in(client, "admin@example.com")
    assert REPORT["concern"] in (await client.get(f"/dashboard/bookings/{code}")).text


async def test_the_loved_ones_emergency_contact_hears_only_when_they_asked(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    shirin = await make_caregiver("shirin@example.com", name="Shirin Akhter")
    rahim = await make_caregiver("rahim@example.com", name="Rahim Uddin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    asked, _ = await paid_booking(client, database, caregiver_id=str(shirin), **MOTHER)
    quiet_form = {key: value for key, value in MOTHER.items() if key != "contact_visit_updates"}
    quiet, _ = await paid_booking(client, database, caregiver_id=str(rahim), **quiet_form)
    client.cookies.clear()
    for code, email in ((asked, "shirin@example.com"), (quiet, "rahim@example.com")):
        await due_soon(database, code)
        await call(client, email, f"{code}/transition", to="in_progress")
        report = {**REPORT, "tasks": [TASK]}
        await call(client, email, f"{code}/transition", to="completed", report=report)
    for template in ("visit_started", "visit_completed"):
        told = sorted(mail["to"] for mail in await mails(database, asked, template))
        assert told == ["amina@example.com", MOTHER["contact_email"]], template
        told = [mail["to"] for mail in await mails(database, quiet, template)]
        assert told == ["amina@example.com"], template
