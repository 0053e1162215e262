"""Recommended for you on the booking form, and "Any available caregiver" as the best match."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bson import ObjectId
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient, monitoring

from carevia.domain.accounts import User
from carevia.domain.bookings import BookingRepository
from carevia.domain.reviews import ReviewForm, ReviewRepository
from carevia.domain.reviews.care_history import CareHistoryReader
from carevia.domain.shared.documents import to_document
from tests.support.accounts import UserFactory, log_in
from tests.support.bookings import CaregiverFactory, next_local_date, submit_booking
from tests.support.care import mother, save_mother
from tests.support.listings import Database
from tests.support.payment_flows import stored_booking
from tests.support.reviews import MovableClock, past_booking, reviews_at

Client = AsyncTestClient[Litestar]
pytestmark = pytest.mark.usefixtures("seeded")
CARD = re.compile(
    r'<label class="choice-card[^"]*">\s*<input type="radio" name="caregiver_id" '
    r'value="([0-9a-f]{24})".*?<span class="match-reasons">(.*?)</span>',
    re.S,
)


async def cared_for_mother(
    database: Database, patient: User, caregiver_id: ObjectId, person_id: str
) -> None:
    """A completed visit of the caregiver to the patient's mother, reviewed with 5 stars."""
    visit = await past_booking(database, patient, caregiver_id, days_ago=10)
    recipient = to_document(mother())
    recipient["person_id"] = ObjectId(person_id)
    await database["bookings"].update_one({"_id": visit.id}, {"$set": {"recipient": recipient}})
    form = ReviewForm(stars="5", title="Kind", text="She was gentle with my mother.")
    await reviews_at(database, MovableClock()).submit(patient, visit.code, form)


@pytest.fixture
async def family(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, Any]:
    """Amina signed in; Shirin rated best, and Nasrin, who has cared for Amina's mother."""
    shirin = await make_caregiver("shirin@example.com", rating=5.0, name="Shirin Akhter")
    nasrin = await make_caregiver("nasrin@example.com", rating=4.6, name="Nasrin Sultana")
    amina = await make_user("amina@example.com")
    person = await save_mother(database, amina.id)
    await cared_for_mother(database, amina, nasrin, person)
    # The review above rebuilt Nasrin's summary from her one real review; give her many more.
    await database["caregivers"].update_one(
        {"_id": nasrin}, {"$set": {"rating": {"average": 4.6, "count": 10}}}
    )
    await log_in(client, "amina@example.com")
    return {"shirin": str(shirin), "nasrin": str(nasrin), "mother": person}


def cards(html: str) -> list[tuple[str, str]]:
    return CARD.findall(html)


async def test_the_form_ranks_the_caregiver_who_cared_for_the_person_first_with_reasons(
    client: Client, family: dict[str, Any]
) -> None:
    day = next_local_date().isoformat()
    query = {"recipient": family["mother"], "date": day, "start_time": "10:00"}
    page = await client.get("/services/infant-day-care/book", params=query)

    assert page.status_code == 200
    assert "Recommended for you" in page.text
    ranked = cards(page.text)
    assert [caregiver for caregiver, _ in ranked] == [family["nasrin"], family["shirin"]]
    assert "Cared for your mother once, rated 5★" in ranked[0][1]
    assert ranked[0][1].startswith("Speaks Bangla")

    # Booking for oneself, no one has history: the better rated comes first.
    for_myself = await client.get(
        "/services/infant-day-care/book/caregivers",
        params={"recipient": "myself", "date": day, "start_time": "10:00"},
        headers={"HX-Request": "true"},
    )
    assert for_myself.status_code == 200
    assert [c for c, _ in cards(for_myself.text)] == [family["shirin"], family["nasrin"]]
    assert "Cared for" not in for_myself.text
    assert for_myself.text.count("Free at your time") == 2


async def test_a_caregiver_busy_at_the_chosen_time_is_listed_after_those_free(
    client: Client, database: Database, family: dict[str, Any]
) -> None:
    await submit_booking(client, caregiver_id=family["nasrin"], recipient="myself")
    page = await client.get(
        "/services/infant-day-care/book/caregivers",
        params={
            "recipient": family["mother"],
            "date": next_local_date().isoformat(),
            "start_time": "10:00",
        },
    )
    assert [c for c, _ in cards(page.text)] == [family["shirin"], family["nasrin"]]
    assert page.text.index("Not free at the chosen time") > page.text.index(family["shirin"])


async def test_any_available_caregiver_is_the_best_match_not_the_best_rated(
    client: Client, database: Database, family: dict[str, Any]
) -> None:
    response = await submit_booking(client, caregiver_id="any", recipient=family["mother"])

    assert response.status_code == 303
    held = await database["bookings"].find_one({"status": "pending_payment"})
    assert held is not None
    booking = await stored_booking(database, held["code"])
    assert str(booking["caregiver_id"]) == family["nasrin"]


class FindCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.finds = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.finds += event.command_name == "find"

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_the_history_of_every_candidate_is_read_with_two_queries(
    mongo_uri: str, database_name: str, family: dict[str, Any], database: Database
) -> None:
    amina = await database["users"].find_one({"email": "amina@example.com"})
    assert amina is not None
    counter = FindCounter()
    async with AsyncMongoClient[dict[str, Any]](
        mongo_uri, tz_aware=True, event_listeners=[counter]
    ) as client:
        watched = client[database_name]
        reader = CareHistoryReader(BookingRepository(watched), ReviewRepository(watched))
        for many in (2, 200):
            counter.finds = 0
            candidates = [ObjectId(family["nasrin"]), *(ObjectId() for _ in range(many - 1))]
            past = await reader.past_care(amina["_id"], ObjectId(family["mother"]), candidates)
            assert counter.finds == 2
            assert past[ObjectId(family["nasrin"])].visits == 1
            assert past[ObjectId(family["nasrin"])].stars == (5,)
