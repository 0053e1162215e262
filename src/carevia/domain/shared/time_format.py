"""Stored times are UTC; people read them as the wall-clock time where the care happens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from carevia.domain.shared.language import Language, babel_locale, current_language, digits


def format_local(
    value: datetime | None,
    timezone: str,
    pattern: str | None = None,
    language: Language | None = None,
) -> str:
    """A stored UTC time as the wall-clock time where the care happens.

    By default as people write it, "Wed 9 Dec 2026, 10:00 am" or "বুধবার, ৯ ডিসেম্বর ২০২৬,
    সকাল ১০:০০": no leading zeros. A `pattern` is strftime's, for English-only records.
    """
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(timezone))
    if pattern is None:
        day = format_day(local.date(), language)
        return f"{day}, {format_clock(local.time(), language)}"
    text = local.strftime(pattern)
    return text.replace("AM", "am").replace("PM", "pm")


def format_clock(value: time, language: Language | None = None) -> str:
    """A wall-clock time as "9:30 am", or in Bangla with the part of the day: "সকাল ৯:৩০"."""
    spoken = language or current_language()
    if spoken == "bn":
        return digits(format_time(value, "B h:mm", locale=babel_locale(spoken)), spoken)
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


def format_day(value: date, language: Language | None = None) -> str:
    """A date as people in Bangladesh write it, "Wed 9 Dec 2026" or "বুধবার, ৯ ডিসেম্বর ২০২৬";
    never ISO in the interface."""
    spoken = language or current_language()
    if spoken == "bn":
        return digits(format_date(value, "EEEE, d MMMM y", locale=babel_locale(spoken)), spoken)
    return f"{value:%a} {value.day} {value:%b %Y}"


def machine_time(value: datetime) -> str:
    """A UTC time for `<time datetime>`: whole seconds, since HTML allows at most three digits
    of a fraction and stored times carry six."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
