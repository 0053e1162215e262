"""Booking for someone else: who needs care, saved people, and a copy kept on the booking."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId

from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_code, next_local_date, submit_booking
from tests.support.care import CARE_NEEDS, MOTHER, MOTHER_NAME, Database, leaked, save_mother
from tests.support.payment_flows import stored_booking

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> Any:
    await make_caregiver("shirin@example.com", rating=4.9)
    user = await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    return user.id


async def test_booking_for_someone_new_saves_them_and_keeps_its_own_copy(
    client: Client, database: Database, patient: ObjectId
) -> None:
    code = await booking_code(client, await submit_booking(client, **MOTHER))

    booking = await stored_booking(database, code)
    recipient = booking["recipient"]
    assert recipient["name"] == MOTHER_NAME and recipient["age"] == 72
    assert recipient["relationship"] == "mother"
    assert recipient["needs"] == CARE_NEEDS
    assert recipient["emergency_contact"] == {
        "name": "Farid Ahmed",
        "phone": "+8801812345678",
        "email": "farid@example.com",
        "visit_updates": True,
    }
    saved = await database["care_people"].find_one({"patient_id": patient})
    assert saved is not None and saved["_id"] == recipient["person_id"]
    people = await client.get("/account/people")
    assert MOTHER_NAME in people.text and "Mother" in people.text

    # Editing the saved person later does not rewrite the booking's history.
    token = await csrf_token(client, f"/account/people/{saved['_id']}/edit")
    edited = await client.post(
        f"/account/people/{saved['_id']}",
        data={**MOTHER, "medication": "Insulin at night", "_csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    assert (await stored_booking(database, code))["recipient"]["needs"] == CARE_NEEDS
    person_page = await client.get(f"/account/people/{saved['_id']}")
    assert "Insulin at night" in person_page.text


async def test_a_saved_person_is_offered_and_reused_without_a_second_copy(
    client: Client, database: Database, patient: ObjectId
) -> None:
    person_id = await save_mother(database, patient)
    form = await client.get("/services/infant-day-care/book")
    assert f'name="recipient" value="{person_id}"' in form.text
    assert "Who needs care?" in form.text

    code = await booking_code(client, await submit_booking(client, recipient=person_id))

    recipient = (await stored_booking(database, code))["recipient"]
    assert str(recipient["person_id"]) == person_id
    assert recipient["needs"] == CARE_NEEDS
    assert await database["care_people"].count_documents({"patient_id": patient}) == 1


async def test_someone_new_is_not_saved_when_asked_not_to_and_myself_has_no_recipient(
    client: Client, database: Database, patient: ObjectId
) -> None:
    once = await booking_code(client, await submit_booking(client, **MOTHER, dont_save="on"))
    mine = await booking_code(client, await submit_booking(client, start_time="15:00"))

    assert (await stored_booking(database, once))["recipient"]["person_id"] is None
    assert (await stored_booking(database, mine))["recipient"] is None
    assert await database["care_people"].count_documents({}) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"age": "121"}, "age", "from 0 to 120"),
        ({"age": "৭২"}, "age", "from 0 to 120"),
        ({"relationship": "landlord"}, "relationship", "how they are related"),
        ({"contact_phone": "12345"}, "contact_phone", "Bangladeshi mobile number"),
        ({"contact_email": ""}, "contact_visit_updates", "Add their email address"),
        ({"allergies": "x" * 1001}, "allergies", "Keep this to 1,000 characters"),
        ({"recipient": str(ObjectId())}, "recipient", "Choose one of the people"),
        ({"date": next_local_date(-1).isoformat()}, "date", ""),
    ],
)
async def test_a_refused_booking_keeps_the_form_and_stores_nothing(
    client: Client,
    database: Database,
    patient: ObjectId,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = await submit_booking(client, **{**MOTHER, **changes})

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert f'value="{MOTHER_NAME}"' in response.text  # what was typed stays in the form
    assert await database["bookings"].count_documents({}) == 0
    assert await database["care_people"].count_documents({}) == 0


async def test_someone_elses_saved_person_cannot_be_booked_for(
    client: Client, database: Database, patient: ObjectId, make_user: UserFactory
) -> None:
    other = await make_user("karim@example.com", first_name="Karim")
    theirs = await save_mother(database, other.id)

    response = await submit_booking(client, recipient=theirs)

    assert response.status_code == 422
    assert leaked(response.text) == []
    assert await database["bookings"].count_documents({}) == 0


async def test_people_i_care_for_are_added_checked_and_removed_without_touching_bookings(
    client: Client, database: Database, patient: ObjectId
) -> None:
    empty = await client.get("/account/people")
    assert "You have not saved anyone yet" in empty.text
    assert empty.headers["cache-control"] == "no-store"
    token = await csrf_token(client, "/account/people/new")
    person = {key: value for key, value in MOTHER.items() if key != "recipient"}

    refused = await client.post(
        "/account/people", data={**person, "age": "-1", "_csrf_token": token}
    )
    assert refused.status_code == 422 and 'id="age-error"' in refused.text
    assert await database["care_people"].count_documents({}) == 0

    added = await client.post(
        "/account/people", data={**person, "_csrf_token": token}, follow_redirects=False
    )
    assert added.status_code == 303
    saved = await database["care_people"].find_one({"patient_id": patient})
    assert saved is not None and saved["needs"] == CARE_NEEDS
    code = await booking_code(client, await submit_booking(client, recipient=str(saved["_id"])))

    removed = await client.post(
        f"/account/people/{saved['_id']}/delete",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert await database["care_people"].count_documents({}) == 0
    assert (await stored_booking(database, code))["recipient"]["needs"] == CARE_NEEDS
    assert (await client.get(f"/account/people/{saved['_id']}")).status_code == 404
