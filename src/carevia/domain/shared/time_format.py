"""Stored times are UTC; people read them as the wall-clock time where the care happens."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

from carevia.domain.shared.language import Language, babel_locale, current_language, digits


def format_local(
    value: datetime | None,
    timezone: str,
    pattern: str | None = None,
    language: Language | None = None,
) -> str:
    """A stored UTC time as the wall-clock time where the care happens.

    By default as people write it, "Wed 9 Dec 2026, 10:00 am" or "বুধবার, ৯ ডিসেম্বর ২০২৬,
    সকাল ১০:০০": no leading zeros. A `pattern` is strftime's, read in other languages through CLDR.
    """
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(timezone))
    if pattern is None:
        day = format_day(local.date(), language)
        return f"{day}, {format_clock(local.time(), language)}"
    spoken = language or current_language()
    if spoken != "en":
        return digits(
            format_datetime(local, cldr_pattern(pattern), locale=babel_locale(spoken)), spoken
        )
    text = local.strftime(pattern)
    return text.replace("AM", "am").replace("PM", "pm")


# strftime's fields as CLDR's, so a record written with a pattern reads in any language.
# "%p" becomes the part of the day ("সকাল", "রাত"), as Bangla says the time.
_CLDR_FIELDS = {
    "%-d": "d",
    "%d": "dd",
    "%a": "EEE",
    "%A": "EEEE",
    "%b": "MMM",
    "%B": "MMMM",
    "%m": "MM",
    "%-m": "M",
    "%Y": "y",
    "%y": "yy",
    "%H": "HH",
    "%-H": "H",
    "%I": "hh",
    "%-I": "h",
    "%M": "mm",
    "%S": "ss",
    "%p": "B",
    "%%": "%",
}
_STRFTIME_FIELD = re.compile(r"%-?[a-zA-Z%]")


def cldr_pattern(pattern: str) -> str:
    """A strftime pattern in CLDR's terms; literal text is quoted as CLDR wants."""
    out: list[str] = []
    position = 0
    for field in _STRFTIME_FIELD.finditer(pattern):
        literal = pattern[position : field.start()]
        if literal:
            out.append(_quoted(literal))
        out.append(_CLDR_FIELDS.get(field.group(), ""))
        position = field.end()
    if pattern[position:]:
        out.append(_quoted(pattern[position:]))
    return "".join(out)


def _quoted(literal: str) -> str:
    return (
        literal if not re.search(r"[A-Za-z']", literal) else "'" + literal.replace("'", "''") + "'"
    )


def format_weekday(value: date, language: Language | None = None) -> str:
    """The short name of a date's weekday: "Wed", "বুধ"."""
    spoken = language or current_language()
    if spoken == "en":
        return f"{value:%a}"
    return format_date(value, "EEE", locale=babel_locale(spoken))


def format_day_month(value: date, language: Language | None = None) -> str:
    """A date without its year: "9 Dec", "৯ ডিসে"."""
    spoken = language or current_language()
    if spoken == "en":
        return f"{value.day} {value:%b}"
    return digits(format_date(value, "d MMM", locale=babel_locale(spoken)), spoken)


def format_month(value: date, language: Language | None = None) -> str:
    """A month and its year: "Dec 2026", "ডিসেম্বর ২০২৬"."""
    spoken = language or current_language()
    if spoken == "en":
        return f"{value:%b %Y}"
    return digits(format_date(value, "MMMM y", locale=babel_locale(spoken)), spoken)


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
