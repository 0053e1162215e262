"""The public caregiver directory's filter, validated before it reaches the repository."""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

from carevia.domain.catalogue.models import MIN_RATING_PROBLEM, Category, parse_min_rating
from carevia.domain.coverage import DIVISION_NAMES
from carevia.domain.shared import Invalid
from carevia.domain.shared.text import Text

DirectorySort = Literal["rating", "experience", "newest", "name"]
DIRECTORY_SORTS: dict[str, str] = {
    "rating": Text("Best rated"),
    "experience": Text("Most experienced"),
    "newest": Text("Newest"),
    "name": Text("Name (A to Z)"),
}
MAX_LANGUAGE_LENGTH = 30


class DirectoryFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Who the directory lists: every field narrows, and empty means "any"."""

    category: Category | None = None
    division: str | None = None
    language: str | None = None
    min_rating: float | None = None
    free_on: date | None = None
    sort: DirectorySort = "rating"

    @classmethod
    def from_query(
        cls,
        *,
        category: str | None = None,
        division: str | None = None,
        language: str | None = None,
        min_rating: str | None = None,
        free_on: str | None = None,
        sort: str | None = None,
    ) -> DirectoryFilter:
        """Decode raw query values; a value no form offers is refused, not ignored."""
        errors: dict[str, str] = {}
        parsed_category = None
        if category:
            try:
                parsed_category = Category(category)
            except ValueError:
                errors["category"] = Text("Choose one of the listed kinds of care.")
        if division and division not in DIVISION_NAMES:
            errors["division"] = Text("Choose one of Bangladesh's eight divisions.")
        language = (language or "").strip()
        if len(language) > MAX_LANGUAGE_LENGTH or not language.isprintable():
            errors["language"] = Text("Choose one of the listed languages.")
        parsed_rating = None
        if min_rating:
            try:
                parsed_rating = parse_min_rating(min_rating)
            except ValueError:
                errors["min_rating"] = MIN_RATING_PROBLEM
        day = None
        if free_on:
            day = _iso_date(free_on)
            if day is None:
                errors["free_on"] = Text("Write the date as YYYY-MM-DD.")
        if sort and sort not in DIRECTORY_SORTS:
            errors["sort"] = Text("Choose one of the listed sort orders.")
        if errors:
            raise Invalid(errors, Text("Some filters could not be used."))
        return cls(
            category=parsed_category,
            division=division or None,
            language=language or None,
            min_rating=parsed_rating,
            free_on=day,
            sort=sort or "rating",  # type: ignore[arg-type]
        )

    def query_pairs(self, page: int | None = None) -> list[tuple[str, str]]:
        """The filter as URL query pairs, so links keep the state a page shows."""
        pairs: list[tuple[str, str]] = []
        if self.category:
            pairs.append(("category", self.category.value))
        if self.division:
            pairs.append(("division", self.division))
        if self.language:
            pairs.append(("language", self.language))
        if self.min_rating is not None:
            pairs.append(("min_rating", f"{self.min_rating:g}"))
        if self.free_on:
            pairs.append(("free_on", self.free_on.isoformat()))
        if self.sort != "rating":
            pairs.append(("sort", self.sort))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return pairs

    @property
    def is_empty(self) -> bool:
        """Whether nothing narrows the list; the order alone does not."""
        return msgspec.structs.replace(self, sort="rating") == DirectoryFilter()


def _iso_date(value: str) -> date | None:
    """A YYYY-MM-DD date written in ASCII digits, or None."""
    if len(value) != 10 or not value.isascii():
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
