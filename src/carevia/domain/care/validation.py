"""Rules for the details of a person cared for."""

from __future__ import annotations

import re

from bson import ObjectId

from carevia.domain.accounts.validation import BANGLADESH_MOBILE, email_problem, normalise_email
from carevia.domain.care.models import (
    NEEDS_MAX_CHARS,
    RELATIONSHIPS,
    CareNeeds,
    EmergencyContact,
    PersonForm,
    Recipient,
)
from carevia.domain.shared.text import Text

NAME_MAX_CHARS = 80
MAX_AGE = 120


def clean_person(
    form: PersonForm, person_id: ObjectId | None = None
) -> tuple[Recipient | None, dict[str, str]]:
    """The person as a recipient, or None and a message for each field that breaks a rule."""
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not 1 <= len(name) <= NAME_MAX_CHARS:
        errors["name"] = Text(
            "Enter their name (up to %(limit)d characters).", limit=NAME_MAX_CHARS
        )
    age_text = form.age.strip()
    # ASCII digits only: `isdigit` also accepts "²" and Bangla digits, which `int` may refuse.
    age = int(age_text) if age_text.isascii() and age_text.isdigit() and len(age_text) <= 3 else -1
    if not 0 <= age <= MAX_AGE:
        errors["age"] = Text("Enter their age in years, from 0 to %(maximum)d.", maximum=MAX_AGE)
    if form.relationship not in RELATIONSHIPS:
        errors["relationship"] = Text("Choose how they are related to you.")
    needs = {
        field: getattr(form, field).strip()
        for field in ("mobility", "conditions", "allergies", "medication")
    }
    for field, text in needs.items():
        if len(text) > NEEDS_MAX_CHARS:
            errors[field] = Text(
                "Keep this to %(limit)s characters (%(now)s now).",
                limit=f"{NEEDS_MAX_CHARS:,}",
                now=f"{len(text):,}",
            )
    contact, contact_errors = _clean_contact(form)
    errors.update(contact_errors)
    if errors or contact is None:
        return None, errors
    recipient = Recipient(
        name=name,
        age=age,
        relationship=form.relationship,
        needs=CareNeeds(**needs),
        emergency_contact=contact,
        person_id=person_id,
    )
    return recipient, {}


def _clean_contact(form: PersonForm) -> tuple[EmergencyContact | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = form.contact_name.strip()
    if not 1 <= len(name) <= NAME_MAX_CHARS:
        errors["contact_name"] = Text("Enter the name of someone to call in an emergency.")
    phone = BANGLADESH_MOBILE.match(re.sub(r"[\s-]", "", form.contact_phone))
    if phone is None:
        errors["contact_phone"] = Text(
            "Enter a Bangladeshi mobile number, for example 01712 345678."
        )
    email = normalise_email(form.contact_email)
    if email and (problem := email_problem(email)):
        errors["contact_email"] = problem
    updates = bool(form.contact_visit_updates)
    if updates and not email:
        errors["contact_visit_updates"] = Text(
            "Add their email address to send them visit updates."
        )
    if errors or phone is None:
        return None, errors
    return EmergencyContact(
        name=name, phone="+88" + phone.group(1), email=email or None, visit_updates=updates
    ), {}
