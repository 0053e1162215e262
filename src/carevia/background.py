"""Periodic jobs that run inside each app process (expiring holds, reconciling payments)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger("carevia.background")


async def run_every(
    seconds: float, job: Callable[[], Awaitable[object]], stop: asyncio.Event, name: str
) -> None:
    """Run `job` now and then every `seconds` until `stop`; a failing run is logged, not fatal.

    Every job is written to be safe when several processes run it at once.
    """
    while not stop.is_set():
        try:
            await job()
        except Exception:
            logger.exception("background job %s failed", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
