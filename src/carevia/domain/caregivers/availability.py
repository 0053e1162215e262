"""A caregiver editing their own weekly hours and days off."""

from __future__ import annotations

from datetime import date

import msgspec

from carevia.domain.caregivers.models import WEEKDAYS, Caregiver, TimeWindow, WeeklyAvailability


class WeeklyHoursForm(msgspec.Struct, frozen=True, kw_only=True):
    """One stretch of hours per weekday as posted, blank for a day off; shared by every form
    that asks for working hours (the caregiver's own, and an application's)."""

    monday_start: str = ""
    monday_end: str = ""
    tuesday_start: str = ""
    tuesday_end: str = ""
    wednesday_start: str = ""
    wednesday_end: str = ""
    thursday_start: str = ""
    thursday_end: str = ""
    friday_start: str = ""
    friday_end: str = ""
    saturday_start: str = ""
    saturday_end: str = ""
    sunday_start: str = ""
    sunday_end: str = ""


def hours_of(availability: WeeklyAvailability) -> dict[str, str]:
    """The form values for a stored week: each day from its first start to its last end."""
    values: dict[str, str] = {}
    for index, day in enumerate(WEEKDAYS):
        windows = availability.on(index)
        if windows:
            values[f"{day}_start"], values[f"{day}_end"] = windows[0].start, windows[-1].end
    return values


class AvailabilityForm(WeeklyHoursForm, frozen=True, kw_only=True):
    """The caregiver's weekly hours and a list of dates off."""

    days_off: str = ""

    @classmethod
    def of(cls, caregiver: Caregiver) -> AvailabilityForm:
        return cls(days_off=", ".join(caregiver.days_off), **hours_of(caregiver.availability))


def parse_weekly_hours(form: WeeklyHoursForm) -> tuple[WeeklyAvailability | None, dict[str, str]]:
    errors: dict[str, str] = {}
    week: dict[str, list[TimeWindow]] = {}
    for day in WEEKDAYS:
        start, end = getattr(form, f"{day}_start").strip(), getattr(form, f"{day}_end").strip()
        if not start and not end:
            week[day] = []
            continue
        try:
            week[day] = [TimeWindow(start, end)]
        except (ValueError, msgspec.ValidationError):
            errors[f"{day}_start"] = (
                f"{day.capitalize()}: use half-hour times like 08:00 and 17:30, start before end."
            )
    return (None, errors) if errors else (WeeklyAvailability(**week), {})


def parse_availability(
    form: AvailabilityForm,
) -> tuple[WeeklyAvailability | None, list[str], dict[str, str]]:
    week, errors = parse_weekly_hours(form)
    days_off: list[str] = []
    for text in filter(None, (part.strip() for part in form.days_off.split(","))):
        try:
            days_off.append(date.fromisoformat(text).isoformat())
        except ValueError:
            errors["days_off"] = f"“{text}” is not a date like 2026-12-16."
    if errors or week is None:
        return None, [], errors
    return week, days_off, {}


class ProfileForm(msgspec.Struct, frozen=True, kw_only=True):
    """What a caregiver tells patients about themselves."""

    bio: str = ""
    languages: str = ""
    certifications: str = ""

    @classmethod
    def of(cls, caregiver: Caregiver) -> ProfileForm:
        return cls(
            bio=caregiver.bio,
            languages=", ".join(caregiver.languages),
            certifications="\n".join(caregiver.certifications),
        )


def parse_profile(form: ProfileForm) -> tuple[str, list[str], list[str], dict[str, str]]:
    errors: dict[str, str] = {}
    bio = form.bio.strip()
    languages = [part.strip() for part in form.languages.split(",") if part.strip()]
    certifications = [line.strip() for line in form.certifications.splitlines() if line.strip()]
    if not 20 <= len(bio) <= 1500:
        errors["bio"] = "Write 20 to 1500 characters about your experience and how you care."
    if not languages or len(languages) > 8 or any(len(language) > 30 for language in languages):
        errors["languages"] = "List the languages you speak, separated by commas."
    if len(certifications) > 10 or any(len(line) > 120 for line in certifications):
        errors["certifications"] = "Up to 10 certifications, one per line."
    return bio, languages, certifications, errors
