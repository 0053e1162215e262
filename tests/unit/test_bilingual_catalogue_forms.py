"""The Bangla beside the English in the service and caregiver profile forms."""

from __future__ import annotations

import msgspec
import pytest

from carevia.controllers.applications import DONE
from carevia.domain.caregivers.availability import ProfileForm, parse_profile
from carevia.domain.catalogue.admin_form import ServiceForm, read_form
from carevia.domain.shared import Invalid
from carevia.web.i18n import speaking, translate

FILLED = ServiceForm(
    name="Night Care",
    short_title="Care through the night",
    category="elderly-care",
    price_per_hour="450",
    price_per_day="3600",
    service_types=["night"],
    working_hours="20:00–08:00",
    min_experience_years="2",
    languages="Bangla",
    highlights="Calm nights",
    responsibilities="Stay awake",
    safety_measures="Checked caregivers",
    description="A caregiver stays through the night.",
    divisions=["Dhaka"],
    min_hours="8",
    free_cancellation_hours="24",
    seo_title="Night Care | Carevia",
    seo_description="Night care at home.",
)


def test_the_bangla_fields_are_optional_and_stored_beside_the_english() -> None:
    english_only = read_form(FILLED)
    assert english_only["name_bn"] == "" and english_only["highlights_bn"] == []
    both = read_form(
        msgspec.structs.replace(FILLED, name_bn=" রাতের যত্ন ", highlights_bn="শান্ত রাত\n\nনিরাপদ ঘুম")
    )
    assert both["name_bn"] == "রাতের যত্ন"
    assert both["highlights_bn"] == ["শান্ত রাত", "নিরাপদ ঘুম"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_bn", "ন" * 81),
        ("seo_title_bn", "ন" * 61),
        ("seo_description_bn", "ন" * 161),
        ("age_group_bn", "ন" * 41),
        ("highlights_bn", "ন" * 201),
    ],
)
def test_the_bangla_fields_keep_the_english_limits(field: str, value: str) -> None:
    with pytest.raises(Invalid) as refused:
        read_form(msgspec.structs.replace(FILLED, **{field: value}))
    assert set(refused.value.fields) == {field}


def test_a_caregiver_bio_in_bangla_is_optional_but_held_to_the_same_length() -> None:
    english = "I have cared for older people at home for six years."
    about, errors = parse_profile(ProfileForm(bio=english, languages="Bangla"))
    assert errors == {} and about.bio_bn == ""
    about, errors = parse_profile(
        ProfileForm(bio=english, bio_bn="ছয় বছর ধরে বাড়িতে বয়স্কদের যত্ন নিচ্ছি।", languages="Bangla")
    )
    assert errors == {} and about.bio_bn.startswith("ছয় বছর")
    _, errors = parse_profile(ProfileForm(bio=english, bio_bn="খুব ছোট", languages="Bangla"))
    assert set(errors) == {"bio_bn"}


def test_the_application_page_notices_are_said_in_the_readers_language() -> None:
    with speaking("bn"):
        said = {translate(notice) for notice in DONE.values()}
    assert "আপনার উত্তর সংরক্ষণ করা হয়েছে।" in said
    assert not said & set(DONE.values())
