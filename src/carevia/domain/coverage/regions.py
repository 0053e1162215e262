from __future__ import annotations

from pathlib import Path

import msgspec

from carevia.domain.shared.language import current_language


class Division(msgspec.Struct, frozen=True):
    name: str
    districts: tuple[str, ...]


class _Coverage(msgspec.Struct, frozen=True):
    divisions: tuple[Division, ...]
    # Each division's and district's name as it is written in Bangla.
    names_bn: dict[str, str]


_COVERAGE = msgspec.json.decode(
    (Path(__file__).with_name("bangladesh.json")).read_bytes(), type=_Coverage
)
DIVISIONS: tuple[Division, ...] = _COVERAGE.divisions
DIVISION_NAMES: tuple[str, ...] = tuple(d.name for d in DIVISIONS)
_DISTRICTS = {d.name: frozenset(d.districts) for d in DIVISIONS}


def place_name(name: str) -> str:
    """A division or district as the reader writes it; the English name is what is stored."""
    if current_language() == "bn":
        return _COVERAGE.names_bn.get(name, name)
    return name


def is_known_division(name: str) -> bool:
    return name in _DISTRICTS


def districts_of(division: str) -> tuple[str, ...]:
    for candidate in DIVISIONS:
        if candidate.name == division:
            return candidate.districts
    return ()


def is_valid_location(division: str, district: str) -> bool:
    return district in _DISTRICTS.get(division, frozenset())
