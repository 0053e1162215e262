"""Numbers people type into profile and hours forms are read in ASCII digits only.

`\\d` in a Python pattern and `str.isdigit` also accept Bangla (০-৯) and Arabic-Indic digits;
the forms' inputs send ASCII digits, and stored numbers must be ones every reader parses.
"""

from __future__ import annotations

import pytest

from carevia.controllers.events import last_seen
from carevia.domain.accounts.models import ProfileForm
from carevia.domain.accounts.validation import clean_profile
from carevia.domain.caregivers.models import clock_minutes
from carevia.domain.catalogue.models import ServiceFilter
from carevia.domain.shared import Invalid

PROFILE = ProfileForm(
    first_name="Amina",
    last_name="Rahman",
    phone="01712345678",
    address="House 12, Road 5",
    city="Dhaka",
    division="Dhaka",
    district="Dhaka",
    postal_code="1207",
)


def test_a_profile_in_ascii_digits_is_clean() -> None:
    cleaned, errors = clean_profile(PROFILE)
    assert errors == {}
    assert (cleaned["phone"], cleaned["postal_code"]) == ("+8801712345678", "1207")


@pytest.mark.parametrize("phone", ["০১৭১২৩৪৫৬৭৮", "٠١٧١٢٣٤٥٦٧٨", "0171234567８"])
def test_a_phone_number_in_other_digits_is_refused(phone: str) -> None:
    _, errors = clean_profile(ProfileForm(**{**_fields(), "phone": phone}))
    assert "phone" in errors


@pytest.mark.parametrize("postal_code", ["১২০৭", "١٢٠٧", "12²7"])
def test_a_postal_code_in_other_digits_is_refused(postal_code: str) -> None:
    _, errors = clean_profile(ProfileForm(**{**_fields(), "postal_code": postal_code}))
    assert "postal_code" in errors


@pytest.mark.parametrize("value", ["০৮:০০", "٠٨:٣٠", "²²:00"])
def test_working_hours_in_other_digits_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        clock_minutes(value)


def _fields() -> dict[str, str]:
    return {name: getattr(PROFILE, name) for name in ProfileForm.__struct_fields__}


@pytest.mark.parametrize("rating", ["٣", "৪", "nan", "inf", "1e400", "-1", "6"])
def test_a_minimum_rating_is_a_plain_number_from_0_to_5(rating: str) -> None:
    with pytest.raises(Invalid) as refused:
        ServiceFilter.from_query(
            text=None, category=None, divisions=None, min_rating=rating, sort=None
        )
    assert "min_rating" in refused.value.fields


@pytest.mark.parametrize(
    ("values", "cursor"),
    [(("17", None), 17), (("৯", "4"), 4), ((str(2**80), None), None), (("-2", "x"), None)],
)
def test_an_event_cursor_is_a_stored_id_in_ascii_digits(
    values: tuple[str | None, ...], cursor: int | None
) -> None:
    assert last_seen(*values) == cursor
