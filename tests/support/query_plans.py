"""Reading what `explain()` says about how a query runs."""

from __future__ import annotations

from typing import Any


def stages(plan: Any) -> list[str]:
    """Every stage name in an explain() plan tree."""
    if isinstance(plan, dict):
        found = [plan["stage"]] if isinstance(plan.get("stage"), str) else []
        return found + [stage for value in plan.values() for stage in stages(value)]
    if isinstance(plan, list):
        return [stage for item in plan for stage in stages(item)]
    return []
