"""Framework validation messages become sentences about the field a person filled in."""

from __future__ import annotations

import pytest

from carevia.web.errors import plain_validation_message


@pytest.mark.parametrize(
    ("key", "raw", "plain"),
    [
        ("page", "Expected `int`, got `str`", "Page must be a whole number."),
        ("limit", "Expected `int` >= 1", "Limit must be 1 or more."),
        ("min_rating", "Expected `float`, got `str`", "Min rating must be a number."),
        ("division", "Expected `array`, got `str`", "Division must be a list of values."),
        ("reason", "Expected `str` of length <= 200", "Reason must be at most 200 characters."),
        ("status", "Invalid enum value 'lost'", "Status is not one of the choices offered."),
        ("date", "Invalid RFC3339 encoded date", "Date must be a date such as 2026-12-31."),
        ("data.email", "Object missing required field `email`", "Email is required."),
        ("when", "Something msgspec never said before", "When is not valid."),
    ],
)
def test_each_kind_of_message_reads_as_a_plain_sentence(key: str, raw: str, plain: str) -> None:
    assert plain_validation_message(key, raw) == plain
