"""A weekly pattern of visits, booked at once as ordinary bookings linked by a series id."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId

from carevia.domain.shared.text import Text

PaymentPlan = Literal["whole", "weekly"]
ConflictChoice = Literal["ask", "skip", "other", "all_or_nothing"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = (
    Text("Monday"),
    Text("Tuesday"),
    Text("Wednesday"),
    Text("Thursday"),
    Text("Friday"),
    Text("Saturday"),
    Text("Sunday"),
)
SHORT_DAY_NAMES = (
    Text("Mon"),
    Text("Tue"),
    Text("Wed"),
    Text("Thu"),
    Text("Fri"),
    Text("Sat"),
    Text("Sun"),
)
WEEKDAY_NAMES = dict(zip(WEEKDAYS, DAY_NAMES, strict=True))
MAX_WEEKS = 12


class SeriesForm(msgspec.Struct, frozen=True, kw_only=True):
    """The weekly booking form as typed: one checkbox per weekday, the rest plain strings."""

    service: str = ""
    caregiver_id: str = ""
    mon: str = ""
    tue: str = ""
    wed: str = ""
    thu: str = ""
    fri: str = ""
    sat: str = ""
    sun: str = ""
    start_time: str = "08:00"
    hours: str = "4"
    weeks: str = "4"
    first_week: str = ""
    division: str = ""
    district: str = ""
    address: str = ""
    notes: str = ""
    payment_plan: str = "whole"
    on_conflict: str = "ask"

    def weekdays(self) -> list[int]:
        """The chosen weekdays as numbers, Monday 0."""
        return [number for number, day in enumerate(WEEKDAYS) if getattr(self, day)]


class WeeklyPattern(msgspec.Struct, frozen=True, kw_only=True):
    weekdays: list[int]
    start_time: time
    hours: int
    weeks: int
    first_week: date  # the Monday of the first week

    @property
    def summary(self) -> str:
        return Text.plural(
            "%(days)s at %(time)s for %(hours)d h, %(num)d week",
            "%(days)s at %(time)s for %(hours)d h, %(num)d weeks",
            self.weeks,
            days=listed([SHORT_DAY_NAMES[d] for d in self.weekdays]),
            time=f"{self.start_time:%H:%M}",
            hours=self.hours,
        )


def listed(items: list[Text]) -> Text:
    """Words joined by commas, each still translatable: "Mon, Wed, Fri"."""
    if len(items) == 1:
        return items[0]
    return Text("%(first)s, %(rest)s", first=items[0], rest=listed(items[1:]))


class Occurrence(msgspec.Struct, frozen=True, kw_only=True):
    """One date of the pattern and who can take it."""

    day: date
    week: int  # 1 for the first week
    starts_at: datetime
    ends_at: datetime
    caregiver_free: bool
    # Another caregiver free then, offered for a conflicting date.
    other_caregiver_id: ObjectId | None = None
    other_caregiver_name: str = ""


class Series(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId = msgspec.field(name="_id")
    patient_id: ObjectId
    caregiver_id: ObjectId
    caregiver_name: str
    service_slug: str
    service_name: str
    pattern: WeeklyPattern
    payment_plan: PaymentPlan
    booking_ids: list[ObjectId]
    skipped: list[date] = msgspec.field(default_factory=list)
    # Weeks whose Checkout link was emailed, so the sweep sends each once.
    links_sent: list[int] = msgspec.field(default_factory=list)
    created_at: datetime

    def week_of(self, starts_at: datetime, timezone: str) -> int:
        """Which week of the series (1, 2, …) a visit starting at `starts_at` falls in."""
        day = starts_at.astimezone(ZoneInfo(timezone)).date()
        return (day - self.pattern.first_week).days // 7 + 1
