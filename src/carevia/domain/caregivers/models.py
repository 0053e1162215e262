"""Caregiver profiles and their weekly working hours, in the caregiver's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId

from carevia.domain.catalogue.known_names import known_names
from carevia.domain.catalogue.models import Category, RatingSummary
from carevia.domain.shared.text import Text

SLOT_MINUTES = 30
DAY_MINUTES = 24 * 60
SLOT = timedelta(minutes=SLOT_MINUTES)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Bangladesh's working week starts on Saturday; Friday is the weekend.
DISPLAY_ORDER = (5, 6, 0, 1, 2, 3, 4)


# Kept: the free-time calendar asks for the same few working-hour bounds for every slot it
# checks, thousands of times a page. Only well-formed times are kept (anything else raises),
# so there are at most 49 entries whatever is typed.
@cache
def clock_minutes(value: str, *, allow_midnight_end: bool = False) -> int:
    """Minutes after midnight for a 30-minute aligned "HH:MM"; "24:00" only as an end."""
    hours, sep, minutes = value.partition(":")
    # `isdigit` alone also says yes to "²" and to Bangla digits; times are stored in ASCII.
    digits = (hours + minutes).isascii() and hours.isdigit() and minutes.isdigit()
    if not (sep and digits and len(hours) == 2 and len(minutes) == 2):
        raise ValueError(f"time {value!r} must be written HH:MM")
    total = int(hours) * 60 + int(minutes)
    limit = DAY_MINUTES if allow_midnight_end else DAY_MINUTES - SLOT_MINUTES
    if int(minutes) % SLOT_MINUTES or total > limit:
        raise ValueError(f"time {value!r} must be on the hour or half hour within the day")
    return total


WEEKDAY_NAMES = {
    "monday": Text("Monday"),
    "tuesday": Text("Tuesday"),
    "wednesday": Text("Wednesday"),
    "thursday": Text("Thursday"),
    "friday": Text("Friday"),
    "saturday": Text("Saturday"),
    "sunday": Text("Sunday"),
}


def _clock_label(minutes: int) -> str:
    if minutes in (0, DAY_MINUTES):
        return Text("midnight")
    if minutes == DAY_MINUTES // 2:
        return Text("noon")
    hours, rest = divmod(minutes, 60)
    clock = f"{(hours - 1) % 12 + 1}:{rest:02d}"
    return Text("%(clock)s am", clock=clock) if hours < 12 else Text("%(clock)s pm", clock=clock)


class TimeWindow(msgspec.Struct, frozen=True):
    """Working hours [start, end) on one local day; `end` may be "24:00"."""

    start: str
    end: str

    def __post_init__(self) -> None:
        if self.start_minute >= self.end_minute:
            raise ValueError(f"window {self.start}–{self.end} must end after it starts")

    @property
    def start_minute(self) -> int:
        return clock_minutes(self.start)

    @property
    def end_minute(self) -> int:
        return clock_minutes(self.end, allow_midnight_end=True)

    def covers_slot(self, minute: int) -> bool:
        """Whether the 30-minute slot starting `minute` after midnight lies inside."""
        return self.start_minute <= minute and minute + SLOT_MINUTES <= self.end_minute

    @property
    def label(self) -> str:
        return f"{self.start_label} – {self.end_label}"

    # Each end on its own, so a page shows both in the reader's language.
    @property
    def start_label(self) -> str:
        return _clock_label(self.start_minute)

    @property
    def end_label(self) -> str:
        return _clock_label(self.end_minute)


class WeeklyAvailability(msgspec.Struct, frozen=True, kw_only=True):
    """Windows per weekday. A night shift is 20:00-24:00 on one day and 00:00-08:00 the next."""

    monday: list[TimeWindow] = msgspec.field(default_factory=list)
    tuesday: list[TimeWindow] = msgspec.field(default_factory=list)
    wednesday: list[TimeWindow] = msgspec.field(default_factory=list)
    thursday: list[TimeWindow] = msgspec.field(default_factory=list)
    friday: list[TimeWindow] = msgspec.field(default_factory=list)
    saturday: list[TimeWindow] = msgspec.field(default_factory=list)
    sunday: list[TimeWindow] = msgspec.field(default_factory=list)

    def on(self, weekday: int) -> list[TimeWindow]:
        """The windows of a weekday numbered as `date.weekday()` (Monday is 0)."""
        windows: list[TimeWindow] = getattr(self, WEEKDAYS[weekday])
        return windows


def merged(windows: list[TimeWindow]) -> list[TimeWindow]:
    """Overlapping or touching windows joined, in time order; for display."""
    result: list[TimeWindow] = []
    for window in sorted(windows, key=lambda w: w.start_minute):
        if result and window.start_minute <= result[-1].end_minute:
            last = result[-1]
            if window.end_minute > last.end_minute:
                result[-1] = TimeWindow(last.start, window.end)
        else:
            result.append(window)
    return result


def avatar_url(caregiver_id: ObjectId | str) -> str:
    return f"/avatars/{caregiver_id}"


class ScheduleRow(msgspec.Struct, frozen=True):
    weekday: str
    windows: list[TimeWindow]


class VerificationChecks(msgspec.Struct, frozen=True, kw_only=True):
    """What an admin checked by hand before the caregiver was listed, shown on their cards.

    Counts, not contents: the documents themselves stay private to the caregiver and admins.
    """

    national_id: bool = False
    certificates: int = 0
    references: int = 0
    checked_at: datetime | None = None

    @property
    def anything(self) -> bool:
        return self.national_id or self.certificates > 0 or self.references > 0

    @property
    def phrases(self) -> list[str]:
        """What was checked, as the cards say it."""
        said: list[str] = [Text("National ID checked")] if self.national_id else []
        if self.certificates:
            said.append(
                Text.plural(
                    "%(num)d certificate checked", "%(num)d certificates checked", self.certificates
                )
            )
        if self.references:
            said.append(
                Text.plural(
                    "%(num)d reference checked", "%(num)d references checked", self.references
                )
            )
        return said


class Caregiver(msgspec.Struct, frozen=True, kw_only=True):
    """A caregiver's public profile; `_id` is the caregiver's user id."""

    id: ObjectId = msgspec.field(name="_id")
    display_name: str
    bio: str
    # The bio in Bangla, shown through `local(caregiver, "bio")`; empty shows the English.
    bio_bn: str = ""
    categories: list[Category]
    divisions: list[str]
    languages: list[str]
    years_experience: int
    certifications: list[str] = msgspec.field(default_factory=list)
    verified: bool = False
    checks: VerificationChecks = msgspec.field(default_factory=VerificationChecks)
    availability: WeeklyAvailability = msgspec.field(default_factory=WeeklyAvailability)
    days_off: list[str] = msgspec.field(default_factory=list)
    rating: RatingSummary = msgspec.field(default_factory=RatingSummary)
    timezone: str = "Asia/Dhaka"
    # Uploads in the files context: the approved photo shown to everyone, and a newer one
    # waiting for an admin. Without an approved photo the generated avatar is shown.
    photo_id: ObjectId | None = None
    pending_photo_id: ObjectId | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def photo_url(self) -> str:
        """The public picture: the approved photo (640 px), else the initials avatar."""
        if self.photo_id is not None:
            return f"/files/{self.photo_id}/640"
        return avatar_url(self.id)

    @property
    def thumbnail_url(self) -> str:
        """The same picture for small places (160 px)."""
        if self.photo_id is not None:
            return f"/files/{self.photo_id}/160"
        return avatar_url(self.id)

    @property
    def initials(self) -> str:
        words = [word for word in self.display_name.split() if word[:1].isalpha()]
        return "".join(word[0].upper() for word in words[:2]) or "?"

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ", 1)[0]

    @property
    def language_names(self) -> list[str]:
        return known_names(self.languages)

    @property
    def certification_names(self) -> list[str]:
        return known_names(self.certifications)

    def windows_on(self, local_date: date) -> list[TimeWindow]:
        if local_date.isoformat() in self.days_off:
            return []
        return self.availability.on(local_date.weekday())

    def works_during(self, local_start: datetime, local_end: datetime) -> bool:
        """Whether every 30-minute slot touching [local_start, local_end) is working time.

        Slots sit on the caregiver's half-hour grid, so a boundary between grid points
        needs the whole slot around it. Time is stepped in UTC and read back on the local
        wall clock, so an interval across midnight checks each slot against its own day.
        """
        if local_start.tzinfo is None or local_end.tzinfo is None:
            raise ValueError("works_during needs timezone-aware datetimes")
        if local_end <= local_start:
            return False
        zone = ZoneInfo(self.timezone)
        first = local_start.astimezone(zone)
        aligned = first.minute - first.minute % SLOT_MINUTES
        moment = first.replace(minute=aligned, second=0, microsecond=0).astimezone(UTC)
        end = local_end.astimezone(UTC)
        while moment < end:
            local = moment.astimezone(zone)
            minute = local.hour * 60 + local.minute
            if not any(window.covers_slot(minute) for window in self.windows_on(local.date())):
                return False
            moment += SLOT
        return True

    def weekly_schedule(self) -> list[ScheduleRow]:
        """Saturday to Friday, with touching windows shown as one stretch."""
        return [
            ScheduleRow(WEEKDAY_NAMES[WEEKDAYS[day]], merged(self.availability.on(day)))
            for day in DISPLAY_ORDER
        ]
