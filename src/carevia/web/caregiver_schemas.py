"""JSON shapes of a caregiver's hours and profile, shared by the admin and the caregiver API."""

from __future__ import annotations

import msgspec

from carevia.domain.caregivers.availability import AvailabilityForm
from carevia.domain.caregivers.models import WEEKDAYS, Caregiver, WeeklyAvailability
from carevia.domain.shared import Invalid


class DayHours(msgspec.Struct, frozen=True):
    start: str
    end: str


class AvailabilityBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One stretch of hours per weekday ("08:00"-"17:30"), null for a day off, and dates off."""

    monday: DayHours | None = None
    tuesday: DayHours | None = None
    wednesday: DayHours | None = None
    thursday: DayHours | None = None
    friday: DayHours | None = None
    saturday: DayHours | None = None
    sunday: DayHours | None = None
    days_off: list[str] = msgspec.field(default_factory=list)

    def as_form(self) -> AvailabilityForm:
        values: dict[str, str] = {}
        for day in WEEKDAYS:
            hours: DayHours | None = getattr(self, day)
            if hours is not None:
                values[f"{day}_start"], values[f"{day}_end"] = hours.start, hours.end
        if any("," in text for text in self.days_off):
            raise Invalid({"days_off": "Give each date as its own entry, like 2026-12-16."})
        return AvailabilityForm(**values, days_off=", ".join(self.days_off))


class CaregiverOut(msgspec.Struct, frozen=True):
    id: str
    display_name: str
    verified: bool
    availability: WeeklyAvailability
    days_off: list[str]
    timezone: str


def caregiver_out(profile: Caregiver) -> CaregiverOut:
    return CaregiverOut(
        id=str(profile.id),
        display_name=profile.display_name,
        verified=profile.verified,
        availability=profile.availability,
        days_off=profile.days_off,
        timezone=profile.timezone,
    )
