"""A wait abandoned on shutdown: the result when it comes first, Stopped when stop does."""

from __future__ import annotations

import asyncio

import pytest

from carevia.domain.shared.stopping import Stopped, before_stop


async def test_the_result_comes_back_when_it_arrives_before_stop() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert await before_stop(answer(), asyncio.Event()) == 42


async def test_a_stop_abandons_the_wait_and_cancels_it() -> None:
    never = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.01, stop.set)

    with pytest.raises(Stopped):
        await before_stop(never, stop)

    assert never.cancelled()


async def test_an_error_from_the_wait_is_raised_as_it_is() -> None:
    async def fail() -> None:
        raise LookupError("gone")

    with pytest.raises(LookupError, match="gone"):
        await before_stop(fail(), asyncio.Event())
