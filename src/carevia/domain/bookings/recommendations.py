"""The caregivers "Recommended for you": ranked for one family's request, with reasons.

The scoring itself is the pure `caregivers.matching.score`; this module gathers what it
needs with a bounded number of queries (the person's past visits and their reviews, and the
free time of every candidate at the chosen start) and keeps the order in one place, which
the booking form shows and "Any available caregiver" takes its caregiver from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import msgspec
from bson import ObjectId

from carevia.domain.accounts import User
from carevia.domain.bookings.free_time import FreeTimes
from carevia.domain.bookings.models import BookingForm
from carevia.domain.bookings.pricing import DurationType
from carevia.domain.bookings.schedule import parse_date, parse_start_time
from carevia.domain.care.models import MYSELF, CarePerson, Recipient
from carevia.domain.caregivers import Caregiver
from carevia.domain.caregivers.matching import Match, MatchRequest, PastCare, rank
from carevia.domain.catalogue import Service
from carevia.domain.shared.text import Text

# Relationships read naturally after "your"; anyone else is called by name.
# The relationships the reasons name as "your ..."; anyone else by their name.
SAID_AS_YOUR: dict[str, Text] = {
    "mother": Text("your mother"),
    "father": Text("your father"),
    "child": Text("your child"),
    "spouse": Text("your spouse"),
    "grandparent": Text("your grandparent"),
}


class CareHistory(Protocol):
    async def past_care(
        self, patient_id: ObjectId, person_id: ObjectId | None, caregiver_ids: Sequence[ObjectId]
    ) -> dict[ObjectId, PastCare]: ...


class Who(msgspec.Struct, frozen=True, kw_only=True):
    """Whom the care is for, as the history is looked up and the reasons say it."""

    words: str = Text("you")
    person_id: ObjectId | None = None
    # Someone being added with this booking has no past visits to look up.
    known: bool = True


def who_of(recipient: Recipient | None) -> Who:
    if recipient is None:
        return Who()
    words = SAID_AS_YOUR.get(recipient.relationship or "", recipient.name)
    return Who(words=words, person_id=recipient.person_id, known=recipient.person_id is not None)


def who_chosen(choice: str, people: Sequence[CarePerson]) -> Who:
    """The form's "Who needs care?" answer: myself, a saved person's id, or someone new."""
    if choice in ("", MYSELF):
        return Who()
    person = next((p for p in people if str(p.id) == choice), None)
    return who_of(person.snapshot()) if person else Who(words=Text("them"), known=False)


class Recommended(msgspec.Struct, frozen=True, kw_only=True):
    caregiver: Caregiver
    match: Match
    # Whether free at the chosen start; None until a date and time are chosen.
    free: bool | None = None


class Recommender:
    def __init__(self, free_times: FreeTimes, history: CareHistory | None) -> None:
        self._free_times = free_times
        self._history = history

    async def rank(
        self,
        candidates: Sequence[Caregiver],
        service: Service,
        patient: User,
        who: Who,
        division: str,
    ) -> list[tuple[Caregiver, Match]]:
        """The candidates best first for this family; two queries for all of them."""
        request = MatchRequest(
            division=division,
            languages=tuple(service.requirements.languages),
            min_experience=service.requirements.min_experience_years,
            certifications=tuple(service.requirements.certifications),
            person=who.words,
        )
        past: dict[ObjectId, PastCare] = {}
        if self._history is not None and who.known and candidates:
            past = await self._history.past_care(
                patient.id, who.person_id, [c.id for c in candidates]
            )
        return rank(candidates, request, past)

    async def for_form(
        self,
        candidates: Sequence[Caregiver],
        service: Service,
        patient: User,
        who: Who,
        form: BookingForm,
    ) -> list[Recommended]:
        """The ranked cards: those free at the chosen time first, in score order."""
        ranked = await self.rank(candidates, service, patient, who, form.division)
        free = await self._free_at_chosen_time(candidates, service, form)
        cards = [
            Recommended(
                caregiver=caregiver,
                match=match,
                free=None if free is None else caregiver.id in free,
            )
            for caregiver, match in ranked
        ]
        # A stable sort keeps the score order within the free and the busy.
        return sorted(cards, key=lambda card: card.free is False)

    async def _free_at_chosen_time(
        self, candidates: Sequence[Caregiver], service: Service, form: BookingForm
    ) -> set[ObjectId] | None:
        day, start = parse_date(form.date), parse_start_time(form.start_time)
        if day is None or start is None or not candidates:
            return None
        duration: DurationType = "days" if form.duration_type == "days" else "hours"
        quantity = form.quantity_number() or (
            service.booking_rules.min_hours if duration == "hours" else 1
        )
        starts = await self._free_times.starts_on(candidates, day, duration, quantity)
        return {caregiver_id for caregiver_id, times in starts.items() if start in times}
