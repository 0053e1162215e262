"""Reviews: one per completed booking, the 14-day edit window, one reply, and audited hiding."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bson import ObjectId

from carevia.domain.bookings.models import BookingStatus
from carevia.domain.reviews import ReviewForm
from carevia.domain.shared import Conflict
from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.reviews import (
    Database,
    MovableClock,
    past_booking,
    reviews_at,
    stored_summary,
)

GOOD = {"stars": "4", "title": "Kind and punctual", "text": "She came on time and was gentle."}


@pytest.fixture
async def people(
    seeded: int, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, Any]:
    return {
        "amina": await make_user("amina@example.com"),
        "karim": await make_user("karim@example.com", first_name="Karim"),
        "admin": await make_user("admin@example.com", role="admin"),
        "shirin": await make_caregiver("shirin@example.com", rating=0),
    }


async def post_review(client: Client, code: str, form: dict[str, str], **headers: str) -> Any:
    token = await csrf_token(client, f"/bookings/{code}")
    return await client.post(
        f"/bookings/{code}/review",
        data={**form, "_csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )


async def test_no_review_for_a_booking_that_is_not_completed(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    await log_in(client, "amina@example.com")
    statuses: tuple[BookingStatus, ...] = (
        "pending_payment",
        "confirmed",
        "in_progress",
        "expired",
        "cancelled",
    )
    for days_ago, status in enumerate(statuses, start=2):
        booking = await past_booking(
            database, people["amina"], people["shirin"], status=status, days_ago=days_ago
        )
        page = await client.get(f"/bookings/{booking.code}")
        assert "Leave a review" not in page.text
        response = await post_review(client, booking.code, GOOD)
        assert response.status_code == 422, status
        assert "once the visit is completed" in response.text
    assert await database["reviews"].count_documents({}) == 0


async def test_one_review_per_completed_booking(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    booking = await past_booking(database, people["amina"], people["shirin"])
    await log_in(client, "amina@example.com")
    assert "Leave a review" in (await client.get(f"/bookings/{booking.code}")).text
    created = await post_review(client, booking.code, GOOD)
    assert created.status_code == 303
    page = await client.get(created.headers["location"])
    assert "Your review is published" in page.text and "Kind and punctual" in page.text
    assert ">Edit</a>" in page.text and "Leave a review" not in page.text
    # Posting again changes the one review rather than adding a second.
    again = await post_review(client, booking.code, {**GOOD, "stars": "5"})
    assert again.status_code == 303
    assert await database["reviews"].count_documents({"booking_id": booking.id}) == 1
    assert (await stored_summary(database, "caregivers", people["shirin"]))["distribution"] == [
        0,
        0,
        0,
        0,
        1,
    ]
    # Two writers racing past the check meet the unique index on the booking.
    stored = await database["reviews"].find_one({"booking_id": booking.id})
    assert stored is not None
    duplicate = {**stored, "_id": ObjectId()}
    with pytest.raises(Exception, match="duplicate key"):
        await database["reviews"].insert_one(duplicate)


async def test_the_caregiver_hears_of_a_new_review_once_and_the_patient_stream_does_not(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    booking = await past_booking(database, people["amina"], people["shirin"])
    await log_in(client, "amina@example.com")
    assert (await post_review(client, booking.code, GOOD)).status_code == 303
    # An edit is not news: still one mail and one live notice.
    assert (await post_review(client, booking.code, {**GOOD, "stars": "5"})).status_code == 303
    mails = await database["mail_outbox"].find({"template": "review_received"}).to_list()
    assert [mail["to"] for mail in mails] == ["shirin@example.com"]
    notices = await database["notifications"].find({"event": "review.created"}).to_list()
    assert len(notices) == 1
    notice = notices[0]
    assert notice["caregiver_id"] == people["shirin"] and notice.get("patient_id") is None
    assert notice["data"] == {"code": booking.code, "stars": 4}


async def test_someone_elses_booking_cannot_be_reviewed(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    booking = await past_booking(database, people["amina"], people["shirin"])
    await log_in(client, "karim@example.com")
    response = await post_review(client, "CV-AAAAAA", GOOD)  # the token page is any booking
    assert response.status_code == 404
    token = await csrf_token(client, "/account")
    stolen = await client.post(
        f"/bookings/{booking.code}/review", data={**GOOD, "_csrf_token": token}
    )
    assert stolen.status_code == 404
    assert await database["reviews"].count_documents({}) == 0


async def test_bad_input_comes_back_with_what_was_typed(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    booking = await past_booking(database, people["amina"], people["shirin"])
    await log_in(client, "amina@example.com")
    form = {"stars": "6", "title": "x" * 121, "text": "Too short"}
    for headers in ({}, {"HX-Request": "true"}):
        response = await post_review(client, booking.code, form, **headers)
        assert response.status_code == 422
        assert "Please choose from 1 to 5 stars." in response.text
        assert "keep the title to 120 characters" in response.text
        assert "10 to 2,000 characters" in response.text
        assert ">Too short</textarea>" in response.text
        assert ("<html" in response.text) == (not headers)
    assert await database["reviews"].count_documents({}) == 0


async def test_a_review_can_be_edited_for_fourteen_days_only(
    database: Database, people: dict[str, Any]
) -> None:
    booking = await past_booking(database, people["amina"], people["shirin"])
    clock = MovableClock()
    reviews = reviews_at(database, clock)
    await reviews.submit(people["amina"], booking.code, ReviewForm(**GOOD))
    clock.move(days=13, hours=23)
    edited = await reviews.submit(
        people["amina"], booking.code, ReviewForm(**{**GOOD, "stars": "2"})
    )
    assert edited.stars == 2 and edited.edited_at == clock.now
    clock.move(hours=1)
    with pytest.raises(Conflict, match="14 days"):
        await reviews.submit(people["amina"], booking.code, ReviewForm(**GOOD))
    panel = await reviews.panel(people["amina"], booking)
    assert panel.review is not None and panel.review.stars == 2 and not panel.may_edit
    assert (await stored_summary(database, "caregivers", people["shirin"]))["average"] == 2.0


async def test_the_caregiver_replies_once(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    booking = await past_booking(database, people["amina"], people["shirin"])
    review = await reviews_at(database, MovableClock()).submit(
        people["amina"], booking.code, ReviewForm(**GOOD)
    )
    await log_in(client, "shirin@example.com")
    listing = await client.get("/dashboard/reviews")
    assert "Kind and punctual" in listing.text and 'name="reply"' in listing.text
    token = await csrf_token(client, "/dashboard/reviews")
    path = f"/dashboard/reviews/{review.id}/reply"
    first = await client.post(path, data={"reply": "Thank you, Amina!", "_csrf_token": token})
    assert first.status_code == 200 and "Thank you, Amina!" in first.text
    second = await client.post(path, data={"reply": "Again", "_csrf_token": token})
    assert second.status_code == 409
    stored = await database["reviews"].find_one({"_id": review.id})
    assert stored is not None and stored["reply"]["text"] == "Thank you, Amina!"
    profile = await client.get(f"/caregivers/{people['shirin']}")
    assert "Thank you, Amina!" in profile.text


async def test_hiding_is_audited_and_leaves_the_summaries(
    client: Client, database: Database, people: dict[str, Any]
) -> None:
    booking = await past_booking(database, people["amina"], people["shirin"])
    review = await reviews_at(database, MovableClock()).submit(
        people["amina"], booking.code, ReviewForm(**GOOD)
    )
    assert (await stored_summary(database, "caregivers", people["shirin"]))["count"] == 1
    await log_in(client, "admin@example.com")
    token = await csrf_token(client, "/dashboard/reviews")
    path = f"/dashboard/reviews/{review.id}"
    refused = await client.post(f"{path}/hide", data={"reason": "", "_csrf_token": token})
    assert refused.status_code == 422 and "give a reason" in refused.text
    hidden = await client.post(
        f"{path}/hide", data={"reason": "Names a phone number", "_csrf_token": token}
    )
    assert hidden.status_code == 200 and "Hidden: Names a phone number" in hidden.text
    entry = await database["audit_log"].find_one({"action": "admin.review_hidden"})
    assert entry is not None and entry["target_id"] == str(review.id)
    assert entry["actor_id"] == str(people["admin"].id)
    assert entry["details"]["reason"] == "Names a phone number"
    for collection, subject in (("caregivers", people["shirin"]), ("services", booking.service_id)):
        assert await stored_summary(database, collection, subject) == {
            "average": 0.0,
            "count": 0,
            "distribution": [0, 0, 0, 0, 0],
        }
    profile = await client.get(f"/caregivers/{people['shirin']}")
    assert "Kind and punctual" not in profile.text and "No reviews yet" in profile.text
    shown = await client.post(f"{path}/unhide", data={"reason": "Edited", "_csrf_token": token})
    assert shown.status_code == 200
    assert (await stored_summary(database, "caregivers", people["shirin"]))["count"] == 1
    assert await database["audit_log"].count_documents({"action": "admin.review_unhidden"}) == 1
    client.cookies.clear()
    await log_in(client, "shirin@example.com")
    token = await csrf_token(client, "/dashboard/reviews")
    forbidden = await client.post(f"{path}/hide", data={"reason": "Unfair", "_csrf_token": token})
    assert forbidden.status_code == 403
    assert re.search(
        r"Kind and punctual", (await client.get(f"/caregivers/{people['shirin']}")).text
    )
