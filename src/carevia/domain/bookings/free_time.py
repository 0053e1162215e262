"""When caregivers are free: working hours, days off, and the time other bookings hold.

The booking form's start times, the cards' "next free" time and the directory's "free on a
date" filter all ask the same question of one caregiver at one start, answered by `free_at`.
Each answer for many caregivers reads their held time with one query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId

from carevia.domain.bookings.pricing import DurationType
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.bookings.schedule import SLOT, day_part, interval, local_start, slots
from carevia.domain.caregivers import Caregiver
from carevia.domain.shared.clock import Clock, utc_now

STARTS_PER_DAY = 48
# Answers kept per process (months of free days, days of free starts), the least recently
# asked dropped first.
FREE_DAYS_KEPT = 256
Answer = TypeVar("Answer")
# A caregiver's whole record (hours, days off, ids) as bytes, to key what was worked out.
_AS_KEY = msgspec.msgpack.Encoder(enc_hook=str)


def free_at(
    caregiver: Caregiver,
    begins: datetime,
    duration: DurationType,
    quantity: int,
    taken: set[datetime],
) -> bool:
    """Whether a visit starting at local `begins` lies in working time and is not held."""
    starts_at, ends_at = interval(begins, duration, quantity)
    if not caregiver.works_during(begins, ends_at.astimezone(begins.tzinfo)):
        return False
    return not any(slot in taken for slot in slots(starts_at, ends_at))


class FreeTimes:
    """Free starts of many caregivers, counted from the minimum notice a booking needs."""

    def __init__(
        self,
        bookings: BookingRepository,
        timezone: str,
        min_notice_hours: int,
        clock: Clock = utc_now,
    ) -> None:
        self._bookings = bookings
        self._timezone = timezone
        self._min_notice = timedelta(hours=min_notice_hours)
        self._clock = clock
        self._free_days_known: _Kept[frozenset[date]] = _Kept()
        self._starts_known: _Kept[dict[ObjectId, tuple[time, ...]]] = _Kept()

    async def next_free(
        self, caregivers: Sequence[Caregiver], hours: int, days: int = 14
    ) -> dict[ObjectId, datetime | None]:
        """Each caregiver's first free start for `hours` in the next `days` days (UTC)."""
        zone = ZoneInfo(self._timezone)
        earliest = self._clock() + self._min_notice
        # Starts are on the half hour of the local clock, from the first one after `earliest`.
        local = earliest.astimezone(zone)
        first = local.replace(minute=0, second=0, microsecond=0)
        while first < local:
            first += SLOT
        last = local_start(local.date() + timedelta(days=days), time(0, 0), self._timezone)
        taken = await self._taken(caregivers, first, last + timedelta(hours=hours))
        found: dict[ObjectId, datetime | None] = {}
        for caregiver in caregivers:
            found[caregiver.id] = None
            begins = first.astimezone(UTC)
            while begins < last:
                if free_at(caregiver, begins.astimezone(zone), "hours", hours, taken[caregiver.id]):
                    found[caregiver.id] = begins
                    break
                begins += SLOT
        return found

    async def free_on(
        self, caregivers: Sequence[Caregiver], day: date, hours: int
    ) -> set[ObjectId]:
        """The caregivers with at least one free start for `hours` on the local `day`."""
        return {
            caregiver_id
            for caregiver_id, starts in (
                await self.starts_on(caregivers, day, "hours", hours)
            ).items()
            if starts
        }

    async def starts_on(
        self,
        caregivers: Sequence[Caregiver],
        day: date,
        duration: DurationType,
        quantity: int,
        *,
        night: bool = True,
    ) -> dict[ObjectId, list[time]]:
        """Each caregiver's free local start times on `day`, after the minimum notice.

        Without `night`, starts in the night part of the day (21:00 to 06:00) are left out.
        """
        first = local_start(day, time(0, 0), self._timezone)
        taken = await self._taken(
            caregivers, first, interval(first, duration, quantity)[1] + timedelta(days=1)
        )
        earliest = self._clock() + self._min_notice
        key = self._key("starts_on", caregivers, taken, earliest, day, duration, quantity, night)
        if (known := self._starts_known.get(key)) is not None:
            return {caregiver_id: list(times) for caregiver_id, times in known.items()}
        starts: dict[ObjectId, list[time]] = {c.id: [] for c in caregivers}
        for begins in self._day_starts(day, earliest, night):
            for caregiver in caregivers:
                if free_at(caregiver, begins, duration, quantity, taken[caregiver.id]):
                    starts[caregiver.id].append(begins.timetz().replace(tzinfo=None))
        self._starts_known.keep(key, {caregiver_id: tuple(t) for caregiver_id, t in starts.items()})
        return starts

    async def free_days(
        self,
        caregivers: Sequence[Caregiver],
        first_day: date,
        last_day: date,
        duration: DurationType,
        quantity: int,
        *,
        night: bool = True,
    ) -> set[date]:
        """The local days in [first_day, last_day] on which `starts_on` finds a free start.

        The held time of every caregiver over the whole span is read with one query, so a
        month costs one read however many caregivers there are.
        """
        if last_day < first_day:
            return set()
        begin = local_start(first_day, time(0, 0), self._timezone)
        end = interval(local_start(last_day, time(0, 0), self._timezone), duration, quantity)[1]
        taken = await self._taken(caregivers, begin, end + timedelta(days=1))
        earliest = self._clock() + self._min_notice
        key = self._key(
            "free_days", caregivers, taken, earliest, first_day, last_day, duration, quantity, night
        )
        if (known := self._free_days_known.get(key)) is not None:
            return set(known)
        free: set[date] = set()
        day = first_day
        while day <= last_day:
            if any(
                free_at(caregiver, begins, duration, quantity, taken[caregiver.id])
                for begins in self._day_starts(day, earliest, night)
                for caregiver in caregivers
            ):
                free.add(day)
            day += timedelta(days=1)
        self._free_days_known.keep(key, frozenset(free))
        return free

    def _key(
        self,
        kind: str,
        caregivers: Sequence[Caregiver],
        taken: dict[ObjectId, set[datetime]],
        earliest: datetime,
        *asked: object,
    ) -> tuple[object, ...]:
        """Everything an answer depends on. The same question asked again with nothing
        changed (as by each refused request of a burst for one time) is not worked out again."""
        return (
            kind,
            tuple(_AS_KEY.encode(caregiver) for caregiver in caregivers),
            tuple(tuple(sorted(taken[caregiver.id])) for caregiver in caregivers),
            self._whole_minute(earliest),
            *asked,
        )

    @staticmethod
    def _whole_minute(earliest: datetime) -> datetime:
        """`earliest` rounded up to the minute: starts are whole minutes, so a start is
        before `earliest` exactly when it is before this, and the key changes once a minute."""
        rounded = earliest.replace(second=0, microsecond=0)
        return rounded if rounded == earliest else rounded + timedelta(minutes=1)

    def _day_starts(self, day: date, earliest: datetime, night: bool) -> Iterator[datetime]:
        """The local half-hour starts of `day` that a booking may still take."""
        first = local_start(day, time(0, 0), self._timezone)
        for step in range(STARTS_PER_DAY):
            begins = first + step * SLOT
            if begins < earliest:
                continue
            if not night and day_part(begins.timetz().replace(tzinfo=None)) == "night":
                continue
            yield begins

    async def _taken(
        self, caregivers: Sequence[Caregiver], begin: datetime, end: datetime
    ) -> dict[ObjectId, set[datetime]]:
        if not caregivers:
            return {}
        return await self._bookings.claimed_slots(
            [c.id for c in caregivers], begin.astimezone(UTC), end.astimezone(UTC)
        )


class _Kept(Generic[Answer]):
    """Answers by key, at most `FREE_DAYS_KEPT`, the least recently asked dropped first."""

    def __init__(self) -> None:
        self._answers: OrderedDict[tuple[object, ...], Answer] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def keep(self, key: tuple[object, ...], answer: Answer) -> None:
        self._answers[key] = answer
        if len(self._answers) > FREE_DAYS_KEPT:
            self._answers.popitem(last=False)
