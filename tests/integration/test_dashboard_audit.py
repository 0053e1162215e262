"""The audit log reads as sentences about people: names, plain actions, reads apart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from tests.support.accounts import Client, UserFactory, log_in

Database = AsyncDatabase[dict[str, Any]]
HTMX = {"HX-Request": "true"}


class People:
    def __init__(self, admin: User, patient: User, caregiver: User) -> None:
        self.admin, self.patient, self.caregiver = admin, patient, caregiver


@pytest.fixture
async def people(client: Client, make_user: UserFactory) -> People:
    admin = await make_user(
        "lead@example.com", role="admin", first_name="Tahmina", last_name="Begum"
    )
    patient = await make_user("amina@example.com", first_name="Amina", last_name="Rahman")
    caregiver = await make_user(
        "shirin@example.com", role="caregiver", first_name="Shirin", last_name="Akhter"
    )
    await log_in(client, "lead@example.com")
    return People(admin, patient, caregiver)


@pytest.fixture
async def history(database: Database, people: People) -> None:
    start = datetime(2025, 3, 1, 6, tzinfo=UTC)
    admin, patient, caregiver = (
        str(people.admin.id),
        str(people.patient.id),
        str(people.caregiver.id),
    )
    entries = [
        ("auth.login", patient, "patient", None, None, {"via": "session"}),
        ("booking.cancelled", patient, "patient", "booking", "CV-AAA111", {}),
        ("admin.user_read", admin, "admin", "user", patient, {}),
        ("payment.refund_requested", admin, "admin", "booking", "CV-AAA111", {"amount": 500}),
        ("admin.user_disabled", admin, "admin", "user", caregiver, {}),
        ("booking.expired", None, "system", "booking", "CV-BBB222", {}),
    ]
    await database["audit_log"].insert_many(
        [
            {"at": start + timedelta(minutes=n), "action": action, "actor_id": actor}
            | {"actor_role": role, "target_type": kind, "target_id": target}
            | {"ip": "203.0.113.7", "details": details}
            for n, (action, actor, role, kind, target, details) in enumerate(entries)
        ]
    )


OLD_DAYS = {"date_from": "2025-03-01", "date_to": "2025-03-01"}


def listed(html: str) -> list[tuple[str, str]]:
    """(action key, read or change) of each row, newest first."""
    return re.findall(r'<tr class="audit-entry" data-action="([^"]+)" data-access="(\w+)"', html)


def cells(html: str, label: str) -> list[str]:
    found = re.findall(rf'<td data-label="{label}">(.*?)</td>', html, flags=re.S)
    return [unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split())) for cell in found]


async def audit(client: Client, **params: str) -> str:
    page = await client.get("/dashboard/audit", params=OLD_DAYS | params, headers=HTMX)
    assert page.status_code == 200, page.text
    return page.text


@pytest.mark.usefixtures("history")
async def test_rows_name_people_and_say_what_happened(client: Client, people: People) -> None:
    page = await client.get("/dashboard/audit", params=OLD_DAYS)
    assert page.status_code == 200
    assert cells(page.text, "What happened") == [
        "Change Unpaid booking released",
        "Change Disabled an account",
        "Change Refunded a payment",
        "Read Viewed a person's account",
        "Change Cancelled a booking",
        "Change Signed in",
    ]
    assert cells(page.text, "Who") == [
        "Carevia, automatically",
        "Tahmina Begum lead@example.com",
        "Tahmina Begum lead@example.com",
        "Tahmina Begum lead@example.com",
        "Amina Rahman amina@example.com",
        "Amina Rahman amina@example.com",
    ]
    assert cells(page.text, "To whom or what") == [
        "Booking CV-BBB222",
        "Shirin Akhter shirin@example.com",
        "Booking CV-AAA111",
        "Amina Rahman amina@example.com",
        "Booking CV-AAA111",
        "—",
    ]
    for person in (people.admin, people.patient, people.caregiver):
        assert str(person.id) not in re.sub(r'href="[^"]*"', "", page.text)
    assert f'href="/dashboard/users/{people.caregiver.id}"' in page.text
    assert 'href="/dashboard/bookings/CV-AAA111"' in page.text
    kinds = dict(re.findall(r'<option value="([a-z_.]+)"\s*>([^<]+)</option>', page.text))
    assert kinds["payment.refund_requested"] == "Refunded a payment"
    assert kinds["auth.login"] == "Signed in"
    assert unescape(kinds["admin.user_read"]) == "Viewed a person's account"


@pytest.mark.usefixtures("history")
async def test_filter_by_a_persons_name_or_email(client: Client) -> None:
    by_name = await audit(client, person="amina rahman")
    # Amina's own actions, and the admin's look at her account.
    assert [key for key, _ in listed(by_name)] == [
        "admin.user_read",
        "booking.cancelled",
        "auth.login",
    ]
    by_part_of_email = await audit(client, person="SHIRIN@example")
    assert [key for key, _ in listed(by_part_of_email)] == ["admin.user_disabled"]
    by_email = await audit(client, person="lead@example.com")
    assert [key for key, _ in listed(by_email)] == [
        "admin.user_disabled",
        "payment.refund_requested",
        "admin.user_read",
    ]
    pattern = await audit(client, person=".*")
    assert listed(pattern) == [] and "Nobody’s name or email matches “.*”." in pattern
    nobody = await audit(client, person="Karim")
    assert listed(nobody) == [] and "matches “Karim”" in nobody


@pytest.mark.usefixtures("history")
async def test_filter_by_kind_of_action_and_by_booking(client: Client) -> None:
    refunds = await audit(client, action="payment.refund_requested")
    assert listed(refunds) == [("payment.refund_requested", "change")]
    booking = await audit(client, booking=" cv-aaa111 ")
    assert [key for key, _ in listed(booking)] == ["payment.refund_requested", "booking.cancelled"]
    # A kind nobody did yet is still offered, and simply finds nothing.
    assert listed(await audit(client, action="admin.service_created")) == []
    for bad in ({"action": "payment"}, {"action": "{'$ne': null}"}):
        answer = await client.get("/dashboard/audit", params=bad)
        assert answer.status_code == 400
        assert "Choose one of the listed kinds of action." in answer.text


@pytest.mark.usefixtures("history")
async def test_reads_are_kept_apart_from_changes(client: Client) -> None:
    reads = await audit(client, access="reads")
    assert listed(reads) == [("admin.user_read", "read")]
    assert '<span class="badge badge-info">Read</span>' in reads
    changes = await audit(client, access="changes")
    assert ("admin.user_read", "read") not in listed(changes)
    assert {access for _, access in listed(changes)} == {"change"} and len(listed(changes)) == 5
    both = await audit(client, access="reads", person="Amina")
    assert listed(both) == [("admin.user_read", "read")]
    bad = await client.get("/dashboard/audit", params={"access": "secrets"})
    assert bad.status_code == 400 and "Choose reads, changes or everything." in bad.text


async def test_an_admin_reading_an_account_is_listed_as_a_read(
    client: Client, people: People
) -> None:
    opened = await client.get(f"/dashboard/users/{people.patient.id}")
    assert opened.status_code == 200
    reads = await client.get("/dashboard/audit", params={"access": "reads", "person": "Amina"})
    assert listed(reads.text) == [("admin.user_read", "read")]
    assert cells(reads.text, "What happened") == ["Read Viewed a person's account"]
    assert cells(reads.text, "To whom or what") == ["Amina Rahman amina@example.com"]
