"""Work done once at a time per key in this process; who asks meanwhile shares the answer.

Stripe may deliver the same event many times at once. Applied side by side, the deliveries
only conflict in the database and are retried whole, crowding out the one that will win, so
a burst could run past its deadline with none of them done. One delivery applies the event;
the others wait for it and answer from its result (or fail with it, and are sent again).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Interrupted(Exception):
    """The work another caller was doing for the same key stopped before it finished."""


class SingleFlight(Generic[K, T]):
    def __init__(self) -> None:
        self._running: dict[K, asyncio.Future[T]] = {}

    async def run(self, key: K, work: Callable[[], Awaitable[T]]) -> tuple[bool, T]:
        """(True, result) for the caller that did the work, (False, result) for the others."""
        running = self._running.get(key)
        if running is not None:
            # Shielded: a waiter that gives up must not cancel the work it was waiting for.
            return False, await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        # Nobody may be waiting; a failure nobody reads must not be reported as unretrieved.
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._running[key] = future
        try:
            result = await work()
        except asyncio.CancelledError:
            future.set_exception(Interrupted(f"the work for {key!r} was interrupted"))
            raise
        except BaseException as error:
            future.set_exception(error)
            raise
        else:
            future.set_result(result)
            return True, result
        finally:
            del self._running[key]


class Turns(Generic[K]):
    """One holder at a time per key in this process; a key nobody holds or waits for is forgotten.

    Transactions that would all write the same documents (holds of one caregiver's same
    time) only abort each other when run side by side; taking turns, the first commits and
    the others fail at once on the unique key it took.
    """

    def __init__(self) -> None:
        self._locks: dict[K, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def take(self, key: K) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
