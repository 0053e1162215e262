"""A mother booked for by her son or daughter, with care needs that must stay private.

The care-needs values are also on the log-privacy denylist, so any of them reaching a log
record anywhere in the suite fails the run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.care import CareNeeds, EmergencyContact, Recipient
from carevia.domain.care.repository import CarePeopleRepository

Database = AsyncDatabase[dict[str, Any]]
CARE_NEEDS = {
    "mobility": "Walks with a frame; two people on the stairs",
    "conditions": "Type two diabetes and mild dementia",
    "allergies": "Penicillin gives her a rash",
    "medication": "Metformin 500 mg after breakfast",
}
MOTHER_NAME = "Monowara Begum"
MOTHER = {
    "recipient": "new",
    "name": MOTHER_NAME,
    "age": "72",
    "relationship": "mother",
    **CARE_NEEDS,
    "contact_name": "Farid Ahmed",
    "contact_phone": "01812 345678",
    "contact_email": "farid@example.com",
    "contact_visit_updates": "on",
}
SENTINELS = (*CARE_NEEDS.values(), MOTHER_NAME)


def mother() -> Recipient:
    return Recipient(
        name=MOTHER_NAME,
        age=72,
        relationship="mother",
        needs=CareNeeds(**CARE_NEEDS),
        emergency_contact=EmergencyContact(
            name="Farid Ahmed", phone="+8801812345678", email="farid@example.com"
        ),
    )


async def save_mother(database: Database, patient_id: ObjectId) -> str:
    """Saves the mother under the patient's people; her id."""
    person = await CarePeopleRepository(database).add(
        patient_id, ObjectId(), mother(), datetime.now(UTC)
    )
    return str(person.id)


def leaked(text: str) -> list[str]:
    """The care-needs values (and the recipient's name) found in `text`."""
    return [value for value in SENTINELS if value in text]
