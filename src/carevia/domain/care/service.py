"""People I care for: a patient's saved people, and choosing who a booking is for."""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId

from carevia.domain.accounts import User
from carevia.domain.care.models import (
    MYSELF,
    SOMEONE_NEW,
    CarePerson,
    PersonForm,
    Recipient,
    RecipientChoice,
)
from carevia.domain.care.repository import CarePeopleRepository
from carevia.domain.care.validation import clean_person
from carevia.domain.shared import Forbidden, Invalid, NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.text import Text

MAX_PEOPLE = 20
PERSON_NOT_FOUND = Text("We could not find that person.")
CHOOSE_AGAIN = Text("Choose one of the people you care for, yourself, or someone new.")


class CarePeople:
    def __init__(self, people: CarePeopleRepository, clock: Clock = utc_now) -> None:
        self._people = people
        self._clock = clock

    async def of_patient(self, patient: User) -> list[CarePerson]:
        _require_patient(patient)
        return await self._people.of_patient(patient.id, MAX_PEOPLE)

    async def choices_for(self, user: User) -> list[CarePerson]:
        """The people a booking form offers; none for accounts that cannot book."""
        return await self.of_patient(user) if user.role == "patient" else []

    async def get(self, patient: User, person_id: str) -> CarePerson:
        _require_patient(patient)
        person = await self._find(patient, person_id)
        if person is None:
            raise NotFound(PERSON_NOT_FOUND)
        return person

    async def add(self, patient: User, form: PersonForm) -> CarePerson:
        _require_patient(patient)
        recipient, errors = clean_person(form)
        if recipient is None:
            raise Invalid(errors)
        await self._check_room(patient)
        return await self._people.add(patient.id, ObjectId(), recipient, self._clock())

    async def update(self, patient: User, person_id: str, form: PersonForm) -> CarePerson:
        """Changes the saved person; bookings keep the details they were made with."""
        person = await self.get(patient, person_id)
        recipient, errors = clean_person(form)
        if recipient is None:
            raise Invalid(errors)
        if not await self._people.replace_details(patient.id, person.id, recipient, self._clock()):
            raise NotFound(PERSON_NOT_FOUND)
        return await self.get(patient, person_id)

    async def remove(self, patient: User, person_id: str) -> None:
        person = await self.get(patient, person_id)
        await self._people.remove(patient.id, person.id)

    async def choose(
        self, patient: User, choice: RecipientChoice
    ) -> tuple[Recipient | None, dict[str, str]]:
        """Who a new booking is for: None for the patient themself, and any field errors.

        Someone new gets their saved id now, so the booking's copy points at the person
        that `keep_new` saves once the booking is held.
        """
        if choice.recipient in ("", MYSELF):
            return None, {}
        if choice.recipient == SOMEONE_NEW:
            recipient, errors = clean_person(
                choice.person, ObjectId() if choice.saves_new_person else None
            )
            full = recipient is not None and choice.saves_new_person and await self._full(patient)
            return (None, {"dont_save": _FULL}) if full else (recipient, errors)
        person = await self._find(patient, choice.recipient)
        if person is None:
            return None, {"recipient": CHOOSE_AGAIN}
        return person.snapshot(), {}

    async def keep_new(self, patient: User, recipient: Recipient | None) -> None:
        """Saves someone new after their booking is held; nothing for a saved person or none."""
        if recipient is None or recipient.person_id is None:
            return
        if await self._people.get_of(patient.id, recipient.person_id) is None:
            await self._people.add(patient.id, recipient.person_id, recipient, self._clock())

    async def forget_patient(self, patient_id: ObjectId) -> int:
        return await self._people.forget_patient(patient_id)

    async def _find(self, patient: User, person_id: str) -> CarePerson | None:
        try:
            return await self._people.get_of(patient.id, ObjectId(person_id))
        except (InvalidId, TypeError):
            return None

    async def _full(self, patient: User) -> bool:
        return await self._people.count_of(patient.id) >= MAX_PEOPLE

    async def _check_room(self, patient: User) -> None:
        if await self._full(patient):
            raise Invalid({"name": _FULL})


_FULL = Text(
    "You can keep up to %(num)d people. Remove one you no longer book for first.", num=MAX_PEOPLE
)


def _require_patient(user: User) -> None:
    if user.role != "patient":
        raise Forbidden(Text("Only patient accounts keep people they care for."))
