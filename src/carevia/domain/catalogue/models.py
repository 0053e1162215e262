from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Literal

import msgspec
from bson import ObjectId

from carevia.domain.catalogue.known_names import known_names
from carevia.domain.shared import Invalid
from carevia.domain.shared.text import Text


class Category(StrEnum):
    BABY_CARE = "baby-care"
    ELDERLY_CARE = "elderly-care"
    SICK_CARE = "sick-care"
    SPECIAL_CARE = "special-care"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.BABY_CARE: Text("Baby Care"),
    Category.ELDERLY_CARE: Text("Elderly Care"),
    Category.SICK_CARE: Text("Sick Care"),
    Category.SPECIAL_CARE: Text("Special Care"),
}

ServiceType = Literal["hourly", "daily", "weekly", "night"]
SERVICE_TYPE_LABELS: dict[str, str] = {
    "hourly": Text("Hourly"),
    "daily": Text("Daily"),
    "weekly": Text("Weekly"),
    "night": Text("Night"),
}
ServiceStatus = Literal["active", "inactive", "archived"]
ServiceSort = Literal["recommended", "price_asc", "price_desc", "rating", "newest"]


class CaregiverRequirements(msgspec.Struct, frozen=True, kw_only=True):
    min_experience_years: int
    certifications: list[str]
    languages: list[str]

    @property
    def language_names(self) -> list[str]:
        return known_names(self.languages)

    @property
    def certification_names(self) -> list[str]:
        return known_names(self.certifications)


MIN_RATING_PROBLEM = Text("Minimum rating must be a number from 0 to 5.")


def parse_min_rating(text: str) -> float:
    """A minimum-rating filter value; ValueError for anything but 0 to 5 in plain digits."""
    # ASCII digits only: float() also reads "٣", "nan" and "1e400".
    value = text.strip()
    if re.fullmatch(r"[0-9](\.[0-9]{1,2})?", value) and float(value) <= 5:
        return float(value)
    raise ValueError(MIN_RATING_PROBLEM)


class RatingSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An aggregate of stored, visible reviews; never written by hand.

    `distribution[n - 1]` counts the reviews of n stars.
    """

    average: float = 0.0
    count: int = 0
    distribution: list[int] = msgspec.field(default_factory=lambda: [0, 0, 0, 0, 0])

    @classmethod
    def of(cls, stars: Iterable[int]) -> RatingSummary:
        distribution = [0, 0, 0, 0, 0]
        for value in stars:
            distribution[value - 1] += 1
        count = sum(distribution)
        total = sum(n * (index + 1) for index, n in enumerate(distribution))
        # Rounded once, here, so every writer stores the same number for the same reviews.
        average = round(total / count, 2) if count else 0.0
        return cls(average=average, count=count, distribution=distribution)

    def share(self, stars: int) -> int:
        """The percentage of reviews with `stars`, for the distribution bars."""
        return round(100 * self.distribution[stars - 1] / self.count) if self.count else 0


class BookingRules(msgspec.Struct, frozen=True, kw_only=True):
    min_hours: int
    free_cancellation_hours: int
    instant_booking: bool


class Service(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId | None = msgspec.field(default=None, name="_id")
    slug: str
    name: str
    short_title: str
    category: Category
    image: str
    featured: bool = False
    currency: str
    price_per_hour: int
    price_per_day: int
    service_types: list[ServiceType]
    working_hours: str
    emergency_support: bool
    age_group: str | None = None
    requirements: CaregiverRequirements
    highlights: list[str]
    description: str
    responsibilities: list[str]
    safety_measures: list[str]
    rating: RatingSummary = msgspec.field(default_factory=RatingSummary)
    divisions: list[str]
    at_home: bool = True
    booking_rules: BookingRules
    seo_title: str
    seo_description: str
    status: ServiceStatus = "active"
    created_at: datetime
    updated_at: datetime
    # The same words in Bangla, shown through `local(service, "name")`; empty means the
    # English is shown.
    name_bn: str = ""
    short_title_bn: str = ""
    description_bn: str = ""
    working_hours_bn: str = ""
    age_group_bn: str = ""
    highlights_bn: list[str] = msgspec.field(default_factory=list)
    responsibilities_bn: list[str] = msgspec.field(default_factory=list)
    safety_measures_bn: list[str] = msgspec.field(default_factory=list)
    seo_title_bn: str = ""
    seo_description_bn: str = ""

    @property
    def type_names(self) -> list[str]:
        return [SERVICE_TYPE_LABELS[kind] for kind in self.service_types]

    @property
    def description_paragraphs(self) -> list[str]:
        return _paragraphs(self.description)

    @property
    def description_paragraphs_bn(self) -> list[str]:
        return _paragraphs(self.description_bn)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


class ServiceFilter(msgspec.Struct, frozen=True, kw_only=True):
    """A validated catalogue query; only whitelisted values reach the repository."""

    text: str | None = None
    category: Category | None = None
    divisions: tuple[str, ...] = ()
    min_rating: float | None = None
    sort: ServiceSort = "recommended"

    @classmethod
    def from_query(
        cls,
        *,
        text: str | None,
        category: str | None,
        divisions: list[str] | None,
        min_rating: str | None,
        sort: str | None,
    ) -> ServiceFilter:
        """Decode raw query values; empty form fields mean "no filter"."""
        fields: dict[str, str] = {}
        parsed_category = None
        if category:
            try:
                parsed_category = Category(category)
            except ValueError:
                fields["category"] = Text("Choose one of the listed categories.")
        parsed_rating = None
        if min_rating:
            try:
                parsed_rating = parse_min_rating(min_rating)
            except ValueError:
                fields["min_rating"] = MIN_RATING_PROBLEM
        if sort and sort not in SERVICE_SORTS:
            fields["sort"] = Text("Choose one of the listed sort orders.")
        if fields:
            raise Invalid(fields, Text("Some filters could not be used."))
        return cls(
            text=(text or "").strip() or None,
            category=parsed_category,
            divisions=tuple(dict.fromkeys(d for d in divisions or () if d)),
            min_rating=parsed_rating,
            sort=sort or "recommended",  # type: ignore[arg-type]
        )

    def query_pairs(self, page: int | None = None) -> list[tuple[str, str]]:
        """The filter as URL query pairs, so links keep the state a page shows."""
        pairs: list[tuple[str, str]] = []
        if self.text:
            pairs.append(("q", self.text))
        if self.category:
            pairs.append(("category", self.category.value))
        pairs.extend(("division", d) for d in self.divisions)
        if self.min_rating is not None:
            pairs.append(("min_rating", f"{self.min_rating:g}"))
        if self.sort != "recommended":
            pairs.append(("sort", self.sort))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return pairs

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.category or self.divisions or self.min_rating)


SERVICE_SORTS: dict[str, str] = {
    "recommended": Text("Recommended"),
    "rating": Text("Highest rated"),
    "price_asc": Text("Price: low to high"),
    "price_desc": Text("Price: high to low"),
    "newest": Text("Newest"),
}
