from __future__ import annotations

import pytest

from carevia.domain.catalogue import Category, ServiceFilter
from carevia.domain.shared import Invalid
from carevia.domain.shared.money import format_money
from carevia.domain.shared.pagination import Page, clamp_page


def test_empty_form_fields_mean_no_filter() -> None:
    parsed = ServiceFilter.from_query(
        text="  ", category="", divisions=["", "Dhaka", "Dhaka"], min_rating="", sort=""
    )
    assert parsed == ServiceFilter(divisions=("Dhaka",))
    assert parsed.query_pairs() == [("division", "Dhaka")]


def test_filter_round_trips_through_query_pairs() -> None:
    parsed = ServiceFilter.from_query(
        text="night",
        category="baby-care",
        divisions=["Khulna", "Sylhet"],
        min_rating="4.5",
        sort="price_desc",
    )
    assert parsed.category is Category.BABY_CARE
    assert parsed.query_pairs(page=3) == [
        ("q", "night"),
        ("category", "baby-care"),
        ("division", "Khulna"),
        ("division", "Sylhet"),
        ("min_rating", "4.5"),
        ("sort", "price_desc"),
        ("page", "3"),
    ]


def test_bad_filter_values_name_their_fields() -> None:
    with pytest.raises(Invalid) as raised:
        ServiceFilter.from_query(
            text=None, category="pets", divisions=None, min_rating="lots", sort="$where"
        )
    assert set(raised.value.fields) == {"category", "min_rating", "sort"}


@pytest.mark.parametrize(
    ("requested", "total", "expected"),
    [(1, 19, 1), (4, 19, 4), (5, 19, 4), (999, 19, 4), (0, 19, 1), (-5, 19, 1), (3, 0, 1)],
)
def test_page_numbers_are_clamped_to_real_pages(requested: int, total: int, expected: int) -> None:
    assert clamp_page(requested, total, 6).number == expected


def test_page_reports_its_window() -> None:
    page = Page(items=list(range(1)), number=4, size=6, total=19)
    assert (page.pages, page.first_index, page.last_index) == (4, 19, 19)
    assert page.has_previous and not page.has_next
    empty: Page[int] = Page(items=[], number=1, size=6, total=0)
    assert (empty.pages, empty.first_index, empty.last_index) == (1, 0, 0)


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (45000, "BDT", "৳450"),
        (125050, "BDT", "৳1,250.50"),
        (5, "bdt", "৳0.05"),
        (-2500, "USD", "-$25"),
        (100, "XYZ", "XYZ 1"),
    ],
)
def test_money_is_formatted_from_minor_units(minor: int, currency: str, text: str) -> None:
    assert format_money(minor, currency) == text
