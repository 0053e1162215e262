"""The only code that touches the saved people of patients."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.care.models import CarePerson, Recipient
from carevia.domain.shared.documents import from_document, to_document

CARE_PEOPLE = "care_people"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    CARE_PEOPLE: [IndexModel([("patient_id", 1), ("created_at", 1)])],
}


def _details(recipient: Recipient) -> dict[str, Any]:
    document = to_document(recipient)
    document.pop("person_id", None)
    return document


class CarePeopleRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._people = database[CARE_PEOPLE]

    async def of_patient(self, patient_id: ObjectId, limit: int) -> list[CarePerson]:
        cursor = self._people.find({"patient_id": patient_id}).sort("created_at", 1).limit(limit)
        return [from_document(document, CarePerson) async for document in cursor]

    async def count_of(self, patient_id: ObjectId) -> int:
        return await self._people.count_documents({"patient_id": patient_id})

    async def get_of(self, patient_id: ObjectId, person_id: ObjectId) -> CarePerson | None:
        document = await self._people.find_one({"_id": person_id, "patient_id": patient_id})
        return None if document is None else from_document(document, CarePerson)

    async def add(
        self, patient_id: ObjectId, person_id: ObjectId, recipient: Recipient, now: datetime
    ) -> CarePerson:
        person = CarePerson(
            id=person_id,
            patient_id=patient_id,
            name=recipient.name,
            age=recipient.age,
            relationship=recipient.relationship,
            needs=recipient.needs,
            emergency_contact=recipient.emergency_contact,
            created_at=now,
            updated_at=now,
        )
        await self._people.insert_one(to_document(person))
        return person

    async def replace_details(
        self, patient_id: ObjectId, person_id: ObjectId, recipient: Recipient, now: datetime
    ) -> bool:
        result = await self._people.update_one(
            {"_id": person_id, "patient_id": patient_id},
            {"$set": {**_details(recipient), "updated_at": now}},
        )
        return result.matched_count == 1

    async def remove(self, patient_id: ObjectId, person_id: ObjectId) -> bool:
        result = await self._people.delete_one({"_id": person_id, "patient_id": patient_id})
        return result.deleted_count == 1

    async def forget_patient(self, patient_id: ObjectId) -> int:
        result = await self._people.delete_many({"patient_id": patient_id})
        return result.deleted_count
