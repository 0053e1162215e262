"""No page shows a person `None`, `null`, `undefined` or a framework's validation message.

The crawl covers each role's pages with real bookings behind them, one of them with empty
notes and paid in two halves, and addresses with values a person might mistype.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared.money import format_money
from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, next_local_date
from tests.support.html_validator import html_errors
from tests.support.mail import SMTPServer
from tests.support.page_sets import PUBLIC_PAGES as AUDITED_PUBLIC_PAGES
from tests.support.payment_flows import paid_booking, settle
from tests.support.payments import held_booking, pay_on_test_gateway
from tests.support.visible_text import leaks_in, visible_text

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.mails]
Database = AsyncDatabase[dict[str, Any]]

# Beyond the audited set: a later page of a filtered listing and a second service page.
PUBLIC_PAGES = [
    *AUDITED_PUBLIC_PAGES,
    "/services?category=elderly-care&division=Dhaka&sort=rating&page=2",
    "/services/infant-day-care",
]
BAD_INPUT_PAGES = [
    "/services?page=abc",
    "/services?page=-3",
    "/services?page=99999",
    "/services?min_rating=x",
    "/services?min_rating=9",
    "/services?sort=drop",
    "/services?division=Atlantis",
    "/services?category=%24ne",
    "/services/no-such-service",
    "/caregivers?min_rating=x",
    "/caregivers?free_on=9999-99-99",
    "/caregivers?page=99999&language=%24ne",
    "/reset-password?token=",
    "/verify-email?token=nonsense",
]


async def crawl(client: Client, who: str, paths: list[str], pages: dict[str, str]) -> list[str]:
    """Leaked words on each page; each page's HTML is kept in `pages` for the validator."""
    found = []
    for path in paths:
        response = await client.get(path)
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        pages[f"{who} {path}"] = response.text
        found += [f"{who} {path}: …{leak}…" for leak in leaks_in(response.text)]
    return found


@pytest.fixture
async def bookings(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, Any]:
    """A paid booking with empty notes (half paid, then the rest), and a held one with notes."""
    caregiver = await make_caregiver("shirin@example.com")
    await make_user("admin@example.com", role="admin")
    patient = await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    code, session_id = await paid_booking(client, database, notes="", payment_option="half")
    held, _ = await held_booking(client, start_time="16:00", notes="Ring twice")
    return {
        "caregiver": caregiver,
        "patient": patient.id,
        "code": code,
        "session_id": session_id,
        "held": held,
    }


async def test_anonymous_pages_and_mistyped_addresses_read_as_plain_text_in_valid_html(
    client: Client, tmp_path: Path
) -> None:
    pages: dict[str, str] = {}
    problems = await crawl(client, "visitor", PUBLIC_PAGES + BAD_INPUT_PAGES, pages)
    assert not problems, "\n".join(problems)
    errors = html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


async def test_a_mistyped_page_number_gets_a_plain_400_page(client: Client) -> None:
    response = await client.get("/services?page=abc")
    assert response.status_code == 400
    text = visible_text(response.text)
    assert "Page must be a whole number." in text
    assert "Expected" not in text and "`" not in text


async def test_the_api_names_the_field_in_plain_words(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("admin@example.com", role="admin")
    token = await api_token(client, "admin@example.com")
    response = await client.get(
        "/api/v1/bookings?page=abc", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page": "Page must be a whole number."}


async def test_patient_caregiver_and_admin_pages_read_as_plain_text_in_valid_html(
    client: Client,
    database: Database,
    smtp_server: SMTPServer,
    bookings: dict[str, Any],
    tmp_path: Path,
) -> None:
    code, held = bookings["code"], bookings["held"]
    patient_pages = [
        "/account",
        "/account/bookings",
        "/account/password",
        "/account/delete",
        f"/bookings/{code}",
        f"/bookings/{code}/receipt",
        f"/bookings/{code}/cancel",
        f"/bookings/{code}/move",
        f"/bookings/{code}/move?date={next_local_date(4).isoformat()}",
        f"/bookings/{held}",
        f"/checkout/success?session_id={bookings['session_id']}",
        f"/checkout/cancelled?booking={held}",
        "/services/infant-day-care/book",
        "/services/infant-day-care/book?date=not-a-date&quantity=lots",
    ]
    pages: dict[str, str] = {}
    problems = await crawl(client, "patient", patient_pages, pages)

    client.cookies.clear()
    await log_in(client, "shirin@example.com")
    caregiver_pages = [
        "/dashboard",
        "/dashboard/availability",
        "/dashboard/profile",
        f"/dashboard/bookings/{code}",
    ]
    problems += await crawl(client, "caregiver", caregiver_pages, pages)

    client.cookies.clear()
    await log_in(client, "admin@example.com")
    service = await database["services"].find_one({"slug": "infant-day-care"})
    assert service is not None
    admin_pages = [
        "/dashboard/overview",
        "/dashboard/bookings",
        "/dashboard/bookings?status=nonsense&date_from=yesterday&sort=drop&page=abc",
        f"/dashboard/bookings/{code}",
        f"/dashboard/bookings/{held}",
        "/dashboard/payments",
        "/dashboard/payments?page=abc",
        "/dashboard/services",
        "/dashboard/services/new",
        f"/dashboard/services/{service['slug']}/edit",
        "/dashboard/users",
        "/dashboard/users?role=caregiver",
        f"/dashboard/users/{bookings['caregiver']}",
        f"/dashboard/users/{bookings['patient']}",
        f"/dashboard/users/{ObjectId()}",
        "/dashboard/audit",
        "/dashboard/audit?page=abc",
    ]
    problems += await crawl(client, "admin", admin_pages, pages)
    for message in smtp_server.messages:
        for part in message.walk():
            if part.get_content_maintype() == "text":
                leaks = leaks_in(str(part.get_content()))
                problems += [f"email {message['Subject']}: …{leak}…" for leak in leaks]
    assert not problems, "\n".join(problems)
    errors = html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


async def test_empty_notes_read_as_no_notes_not_as_none(
    client: Client, bookings: dict[str, Any]
) -> None:
    code = bookings["code"]
    client.cookies.clear()
    await log_in(client, "admin@example.com")
    drawer = visible_text((await client.get(f"/dashboard/bookings/{code}")).text)
    assert "Notes No notes from the patient" in drawer
    client.cookies.clear()
    await log_in(client, "shirin@example.com")
    visit = visible_text((await client.get(f"/dashboard/bookings/{code}")).text)
    assert "Notes No notes from the patient" in visit
    with_notes = visible_text((await client.get(f"/dashboard/bookings/{bookings['held']}")).text)
    assert "Notes Ring twice" in with_notes


async def test_paying_the_due_half_thanks_for_that_half_not_the_total(
    client: Client, database: Database, bookings: dict[str, Any]
) -> None:
    code = bookings["code"]
    first = visible_text(
        (await client.get(f"/checkout/success?session_id={bookings['session_id']}")).text
    )
    booking = await database["bookings"].find_one({"code": code})
    assert booking is not None
    total, half = booking["price"]["total"], booking["amount_paid"]
    assert half < total
    assert f"We received {format_money(half, 'BDT')}" in first

    due = await client.post(
        f"/bookings/{code}/pay-due",
        data={"_csrf_token": await csrf_token(client, f"/bookings/{code}")},
        follow_redirects=False,
    )
    session_id = due.headers["location"].rsplit("/", 1)[-1]
    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    paid = await settle(database, code, amount_paid=total)
    assert paid["amount_paid"] == total
    second = visible_text((await client.get(f"/checkout/success?session_id={session_id}")).text)
    assert f"We received {format_money(total - half, 'BDT')}" in second
    assert f"We received {format_money(total, 'BDT')}" not in second
