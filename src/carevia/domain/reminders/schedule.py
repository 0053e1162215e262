"""When reminders are due: pure arithmetic on a visit's stored (UTC) start."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The patient hears the day before, to arrange the home, and shortly before, to be in.
PATIENT_REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("2h", timedelta(hours=2)),
)
# The caregiver's agenda for the day arrives at seven in the morning, local time.
AGENDA_AT = time(7, 0)


def reminder_times(starts_at: datetime) -> list[tuple[str, datetime]]:
    """Each patient reminder's name and the UTC moment it is due."""
    return [(name, starts_at - before) for name, before in PATIENT_REMINDERS]


def visit_day(starts_at: datetime, timezone: str) -> date:
    """The local calendar day a visit starts on: the day whose agenda lists it."""
    return starts_at.astimezone(ZoneInfo(timezone)).date()


def agenda_due(day: date, timezone: str) -> datetime:
    """07:00 local on `day`, in UTC."""
    return datetime.combine(day, AGENDA_AT, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of the local `day` in UTC."""
    zone = ZoneInfo(timezone)
    begin = datetime.combine(day, time(0, 0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)
    return begin.astimezone(UTC), end.astimezone(UTC)
