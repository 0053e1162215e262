"""Checking an application form field by field; nothing is stored unless every field passes."""

from __future__ import annotations

import re

import msgspec

from carevia.domain.applications.models import Application, ApplicationForm, Reference
from carevia.domain.caregivers.availability import hours_of, parse_weekly_hours
from carevia.domain.caregivers.models import WeeklyAvailability
from carevia.domain.catalogue.models import Category
from carevia.domain.coverage import DIVISION_NAMES
from carevia.domain.shared.text import Text

# A Bangladesh national ID number: 10 digits (smart card), 13 or 17 (older cards), in ASCII.
NATIONAL_ID = re.compile(r"[0-9]{10}|[0-9]{13}|[0-9]{17}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[0-9 -]{7,20}")
MAX_YEARS = 60


class Checked(msgspec.Struct, frozen=True, kw_only=True):
    categories: list[Category]
    divisions: list[str]
    languages: list[str]
    years_experience: int
    availability: WeeklyAvailability
    bio: str
    national_id: str
    references: list[Reference]


def _choices(raw: str | list[str]) -> list[str]:
    values = [raw] if isinstance(raw, str) else raw
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


def check_form(form: ApplicationForm) -> tuple[Checked | None, dict[str, str]]:
    """The checked profile, or a message per field that is wrong."""
    errors: dict[str, str] = {}
    categories = _choices(form.categories)
    known = {category.value for category in Category}
    if not categories or any(value not in known for value in categories):
        errors["categories"] = Text("Choose the kinds of care you give.")
    divisions = _choices(form.divisions)
    if not divisions or any(value not in DIVISION_NAMES for value in divisions):
        errors["divisions"] = Text("Choose the divisions where you can work.")
    languages = [part.strip() for part in form.languages.split(",") if part.strip()]
    if not languages or len(languages) > 8 or any(len(language) > 30 for language in languages):
        errors["languages"] = Text("List the languages you speak, separated by commas.")
    years = form.years_experience.strip()
    if not (years.isascii() and years.isdigit() and int(years) <= MAX_YEARS):
        errors["years_experience"] = Text(
            "Give your years of experience as a number, 0 to %(most)d.", most=MAX_YEARS
        )
    bio = form.bio.strip()
    if not 20 <= len(bio) <= 1500:
        errors["bio"] = Text("Write 20 to 1500 characters about your experience and how you care.")
    national_id = form.national_id.strip()
    if not NATIONAL_ID.fullmatch(national_id):
        errors["national_id"] = Text("Enter your national ID number: 10, 13 or 17 digits.")
    references = _references(form, errors)
    availability, hour_errors = parse_weekly_hours(form)
    errors.update(hour_errors)
    if availability is not None and not any(availability.on(day) for day in range(7)):
        errors["monday_start"] = Text("Choose the hours you can work on at least one day.")
    if errors or availability is None:
        return None, errors
    return (
        Checked(
            categories=[Category(value) for value in categories],
            divisions=divisions,
            languages=languages,
            years_experience=int(years),
            availability=availability,
            bio=bio,
            national_id=national_id,
            references=references,
        ),
        {},
    )


def _references(form: ApplicationForm, errors: dict[str, str]) -> list[Reference]:
    references: list[Reference] = []
    for number in (1, 2):
        name = getattr(form, f"reference{number}_name").strip()
        contact = getattr(form, f"reference{number}_contact").strip()
        relationship = getattr(form, f"reference{number}_relationship").strip()
        if not 2 <= len(name) <= 100:
            errors[f"reference{number}_name"] = Text(
                "Give the name of reference %(number)d.", number=number
            )
        if len(contact) > 100 or not (EMAIL.fullmatch(contact) or PHONE.fullmatch(contact)):
            errors[f"reference{number}_contact"] = Text(
                "Give a phone number or an email address for reference %(number)d.", number=number
            )
        if not 2 <= len(relationship) <= 100:
            errors[f"reference{number}_relationship"] = Text(
                "Say how reference %(number)d knows you, like “former employer”.", number=number
            )
        references.append(Reference(name=name, contact=contact, relationship=relationship))
    return references


def form_of(application: Application | None) -> ApplicationForm:
    """The stored answers as the form shows them."""
    if application is None:
        return ApplicationForm()
    values: dict[str, str | list[str]] = {
        "categories": [category.value for category in application.categories],
        "divisions": list(application.divisions),
        "languages": ", ".join(application.languages),
        "years_experience": str(application.years_experience) if application.bio else "",
        "bio": application.bio,
        "national_id": application.national_id,
    }
    for number, reference in enumerate(application.references, start=1):
        values[f"reference{number}_name"] = reference.name
        values[f"reference{number}_contact"] = reference.contact
        values[f"reference{number}_relationship"] = reference.relationship
    values.update(hours_of(application.availability))
    return ApplicationForm(**values)  # type: ignore[arg-type]
