"""Sentences that say what really happens: how a booking is confirmed, and a deleted account."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.payment_flows import paid_booking
from tests.support.visible_text import visible_text

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]


async def test_every_service_says_it_is_confirmed_on_payment_as_every_booking_is(
    client: Client, database: Database
) -> None:
    # Paying confirms a booking at once whatever the service; none waits for a review.
    for instant in (True, False):
        service = await database["services"].find_one(
            {"booking_rules.instant_booking": instant, "status": "active"}
        )
        assert service is not None
        text = visible_text((await client.get(f"/services/{service['slug']}")).text)
        assert "Confirmed as soon as you pay" in text
        assert "after review" not in text
    help_text = visible_text((await client.get("/help")).text)
    assert "review" not in help_text.split("How do I book")[1].split("Why is my time")[0]


async def test_a_deleted_account_lands_on_a_page_that_says_so_and_what_became_of_the_data(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    token = await csrf_token(client, "/account/delete")
    deleted = await client.post(
        "/account/delete",
        data={"password": "calm-river-morning-42", "_csrf_token": token},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    landing = await client.get(deleted.headers["location"])
    text = visible_text(landing.text)
    assert "Your account has been deleted" in text
    assert "We erased your name, email address, phone number and address" in text
    assert "Records of past bookings and payments stay without your personal details" in text
    assert "Log in" in text  # signed out: the header offers to log in again
    home = visible_text((await client.get("/")).text)
    assert "Your account has been deleted" not in home


async def test_an_empty_refund_amount_never_refunds_everything(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    code, _ = await paid_booking(client, database)
    client.cookies.clear()
    await log_in(client, "admin@example.com")
    base = f"/dashboard/bookings/{code}"
    drawer = (await client.get(base)).text
    form = drawer.split(f'action="{base}/refund"')[1].split("</form>")[0]
    assert "placeholder" not in form  # nothing that looks like a filled-in amount
    assert 'name="scope" value="full"' in form and 'name="scope" value="partial"' in form
    token = await csrf_token(client, base)

    async def refund(**fields: str) -> Any:
        return await client.post(
            f"{base}/refund",
            data={"_csrf_token": token, **fields},
            headers={"HX-Request": "true", "x-csrftoken": token},
        )

    unchosen = await refund(amount="")
    assert unchosen.status_code == 422
    assert "Choose a full refund or a partial amount." in visible_text(unchosen.text)
    empty = await refund(scope="partial", amount=" ")
    assert empty.status_code == 422
    assert "Enter the amount to refund, or choose a full refund." in visible_text(empty.text)
    assert 'aria-invalid="true"' in empty.text
    assert await database["refunds"].count_documents({"booking_code": code}) == 0

    full = await refund(scope="full", amount="", reason="Visit not needed")
    assert full.status_code == 200
    booking = await database["bookings"].find_one({"code": code})
    stored = await database["refunds"].find_one({"booking_code": code})
    assert booking is not None and stored is not None
    assert (stored["amount"], stored["reason"]) == (booking["amount_paid"], "Visit not needed")
