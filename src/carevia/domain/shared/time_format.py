"""Stored times are UTC; people read them as the wall-clock time where the care happens."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def format_local(
    value: datetime | None, timezone: str, pattern: str = "%a %d %b %Y, %I:%M %p"
) -> str:
    """A stored UTC time as the wall-clock time where the care happens."""
    if value is None:
        return ""
    text = value.astimezone(ZoneInfo(timezone)).strftime(pattern)
    return text.replace("AM", "am").replace("PM", "pm")


def format_day(value: date) -> str:
    """A date as people in Bangladesh write it, "Wed 9 Dec 2026"; never ISO in the interface."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def machine_time(value: datetime) -> str:
    """A UTC time for `<time datetime>`: whole seconds, since HTML allows at most three digits
    of a fraction and stored times carry six."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
