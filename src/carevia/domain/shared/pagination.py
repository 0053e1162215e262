from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")


class PageRequest(msgspec.Struct, frozen=True):
    number: int
    size: int

    @property
    def skip(self) -> int:
        return (self.number - 1) * self.size


class Page(msgspec.Struct, Generic[T], frozen=True):
    items: Sequence[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.size)


def clamp_page(requested: int, total: int, size: int) -> PageRequest:
    """A page number outside 1..last is moved to the nearest real page."""
    last = max(1, math.ceil(total / size))
    return PageRequest(number=min(max(1, requested), last), size=size)


def listing_query(
    filters: msgspec.Struct,
    page: int | None = None,
    size: int | None = None,
    default_size: int | None = None,
) -> list[tuple[str, str]]:
    """A listing's filters as URL query pairs, leaving out defaults, so links keep the state."""
    defaults = type(filters)()
    pairs = [
        (name, str(value))
        for name in filters.__struct_fields__
        if (value := getattr(filters, name)) and value != getattr(defaults, name)
    ]
    if size and size != default_size:
        pairs.append(("size", str(size)))
    if page and page > 1:
        pairs.append(("page", str(page)))
    return pairs


def query_fields(filters: type[msgspec.Struct], params: Mapping[str, Any]) -> dict[str, str]:
    """The listing's fields that a query string sets, trimmed; empty ones fall to defaults."""
    return {
        name: str(params[name]).strip()
        for name in filters.__struct_fields__
        if params.get(name) not in (None, "")
    }
