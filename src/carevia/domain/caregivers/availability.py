"""A caregiver editing their own weekly hours and days off."""

from __future__ import annotations

from datetime import date

import msgspec

from carevia.domain.caregivers.models import WEEKDAYS, Caregiver, TimeWindow, WeeklyAvailability
from carevia.domain.shared.text import Text


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
    """What a caregiver tells patients about themselves; `bio_bn` is the bio in Bangla."""

    bio: str = ""
    bio_bn: str = ""
    languages: str = ""
    certifications: str = ""

    @classmethod
    def of(cls, caregiver: Caregiver) -> ProfileForm:
        return cls(
            bio=caregiver.bio,
            bio_bn=caregiver.bio_bn,
            languages=", ".join(caregiver.languages),
            certifications="\n".join(caregiver.certifications),
        )


class AboutCaregiver(msgspec.Struct, frozen=True, kw_only=True):
    """The checked profile text, as it is stored."""

    bio: str
    bio_bn: str
    languages: list[str]
    certifications: list[str]


BIO_PROBLEM = Text("Write 20 to 1500 characters about your experience and how you care.")


def parse_profile(form: ProfileForm) -> tuple[AboutCaregiver, dict[str, str]]:
    errors: dict[str, str] = {}
    bio, bio_bn = form.bio.strip(), form.bio_bn.strip()
    languages = [part.strip() for part in form.languages.split(",") if part.strip()]
    certifications = [line.strip() for line in form.certifications.splitlines() if line.strip()]
    if not 20 <= len(bio) <= 1500:
        errors["bio"] = BIO_PROBLEM
    # The Bangla bio may be left out; when written, it is held to the English one's limits.
    if bio_bn and not 20 <= len(bio_bn) <= 1500:
        errors["bio_bn"] = BIO_PROBLEM
    if not languages or len(languages) > 8 or any(len(language) > 30 for language in languages):
        errors["languages"] = Text("List the languages you speak, separated by commas.")
    if len(certifications) > 10 or any(len(line) > 120 for line in certifications):
        errors["certifications"] = Text("Up to 10 certifications, one per line.")
    about = AboutCaregiver(
        bio=bio, bio_bn=bio_bn, languages=languages, certifications=certifications
    )
    return about, errors
