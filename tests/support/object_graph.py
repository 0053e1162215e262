"""Walking the app's object graph: which of our objects one root reaches, each counted once."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def reachable(root: object) -> list[object]:
    """Every Carevia object reachable through attributes from `root`, `root` included."""
    seen: dict[int, object] = {}
    pending: list[object] = [root]
    while pending:
        current = pending.pop()
        if id(current) in seen or not type(current).__module__.startswith("carevia."):
            continue
        seen[id(current)] = current
        attributes: dict[str, Any] = getattr(current, "__dict__", {})
        pending.extend(attributes.values())
        for name in getattr(type(current), "__dataclass_fields__", {}):
            pending.append(getattr(current, name))
    return list(seen.values())


def instances_of(root: object, kind: type[T]) -> list[T]:
    return [found for found in reachable(root) if isinstance(found, kind)]
