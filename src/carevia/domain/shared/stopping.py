"""Waiting on something that may take a while, in a loop that must end promptly on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class Stopped(Exception):
    """`stop` was set before the awaited result came; the wait was abandoned."""


async def before_stop(awaitable: Awaitable[T], stop: asyncio.Event) -> T:
    """The result of `awaitable`, or Stopped as soon as `stop` is set.

    A change stream's quiet wait lasts until the server's `maxAwaitTimeMS`; a shutdown (each
    deploy, each test's app) should not sit it out, so the wait is cancelled instead.
    """
    waiting = asyncio.ensure_future(awaitable)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not waiting.done():
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
    if waiting.cancelled():
        raise Stopped
    return waiting.result()
