"""Input that once answered 500: each now gets a clear 4xx (or an empty result) instead."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.payments.events import sign
from carevia.settings import DEFAULT_WEBHOOK_SECRET
from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_form
from tests.support.payment_flows import signed

Database = AsyncDatabase[dict[str, Any]]
# Superscript two, Arabic-Indic five and Bangla five: `str.isdigit` says yes to each.
NON_ASCII_DIGITS = ("²", "٥", "৫")
EXTREME_DATES = ("9999-12-31", "0001-01-01")
BOOK = "/services/infant-day-care/book"


@pytest.fixture
async def patient(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory, seeded: int
) -> None:
    await make_user("amina@example.com")
    await make_caregiver("carer@example.com")
    await log_in(client, "amina@example.com")


@pytest.fixture
async def admin(client: Client, make_user: UserFactory) -> str:
    await make_user("admin@example.com", role="admin")
    await log_in(client, "admin@example.com")
    return await api_token(client, "admin@example.com")


async def post_booking(client: Client, **changes: str) -> Any:
    token = await csrf_token(client, BOOK)
    return await client.post(
        "/bookings", data={**booking_form(**changes), "_csrf_token": token}, follow_redirects=False
    )


async def test_a_quantity_that_is_not_a_plain_number_is_refused_on_the_form(
    client: Client, patient: None, database: Database
) -> None:
    for quantity in [*NON_ASCII_DIGITS, str(2**80)]:
        created = await post_booking(client, quantity=quantity)
        assert created.status_code == 422, quantity
        assert "Book between" in created.text
        for fragment in ("price", "times"):
            page = await client.get(f"{BOOK}/{fragment}", params=booking_form(quantity=quantity))
            assert page.status_code == 200, (fragment, quantity)
    assert await database["bookings"].count_documents({}) == 0


async def test_a_date_at_the_end_of_the_calendar_is_refused_on_the_form(
    client: Client, patient: None, database: Database
) -> None:
    for day in EXTREME_DATES:
        created = await post_booking(client, date=day)
        assert created.status_code == 422, day
        assert "date" in created.text.lower()
        price = await client.get(f"{BOOK}/price", params=booking_form(date=day))
        assert price.status_code == 200, day
        # The form and its times refuse a date outside the booking window, in words.
        for fragment in ("", "/times"):
            page = await client.get(f"{BOOK}{fragment}", params=booking_form(date=day))
            assert page.status_code == 422, (fragment, day)
            assert "That date has passed" in page.text or "Bookings open up to" in page.text
    assert await database["bookings"].count_documents({}) == 0


FILTERED_PAGES = (
    "/dashboard/bookings",
    "/dashboard/bookings.csv",
    "/dashboard/payments",
    "/dashboard/audit",
)


async def test_date_filters_at_the_end_of_the_calendar_filter_as_its_end_does(
    client: Client, admin: str
) -> None:
    for path in FILTERED_PAGES:
        for field in ("date_from", "date_to"):
            for day in EXTREME_DATES:
                page = await client.get(path, params={field: day})
                assert page.status_code == 200, (path, field, day)
                assert "Something went wrong" not in page.text


async def test_api_date_filters_at_the_end_of_the_calendar_filter_as_its_end_does(
    client: Client, admin: str
) -> None:
    for field in ("date_from", "date_to"):
        for day in EXTREME_DATES:
            answer = await client.get(
                "/api/v1/bookings",
                params={field: day},
                headers={"Authorization": f"Bearer {admin}"},
            )
            assert answer.status_code == 200, (field, day)
            assert answer.json()["total"] == 0


async def test_deeply_nested_json_is_a_bad_request(client: Client, admin: str) -> None:
    for path in ("/api/v1/auth/token", "/api/v1/bookings/CV-AAAAAA/refund"):
        for depth in (10_000, 990):
            body = '{"email": ' + "[" * depth + "]" * depth + "}"
            answer = await client.post(
                path,
                content=body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {admin}"},
            )
            assert answer.status_code == 400, (path, depth)
            assert answer.json()["error"]["code"] in ("bad_request", "validation_failed")


async def test_a_non_ascii_csrf_token_is_refused_not_a_crash(client: Client) -> None:
    genuine = await csrf_token(client)
    forged = genuine[:64] + "é" * (len(genuine) - 64)
    for where in ("form", "header", "cookie"):
        form = {"email": "amina@example.com", "password": "wrong", "_csrf_token": genuine}
        headers: dict[bytes, bytes] = {b"Content-Type": b"application/x-www-form-urlencoded"}
        if where == "form":
            form["_csrf_token"] = forged
        elif where == "header":
            del form["_csrf_token"]
            headers[b"x-csrftoken"] = forged.encode()
        else:
            headers[b"Cookie"] = f"csrftoken={forged}".encode()
        body = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        answer = await client.post("/login", content=body, headers=headers)
        assert answer.status_code == 403, where
        assert "Something went wrong" not in answer.text


WRONG_SHAPES: list[tuple[str, Any]] = [
    ("checkout.session.completed", {"id": "cs_test_1"}),
    ("checkout.session.completed", {"id": 7, "status": "complete", "payment_status": "paid"}),
    ("checkout.session.completed", {"id": "cs_test_1", "metadata": ["booking_code"]}),
    ("checkout.session.expired", "cs_test_1"),
    ("charge.refunded", {"payment_intent": "pi_test_1", "amount_refunded": "lots"}),
    ("charge.dispute.created", {"payment_intent": ["pi_test_1"]}),
    ("payment_intent.payment_failed", {"id": "pi_test_1", "last_payment_error": "declined"}),
]


async def test_a_signed_webhook_of_the_wrong_shape_is_refused_logged_and_audited(
    client: Client, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    for event_type, obj in WRONG_SHAPES:
        payload, headers = signed(event_type, obj)
        answer = await client.post("/webhooks/stripe", content=payload, headers=headers)
        assert answer.status_code == 400, (event_type, obj)
        assert answer.json()["error"]["code"] == "malformed_event"
        event_id = json.loads(payload)["id"]
        entry = await database["audit_log"].find_one({"target_id": event_id})
        assert entry is not None and entry["action"] == "payment.webhook_malformed"
        assert entry["details"]["event_type"] == event_type
        warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert any(event_id in message for message in warnings)
    assert await database["webhook_events"].count_documents({}) == 0


async def test_a_signed_body_that_is_not_an_event_is_refused_and_audited(
    client: Client, database: Database
) -> None:
    bodies = [b"[]", b'"event"', b'{"id": "evt_1"}', b'{"type": 1}']
    for body in bodies:
        headers = {"Stripe-Signature": sign(body, DEFAULT_WEBHOOK_SECRET)}
        answer = await client.post("/webhooks/stripe", content=body, headers=headers)
        assert answer.status_code == 400, body
    audited = {"action": "payment.webhook_malformed"}
    assert await database["audit_log"].count_documents(audited) == len(bodies)


async def test_a_notification_cursor_past_any_stored_id_is_refused(
    client: Client, admin: str
) -> None:
    for after in (str(2**63), str(2**80)):
        answer = await client.get(
            "/api/v1/notifications",
            params={"after": after},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert answer.status_code == 400, after
        assert "after" in answer.json()["error"]["fields"]
