"""Stored times are UTC; people read them as the wall-clock time where the care happens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def format_local(value: datetime | None, timezone: str, pattern: str | None = None) -> str:
    """A stored UTC time as the wall-clock time where the care happens.

    By default as people write it, "Wed 9 Dec 2026, 10:00 am": no leading zeros.
    """
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(timezone))
    if pattern is None:
        return f"{format_day(local.date())}, {format_clock(local.time())}"
    text = local.strftime(pattern)
    return text.replace("AM", "am").replace("PM", "pm")


def format_clock(value: time) -> str:
    """A wall-clock time as "9:30 am"."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


def format_day(value: date) -> str:
    """A date as people in Bangladesh write it, "Wed 9 Dec 2026"; never ISO in the interface."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def machine_time(value: datetime) -> str:
    """A UTC time for `<time datetime>`: whole seconds, since HTML allows at most three digits
    of a fraction and stored times carry six."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
