from __future__ import annotations

from pathlib import Path

import msgspec


class Division(msgspec.Struct, frozen=True):
    name: str
    districts: tuple[str, ...]


class _Coverage(msgspec.Struct, frozen=True):
    divisions: tuple[Division, ...]


DIVISIONS: tuple[Division, ...] = msgspec.json.decode(
    (Path(__file__).with_name("bangladesh.json")).read_bytes(), type=_Coverage
).divisions
DIVISION_NAMES: tuple[str, ...] = tuple(d.name for d in DIVISIONS)
_DISTRICTS = {d.name: frozenset(d.districts) for d in DIVISIONS}


def is_known_division(name: str) -> bool:
    return name in _DISTRICTS


def districts_of(division: str) -> tuple[str, ...]:
    for candidate in DIVISIONS:
        if candidate.name == division:
            return candidate.districts
    return ()


def is_valid_location(division: str, district: str) -> bool:
    return district in _DISTRICTS.get(division, frozenset())
