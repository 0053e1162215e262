"""The caregivers the public sees: verified profiles whose accounts may still act.

A disabled or deleted account keeps its verified profile (bookings and reviews point at it),
so every public list and profile asks the accounts which of them are active.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId

from carevia.domain.accounts import UserRepository
from carevia.domain.caregivers.directory import DirectoryFilter
from carevia.domain.caregivers.models import Caregiver
from carevia.domain.caregivers.repository import CaregiverRepository
from carevia.domain.caregivers.service import UNKNOWN_CAREGIVER
from carevia.domain.catalogue.known_names import known_names
from carevia.domain.catalogue.models import Category
from carevia.domain.shared import Invalid, NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.pagination import Page, clamp_page
from carevia.domain.shared.text import Text

DIRECTORY_PAGE_SIZE = 12
# The directory is not about one service, so "free" means free for the shortest visit the
# catalogue sells; a service page asks for that service's own minimum instead.
DIRECTORY_VISIT_HOURS = 3
NEXT_FREE_DAYS = 14


class FreeTimeLookup(Protocol):
    """Free time as the booking rules see it (working hours, days off, held time)."""

    async def next_free(
        self, caregivers: Sequence[Caregiver], hours: int, days: int = ...
    ) -> dict[ObjectId, datetime | None]: ...

    async def free_on(
        self, caregivers: Sequence[Caregiver], day: date, hours: int
    ) -> set[ObjectId]: ...


class CaregiverCard(msgspec.Struct, frozen=True):
    """A caregiver as a card shows them: the profile and their next free start (UTC)."""

    caregiver: Caregiver
    next_free: datetime | None


class CaregiverListings:
    def __init__(
        self,
        caregivers: CaregiverRepository,
        users: UserRepository,
        free_times: FreeTimeLookup,
        timezone: str,
        max_days_ahead: int,
        clock: Clock = utc_now,
    ) -> None:
        self._caregivers = caregivers
        self._users = users
        self._free_times = free_times
        self._timezone = timezone
        self._max_days_ahead = max_days_ahead
        self._clock = clock

    async def profile(self, caregiver_id: str) -> Caregiver:
        """A listed caregiver; anyone else looks the same as an unknown id."""
        caregiver = await self._caregivers.get(caregiver_id)
        if caregiver is None or not caregiver.verified:
            raise NotFound(UNKNOWN_CAREGIVER)
        if caregiver.id not in await self._users.active_among([caregiver.id]):
            raise NotFound(UNKNOWN_CAREGIVER)
        return caregiver

    async def offering(self, category: Category, visit_hours: int) -> list[CaregiverCard]:
        """Every listed caregiver offering `category`, best rated first, as cards."""
        verified = await self._caregivers.candidates(category, None)
        active = await self._users.active_among([c.id for c in verified])
        return await self._cards([c for c in verified if c.id in active], visit_hours)

    async def browse(self, wanted: DirectoryFilter, page: int) -> Page[CaregiverCard]:
        """One page of the directory; a "free on" date is checked against the bookings."""
        listed = await self._listed_ids()
        if wanted.free_on is None:
            total = await self._caregivers.directory_count(listed, wanted)
            request = clamp_page(page, total, DIRECTORY_PAGE_SIZE)
            found = await self._caregivers.directory_page(
                listed, wanted, request.skip, request.size
            )
        else:
            self._check_bookable(wanted.free_on)
            matching = await self._caregivers.directory_all(listed, wanted)
            free = await self._free_times.free_on(matching, wanted.free_on, DIRECTORY_VISIT_HOURS)
            matching = [c for c in matching if c.id in free]
            total = len(matching)
            request = clamp_page(page, total, DIRECTORY_PAGE_SIZE)
            found = matching[request.skip : request.skip + request.size]
        cards = await self._cards(found, DIRECTORY_VISIT_HOURS)
        return Page(items=cards, number=request.number, size=request.size, total=total)

    async def languages(self) -> dict[str, str]:
        """Each language listed caregivers speak, as typed, with its name for the reader."""
        typed = await self._caregivers.listed_languages()
        return dict(zip(typed, known_names(typed), strict=True))

    async def sitemap_entries(self) -> list[tuple[ObjectId, datetime]]:
        return await self._caregivers.sitemap_entries(await self._listed_ids())

    async def _listed_ids(self) -> list[ObjectId]:
        verified = await self._caregivers.ids_where_verified(True)
        return sorted(await self._users.active_among(verified))

    async def _cards(self, caregivers: list[Caregiver], hours: int) -> list[CaregiverCard]:
        next_free = await self._free_times.next_free(caregivers, hours, NEXT_FREE_DAYS)
        return [CaregiverCard(c, next_free.get(c.id)) for c in caregivers]

    def _check_bookable(self, day: date) -> None:
        today = self._clock().astimezone(ZoneInfo(self._timezone)).date()
        if not today <= day <= today + timedelta(days=self._max_days_ahead):
            raise Invalid(
                {
                    "free_on": Text(
                        "Choose a date from today up to %(days)d days ahead.",
                        days=self._max_days_ahead,
                    )
                },
                Text("Some filters could not be used."),
            )
