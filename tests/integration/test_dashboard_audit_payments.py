"""The admin's audit log viewer and payments ledger: exact filters, bounded pages, totals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.payments.models import Payment, PaymentKind, PaymentState, Refund, RefundState
from carevia.domain.shared.documents import to_document
from tests.support.accounts import Client, UserFactory, log_in

Database = AsyncDatabase[dict[str, Any]]
HTMX = {"HX-Request": "true"}
ACTOR = str(ObjectId())
TARGET = str(ObjectId())


def at(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
async def admin(client: Client, make_user: UserFactory) -> None:
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    await make_user("carer@example.com", role="caregiver")
    await log_in(client, "admin@example.com")


@pytest.fixture
async def history(database: Database) -> None:
    entries = [
        ("booking.cancelled", str(ObjectId()), "CV-AAA111", "booking", at("2025-01-10", 12)),
        # 23:00 on 5 February in Dhaka, and 01:00 on 6 February in Dhaka.
        ("admin.user_disabled", str(ObjectId()), TARGET, "user", at("2025-02-05", 17)),
        ("auth.login", ACTOR, None, None, at("2025-02-05", 19)),
    ]
    await database["audit_log"].insert_many(
        [
            {"at": when, "action": action, "actor_id": actor, "actor_role": "admin"}
            | {"target_type": kind, "target_id": target, "ip": "203.0.113.7", "details": {}}
            for action, actor, target, kind, when in entries
        ]
    )


def payment(
    code: str, kind: PaymentKind, status: PaymentState, amount: int, when: datetime
) -> dict[str, Any]:
    return to_document(
        Payment(
            id=ObjectId(),
            booking_id=ObjectId(),
            booking_code=code,
            kind=kind,
            attempt=1,
            gateway="local",
            session_id=f"cs_test_{ObjectId()}",
            url=None,
            amount=amount,
            currency="BDT",
            status=status,
            created_at=when,
        )
    )


def refund(code: str, status: RefundState, amount: int, when: datetime) -> dict[str, Any]:
    return to_document(
        Refund(
            id=ObjectId(),
            booking_id=ObjectId(),
            booking_code=code,
            payment_id=ObjectId(),
            payment_intent="pi_test",
            amount=amount,
            reason="Cancelled by support",
            idempotency_key=f"refund:{ObjectId()}",
            status=status,
            created_at=when,
            updated_at=when,
        )
    )


@pytest.fixture
async def ledger(database: Database) -> None:
    await database["payments"].insert_many(
        [
            payment("CV-AAA111", "initial", "paid", 10_000, at("2025-03-01", 4)),
            payment("CV-AAA111", "due", "paid", 5_000, at("2025-03-05", 4)),
            payment("CV-BBB222", "initial", "expired", 8_000, at("2025-03-10", 4)),
            payment("CV-CCC333", "initial", "open", 2_000, at("2025-04-01", 4)),
        ]
    )
    await database["refunds"].insert_many(
        [
            refund("CV-AAA111", "succeeded", 3_000, at("2025-03-07", 4)),
            refund("CV-BBB222", "requested", 1_000, at("2025-03-11", 4)),
        ]
    )


def actions(html: str) -> list[str]:
    return re.findall(r'<tr class="audit-entry" data-action="([^"]+)"', html)


def rows(html: str) -> list[tuple[str, int]]:
    found = re.findall(r'data-kind="(\w+)" data-amount="(\d+)"', html)
    return [(kind, int(amount)) for kind, amount in found]


@pytest.mark.usefixtures("admin", "history")
async def test_the_audit_log_filters_exactly_and_newest_first(
    client: Client, database: Database
) -> None:
    page = await client.get("/dashboard/audit")
    assert page.status_code == 200 and 'hx-push-url="true"' in page.text
    assert '<option value="admin.user_disabled"' in page.text
    year = {"date_from": "2025-01-01", "date_to": "2025-12-31"}
    listed = await client.get("/dashboard/audit", params=year, headers=HTMX)
    assert listed.text.lstrip().startswith('<section id="audit-rows"')
    assert actions(listed.text) == ["auth.login", "admin.user_disabled", "booking.cancelled"]
    logins = await client.get("/dashboard/audit", params={"action": "auth.login"}, headers=HTMX)
    assert set(actions(logins.text)) == {"auth.login"}
    assert "A deleted or unknown account" in logins.text and ACTOR not in logins.text
    assert len(actions(logins.text)) == 2  # the admin's own login, and the old one
    by_actor = await client.get("/dashboard/audit", params={"actor_id": ACTOR}, headers=HTMX)
    assert actions(by_actor.text) == ["auth.login"]
    on_target = await client.get("/dashboard/audit", params={"target_id": TARGET}, headers=HTMX)
    assert actions(on_target.text) == ["admin.user_disabled"]
    day = {"date_from": "2025-02-01", "date_to": "2025-02-05"}
    assert actions((await client.get("/dashboard/audit", params=day)).text) == [
        "admin.user_disabled"
    ]
    literal = await client.get("/dashboard/audit", params={"actor_id": ".*"}, headers=HTMX)
    assert actions(literal.text) == [] and "No entries match these filters." in literal.text
    bad_filters = [
        {"action": ".*"},
        {"action": "auth"},
        {"date_from": "yesterday"},
        {"access": "everything"},
        {"person": "x" * 101},
        {"booking": "C" * 65},
    ]
    for bad in bad_filters:
        assert (await client.get("/dashboard/audit", params=bad)).status_code == 400

    now = datetime.now(UTC)
    await database["audit_log"].insert_many(
        [
            {"at": now - timedelta(seconds=n), "action": "test.bulk", "details": {}}
            for n in range(120)
        ]
    )
    huge = await client.get("/dashboard/audit", params={"action": "test.bulk", "size": 5000})
    assert "1–100 of 120 entries" in huge.text and len(actions(huge.text)) == 100


@pytest.mark.usefixtures("admin", "ledger")
async def test_the_payments_ledger_filters_sorts_and_totals(
    client: Client, database: Database
) -> None:
    page = await client.get("/dashboard/payments")
    assert page.status_code == 200 and 'hx-push-url="true"' in page.text
    assert len(rows(page.text)) == 6 and 'href="/dashboard/bookings/CV-BBB222"' in page.text
    assert 'data-total="paid">৳150<' in page.text
    assert 'data-total="refunded">৳30<' in page.text and 'data-total="net">৳120<' in page.text

    paid = await client.get("/dashboard/payments", params={"status": "paid"}, headers=HTMX)
    assert paid.text.lstrip().startswith('<section id="payment-rows"')
    assert sorted(rows(paid.text)) == [("due", 5_000), ("initial", 10_000)]
    refunds = await client.get("/dashboard/payments", params={"kind": "refund"}, headers=HTMX)
    assert sorted(rows(refunds.text)) == [("refund", 1_000), ("refund", 3_000)]
    assert 'data-total="paid">৳0<' in refunds.text
    dues = await client.get("/dashboard/payments", params={"kind": "due"}, headers=HTMX)
    assert rows(dues.text) == [("due", 5_000)]
    code = await client.get("/dashboard/payments", params={"code": " cv-aaa111 "}, headers=HTMX)
    assert sorted(rows(code.text)) == [("due", 5_000), ("initial", 10_000), ("refund", 3_000)]
    assert "CV-BBB222" not in code.text
    march = {"date_from": "2025-03-05", "date_to": "2025-03-10", "sort": "oldest"}
    in_march = await client.get("/dashboard/payments", params=march, headers=HTMX)
    assert rows(in_march.text) == [("due", 5_000), ("refund", 3_000), ("initial", 8_000)]
    biggest = await client.get("/dashboard/payments", params={"sort": "amount_desc"})
    amounts = [amount for _, amount in rows(biggest.text)]
    assert amounts == [10_000, 8_000, 5_000, 3_000, 2_000, 1_000]
    for bad in ({"sort": "created_at"}, {"status": "{'$ne': None}"}, {"kind": "gift"}):
        assert (await client.get("/dashboard/payments", params=bad)).status_code == 400

    when = at("2025-05-01", 4)
    await database["payments"].insert_many(
        [payment(f"CV-X{n:05d}", "initial", "paid", 100, when) for n in range(105)]
    )
    huge = await client.get("/dashboard/payments", params={"size": 5000, "page": 3})
    assert "1–100 of 111 rows" not in huge.text and "101–111 of 111 rows" in huge.text
    assert len(rows(huge.text)) == 11


@pytest.mark.usefixtures("admin", "history", "ledger")
async def test_patients_and_caregivers_see_neither_log_nor_ledger(client: Client) -> None:
    for email in ("amina@example.com", "carer@example.com"):
        client.cookies.clear()
        await log_in(client, email)
        for path in ("/dashboard/audit", "/dashboard/payments"):
            page = await client.get(path, headers=HTMX)
            assert page.status_code == 403
            assert "CV-AAA111" not in page.text and "203.0.113.7" not in page.text
