"""Bangladesh's divisions and districts, kept as data in the repository."""

from carevia.domain.coverage.regions import (
    DIVISION_NAMES,
    DIVISIONS,
    Division,
    districts_of,
    is_known_division,
    is_valid_location,
    place_name,
)

__all__ = [
    "DIVISIONS",
    "DIVISION_NAMES",
    "Division",
    "districts_of",
    "is_known_division",
    "is_valid_location",
    "place_name",
]
