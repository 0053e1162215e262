"""The people a patient books care for, and the snapshot of one kept on a booking."""

from __future__ import annotations

from datetime import datetime

import msgspec
from bson import ObjectId

from carevia.domain.shared.text import Text

RELATIONSHIPS: dict[str, str] = {
    "mother": Text("Mother"),
    "father": Text("Father"),
    "child": Text("Child"),
    "spouse": Text("Spouse"),
    "grandparent": Text("Grandparent"),
    "sibling": Text("Brother or sister"),
    "other": Text("Other"),
}
# Free text a family writes for the caregiver; each note has its own cap.
NEEDS_MAX_CHARS = 1000
MYSELF = "myself"
SOMEONE_NEW = "new"


class CareNeeds(msgspec.Struct, frozen=True, kw_only=True):
    """Health details: shown only to the people the access rule names, never sent elsewhere."""

    mobility: str = ""
    conditions: str = ""
    allergies: str = ""
    medication: str = ""

    def any(self) -> bool:
        return bool(self.mobility or self.conditions or self.allergies or self.medication)


class EmergencyContact(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    phone: str
    email: str | None = None
    # The contact asked for visit updates by email; only kept when there is an email.
    visit_updates: bool = False


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """Who a booking is for, copied onto the booking so later edits do not rewrite it."""

    name: str
    age: int
    relationship: str
    needs: CareNeeds = msgspec.field(default_factory=CareNeeds)
    emergency_contact: EmergencyContact
    # The saved person it came from, if any.
    person_id: ObjectId | None = None

    @property
    def relationship_label(self) -> str:
        return RELATIONSHIPS.get(self.relationship, self.relationship.capitalize())


class CarePerson(msgspec.Struct, frozen=True, kw_only=True):
    """A person saved under "People I care for"."""

    id: ObjectId = msgspec.field(name="_id")
    patient_id: ObjectId
    name: str
    age: int
    relationship: str
    needs: CareNeeds = msgspec.field(default_factory=CareNeeds)
    emergency_contact: EmergencyContact
    created_at: datetime
    updated_at: datetime

    @property
    def relationship_label(self) -> str:
        return RELATIONSHIPS.get(self.relationship, self.relationship.capitalize())

    def snapshot(self) -> Recipient:
        return Recipient(
            name=self.name,
            age=self.age,
            relationship=self.relationship,
            needs=self.needs,
            emergency_contact=self.emergency_contact,
            person_id=self.id,
        )


class PersonForm(msgspec.Struct, frozen=True, kw_only=True):
    """A person's details as typed, on the people page or inline on the booking form."""

    name: str = ""
    age: str = ""
    relationship: str = ""
    mobility: str = ""
    conditions: str = ""
    allergies: str = ""
    medication: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_visit_updates: str = ""

    @classmethod
    def of(cls, person: CarePerson | Recipient) -> PersonForm:
        contact = person.emergency_contact
        return cls(
            name=person.name,
            age=str(person.age),
            relationship=person.relationship,
            mobility=person.needs.mobility,
            conditions=person.needs.conditions,
            allergies=person.needs.allergies,
            medication=person.needs.medication,
            contact_name=contact.name,
            contact_phone=contact.phone,
            contact_email=contact.email or "",
            contact_visit_updates="on" if contact.visit_updates else "",
        )


class RecipientChoice(msgspec.Struct, frozen=True, kw_only=True):
    """The booking form's "Who needs care?": myself, a saved person's id, or someone new."""

    recipient: str = MYSELF
    dont_save: str = ""
    person: PersonForm = msgspec.field(default_factory=PersonForm)

    @property
    def saves_new_person(self) -> bool:
        return self.recipient == SOMEONE_NEW and not self.dont_save
