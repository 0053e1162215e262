"""Checking a weekly booking request and laying its dates out: pure rules, no I/O."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from carevia.domain.bookings.models import Location
from carevia.domain.bookings.rules import MAX_HOURS, check_location
from carevia.domain.bookings.schedule import interval, local_start, parse_iso_date, parse_start_time
from carevia.domain.catalogue import Service
from carevia.domain.series.models import MAX_WEEKS, SeriesForm, WeeklyPattern
from carevia.domain.shared.text import Text
from carevia.settings import BookingSettings


def check_series(
    form: SeriesForm, service: Service, now: datetime, rules: BookingSettings, timezone: str
) -> tuple[WeeklyPattern | None, Location | None, dict[str, str]]:
    """The pattern and place in typed form, or a message for each field that breaks a rule."""
    errors: dict[str, str] = {}
    weekdays = form.weekdays()
    if not weekdays:
        errors["weekdays"] = Text("Choose at least one day of the week.")
    start = parse_start_time(form.start_time)
    if start is None:
        errors["start_time"] = Text("Choose a start time on the hour or half hour.")
    hours = _number(form.hours)
    minimum = service.booking_rules.min_hours
    if hours is None or not minimum <= hours <= MAX_HOURS:
        errors["hours"] = Text(
            "Book between %(minimum)d and %(maximum)d hours a visit.",
            minimum=minimum,
            maximum=MAX_HOURS,
        )
    weeks = _number(form.weeks)
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        errors["weeks"] = Text("Book between 1 and %(maximum)d weeks.", maximum=MAX_WEEKS)
    today = now.astimezone(ZoneInfo(timezone)).date()
    first = parse_iso_date(form.first_week)
    if first is None:
        errors["first_week"] = Text("Choose the first week.")
    elif first < today - timedelta(days=6):
        errors["first_week"] = Text("That week has passed. Choose this week or a later one.")
    elif first > today + timedelta(days=rules.max_days_ahead):
        errors["first_week"] = Text.plural(
            "Bookings open up to %(num)d day ahead.",
            "Bookings open up to %(num)d days ahead.",
            rules.max_days_ahead,
        )
    location, location_errors = check_location(
        form.division, form.district, form.address, form.notes
    )
    errors.update(location_errors)
    if form.payment_plan not in ("whole", "weekly"):
        errors["payment_plan"] = Text("Choose to pay for the whole series or week by week.")
    if form.on_conflict not in ("ask", "skip", "other", "all_or_nothing"):
        errors["on_conflict"] = Text("Choose what to do with dates that are taken.")
    if errors or start is None or hours is None or weeks is None or first is None:
        return None, None, errors
    assert location is not None, "no errors means the location was checked"
    pattern = WeeklyPattern(
        weekdays=weekdays,
        start_time=start,
        hours=hours,
        weeks=weeks,
        first_week=first - timedelta(days=first.weekday()),
    )
    return pattern, location, {}


def dates_of(
    pattern: WeeklyPattern, now: datetime, rules: BookingSettings, timezone: str
) -> list[tuple[date, int, datetime, datetime]]:
    """Each visit's day, week number and UTC interval; past, too soon or too far are left out."""
    earliest = now + timedelta(hours=rules.min_notice_hours)
    horizon = now.astimezone(ZoneInfo(timezone)).date() + timedelta(days=rules.max_days_ahead)
    found = []
    for week in range(pattern.weeks):
        for weekday in pattern.weekdays:
            day = pattern.first_week + timedelta(days=7 * week + weekday)
            begins = local_start(day, pattern.start_time, timezone)
            starts_at, ends_at = interval(begins, "hours", pattern.hours)
            if starts_at >= earliest and day <= horizon:
                found.append((day, week + 1, starts_at, ends_at))
    return found


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None
