"""The booking form's month view and free times: which days are offered, how times are grouped.

Pure functions over dates and times; `BookingService.when` reads the free days and times.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from carevia.domain.bookings.schedule import DAY_PARTS, day_part, parse_iso_date
from carevia.domain.catalogue import Service
from carevia.domain.shared.text import Text
from carevia.domain.shared.time_format import format_day

DayState = Literal["free", "full", "closed"]
PART_LABELS = {
    "morning": Text("Morning"),
    "afternoon": Text("Afternoon"),
    "evening": Text("Evening"),
    "night": Text("Night"),
}
# calendar's names follow the process locale; these are catalogue entries instead.
WEEKDAY_NAMES = [  # Monday first, as `date.weekday()` counts
    (Text("Mo"), Text("Monday")),
    (Text("Tu"), Text("Tuesday")),
    (Text("We"), Text("Wednesday")),
    (Text("Th"), Text("Thursday")),
    (Text("Fr"), Text("Friday")),
    (Text("Sa"), Text("Saturday")),
    (Text("Su"), Text("Sunday")),
]
# The times a waitlist place may ask for: every half hour of the day.
WAIT_TIMES = [time(hour, minute) for hour in range(24) for minute in (0, 30)]
# Weeks start on Saturday, as the working week does in Bangladesh.
FIRST_WEEKDAY = calendar.SATURDAY


class BookingWindow(msgspec.Struct, frozen=True):
    """The days a booking may start on: today up to the booking horizon."""

    first: date
    last: date

    def refusal(self, day: date) -> str | None:
        """Why `day` cannot be booked, in words, or None when it can."""
        if day < self.first:
            return Text("That date has passed. Choose today or a later date.")
        if day > self.last:
            return Text(
                "Bookings open up to %(day)s. Choose an earlier date.", day=format_day(self.last)
            )
        return None

    def month_of(self, wanted: date | None) -> date:
        """The first day of the month to show: `wanted`'s month, kept inside the window."""
        day = min(max(wanted or self.first, self.first), self.last)
        return day.replace(day=1)


class CalendarDay(msgspec.Struct, frozen=True):
    day: date
    state: DayState  # closed: before today or beyond the booking horizon

    @property
    def iso(self) -> str:
        return self.day.isoformat()


class MonthView(msgspec.Struct, frozen=True):
    first: date
    weeks: list[list[CalendarDay | None]]  # None pads the first and last week
    previous: date | None  # the first day of the month before, when it has bookable days
    next: date | None

    @property
    def title(self) -> str:
        return month_title(self.first)

    def title_of(self, month: date) -> str:
        return month_title(month)

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    def focus_day(self, chosen: date | None) -> date | None:
        """The one day the keyboard reaches with Tab: the chosen one, else the first free one."""
        days = [cell for week in self.weeks for cell in week if cell is not None]
        if chosen and any(cell.day == chosen for cell in days):
            return chosen
        free = [cell.day for cell in days if cell.state == "free"]
        return free[0] if free else next((cell.day for cell in days), None)

    @property
    def weekday_names(self) -> list[tuple[str, str]]:
        """(short, full) names of the weekdays, in the grid's column order."""
        order = [(FIRST_WEEKDAY + i) % 7 for i in range(7)]
        return [WEEKDAY_NAMES[d] for d in order]


class TimeGroup(msgspec.Struct, frozen=True):
    name: str
    label: str
    times: list[time]


class DayTimes(msgspec.Struct, frozen=True):
    groups: list[TimeGroup]
    preselected: time | None

    @property
    def count(self) -> int:
        return sum(len(group.times) for group in self.groups)

    def chosen(self, asked: str) -> str:
        """The HH:MM to show selected: the one asked for when it is free, else the preselected."""
        offered = {f"{t:%H:%M}" for group in self.groups for t in group.times}
        if asked in offered:
            return asked
        return f"{self.preselected:%H:%M}" if self.preselected else ""


class DayPicker(msgspec.Struct, frozen=True):
    """What the form's "when" part shows: a month, and the chosen day's times or why not."""

    window: BookingWindow
    month: MonthView
    day: date | None
    times: DayTimes | None  # None until a bookable day is chosen
    refusal: str | None  # why the asked-for day cannot be booked
    timezone: str

    @property
    def zone_hint(self) -> str:
        """Which clock the times follow, e.g. "Times are in Bangladesh time (GMT+6)."."""
        offset = datetime.combine(self.window.first, time(12), ZoneInfo(self.timezone)).utcoffset()
        hours = (offset or timedelta()).total_seconds() / 3600
        # The service's own zone has a name people say; any other is shown as the zone's id.
        zone = Text("Bangladesh") if self.timezone == "Asia/Dhaka" else self.timezone
        return Text("Times are in %(zone)s time (GMT%(offset)s).", zone=zone, offset=f"{hours:+g}")

    @property
    def wait_times(self) -> list[time]:
        return WAIT_TIMES


def month_title(first: date) -> Text:
    """A month as the calendar's caption names it, "December 2026".

    A whole entry per month, so a language may order the month and the year its own way.
    """
    year = first.year
    titles = (
        Text("January %(year)s", year=year),
        Text("February %(year)s", year=year),
        Text("March %(year)s", year=year),
        Text("April %(year)s", year=year),
        Text("May %(year)s", year=year),
        Text("June %(year)s", year=year),
        Text("July %(year)s", year=year),
        Text("August %(year)s", year=year),
        Text("September %(year)s", year=year),
        Text("October %(year)s", year=year),
        Text("November %(year)s", year=year),
        Text("December %(year)s", year=year),
    )
    return titles[first.month - 1]


def parse_month(value: str) -> date | None:
    """A YYYY-MM month as its first day, or None."""
    return parse_iso_date(f"{value}-01") if len(value) == 7 else None


def offers_night(service: Service) -> bool:
    return "night" in service.service_types


def month_span(first: date, window: BookingWindow) -> tuple[date, date]:
    """The days of the month starting `first` that lie inside the window (may be empty)."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return max(first, window.first), min(last, window.last)


def month_view(first: date, window: BookingWindow, free_days: set[date]) -> MonthView:
    weeks: list[list[CalendarDay | None]] = []
    for week in calendar.Calendar(FIRST_WEEKDAY).monthdatescalendar(first.year, first.month):
        row: list[CalendarDay | None] = []
        for day in week:
            if day.month != first.month:
                row.append(None)
            elif window.refusal(day):
                row.append(CalendarDay(day, "closed"))
            else:
                row.append(CalendarDay(day, "free" if day in free_days else "full"))
        weeks.append(row)
    before = (first - timedelta(days=1)).replace(day=1)
    after = (first + timedelta(days=31)).replace(day=1)
    return MonthView(
        first=first,
        weeks=weeks,
        previous=before if window.first < first else None,
        next=after if after <= window.last else None,
    )


def group_times(times: list[time], night: bool) -> DayTimes:
    """Free starts grouped by part of the day; the first sensible one is preselected.

    Day services start with the morning. A night service's sensible start is its first
    night time, else its first evening time, since that is the care it is booked for.
    """
    groups = [
        TimeGroup(name, PART_LABELS[name], [t for t in times if day_part(t) == name])
        for name, _ in DAY_PARTS
        if night or name != "night"
    ]
    groups = [group for group in groups if group.times]
    ordered = sorted(t for group in groups for t in group.times)
    late = [t for t in ordered if t.hour >= 21] or [t for t in ordered if t.hour >= 17]
    preferred = (late if night else []) or ordered
    return DayTimes(groups, preferred[0] if preferred else None)
