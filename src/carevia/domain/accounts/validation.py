"""Rules for the personal details a user gives us."""

from __future__ import annotations

import re
from typing import Any

from carevia.domain.accounts.models import ProfileForm, RegistrationForm
from carevia.domain.coverage import is_known_division, is_valid_location, place_name
from carevia.domain.shared.text import Text

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# re.ASCII: `\d` would also match Bangla, Arabic-Indic and full-width digits.
BANGLADESH_MOBILE = re.compile(r"^(?:\+?88)?(01[3-9]\d{8})$", re.ASCII)
POSTAL_CODE = re.compile(r"^\d{4}$", re.ASCII)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        return Text("Enter an email address like name@example.com.")
    return None


def clean_profile(form: ProfileForm | RegistrationForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned profile fields, and a message for each field that breaks a rule."""
    errors: dict[str, str] = {}
    first, last = form.first_name.strip(), form.last_name.strip()
    if not 1 <= len(first) <= 60:
        errors["first_name"] = Text("Enter your first name (up to 60 characters).")
    if not 1 <= len(last) <= 60:
        errors["last_name"] = Text("Enter your last name (up to 60 characters).")
    phone_match = BANGLADESH_MOBILE.match(re.sub(r"[\s-]", "", form.phone))
    if phone_match is None:
        errors["phone"] = Text("Enter a Bangladeshi mobile number, for example 01712 345678.")
    address, city = form.address.strip(), form.city.strip()
    if not 5 <= len(address) <= 200:
        errors["address"] = Text("Enter your street address (5 to 200 characters).")
    if not 2 <= len(city) <= 60:
        errors["city"] = Text("Enter your city or area.")
    if not is_known_division(form.division):
        errors["division"] = Text("Choose your division.")
    elif not is_valid_location(form.division, form.district):
        errors["district"] = Text(
            "Choose a district in %(division)s division.", division=place_name(form.division)
        )
    postal_code = form.postal_code.strip()
    if postal_code and not POSTAL_CODE.match(postal_code):
        errors["postal_code"] = Text("A postal code has 4 digits.")
    cleaned = {
        "first_name": first,
        "last_name": last,
        "phone": "+88" + phone_match.group(1) if phone_match else "",
        "address": address,
        "city": city,
        "division": form.division,
        "district": form.district,
        "postal_code": postal_code or None,
    }
    return cleaned, errors
