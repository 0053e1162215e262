"""The reference for bench/sse.py: raw fan-out with Litestar's own SSE and nothing else.

`GET /events` streams every `POST /fire` to every subscriber: no tickets, no database, no
scoping. Run by bench/sse.py as `uvicorn sse_reference:app`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

from litestar import Litestar, get, post
from litestar.response import ServerSentEvent, ServerSentEventMessage

subscribers: set[asyncio.Queue[str]] = set()
numbers = itertools.count(1)


async def follow(queue: asyncio.Queue[str]) -> AsyncIterator[ServerSentEventMessage]:
    subscribers.add(queue)
    try:
        while True:
            data = await queue.get()
            yield ServerSentEventMessage(data=data, event="booking.paid", id=str(next(numbers)))
    finally:
        subscribers.discard(queue)


@get("/events")
async def events() -> ServerSentEvent:
    return ServerSentEvent(follow(asyncio.Queue()))


@post("/fire", status_code=200)
async def fire(data: dict[str, str]) -> dict[str, int]:
    for queue in subscribers:
        queue.put_nowait(f'{{"code": "{data["code"]}"}}')
    return {"subscribers": len(subscribers)}


@get("/readyz")
async def ready() -> str:
    return "ok"


app = Litestar([events, fire, ready])
