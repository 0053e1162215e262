"""A fixed, reproducible list of values from a Hypothesis strategy, for async tests to send."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st


def examples(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """Up to `count` values, the same on every run; drawn without I/O, so any loop can send them.

    Hypothesis cannot drive an async test that shares the app's event loop, so the values are
    drawn first and the test sends them itself.
    """
    drawn: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn
