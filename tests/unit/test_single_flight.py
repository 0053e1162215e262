"""Work done once at a time per key: the others share its answer or its failure."""

from __future__ import annotations

import asyncio

import pytest

from carevia.domain.shared.single_flight import Interrupted, SingleFlight, Turns


async def test_callers_who_come_while_the_work_runs_share_its_result() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        await release.wait()
        return 42

    callers = [asyncio.create_task(flight.run("evt_1", work)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    answers = await asyncio.gather(*callers)
    assert runs == 1
    assert sorted(answers) == [(False, 42)] * 4 + [(True, 42)]
    assert await flight.run("evt_1", work) == (True, 42), "a later caller does the work again"
    assert runs == 2


async def test_a_failure_reaches_every_waiting_caller() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()

    async def work() -> int:
        await release.wait()
        raise LookupError("the database went away")

    callers = [asyncio.create_task(flight.run("evt_1", work)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    answers = await asyncio.gather(*callers, return_exceptions=True)
    assert [type(a) for a in answers] == [LookupError] * 3


async def test_an_interrupted_worker_fails_its_waiters_and_a_waiter_leaving_stops_nothing() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()

    async def work() -> int:
        await release.wait()
        return 7

    worker = asyncio.create_task(flight.run("evt_1", work))
    await asyncio.sleep(0)
    impatient = asyncio.create_task(flight.run("evt_1", work))
    patient = asyncio.create_task(flight.run("evt_1", work))
    await asyncio.sleep(0)
    impatient.cancel()
    await asyncio.sleep(0)
    assert not worker.done(), "a waiter leaving does not cancel the work"
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    with pytest.raises(Interrupted):
        await patient
    release.set()
    assert await flight.run("evt_1", work) == (True, 7)


async def test_holders_of_one_key_take_turns_and_other_keys_do_not_wait() -> None:
    turns: Turns[str] = Turns()
    order: list[str] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def hold(name: str, key: str) -> None:
        async with turns.take(key):
            order.append(f"{name} in")
            if name == "first":
                first_in.set()
                await release.wait()
            order.append(f"{name} out")

    first = asyncio.create_task(hold("first", "slot"))
    await first_in.wait()
    second = asyncio.create_task(hold("second", "slot"))
    await hold("elsewhere", "other slot")
    await asyncio.sleep(0)
    assert order == ["first in", "elsewhere in", "elsewhere out"], "the second waits its turn"
    release.set()
    await asyncio.gather(first, second)
    assert order[3:] == ["first out", "second in", "second out"]
    assert turns._locks == {}, "keys nobody holds are forgotten"
