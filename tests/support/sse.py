"""Live-event test helpers: read an SSE stream over real HTTP with timeouts, get tickets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.notifications import NotificationRepository
from tests.support.accounts import DEFAULT_PASSWORD


@dataclass
class Message:
    id: str | None = None
    event: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)

    @property
    def payload(self) -> Any:
        return json.loads(self.data)


class EventStream:
    """Parses `id:`, `event:`, `data:` and `: comment` lines of one open response.

    A background task reads the lines, so a timed-out wait never disturbs the stream.
    """

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.raw: list[str] = []
        self.error: httpx.HTTPError | None = None
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for line in self.response.aiter_lines():
                await self._queue.put(line)
        except httpx.HTTPError as error:  # e.g. the server cut the response short
            self.error = error
        finally:
            await self._queue.put(None)

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await self._reader

    async def _line(self, within: float) -> str:
        line = await asyncio.wait_for(self._queue.get(), within)
        if line is None:
            self._queue.put_nowait(None)
            raise EOFError("the server ended the stream")
        self.raw.append(line)
        return line

    async def next_block(self, within: float = 5) -> Message:
        """The next blank-line-terminated block: an event, or a heartbeat comment."""
        message = Message()
        deadline = asyncio.get_running_loop().time() + within
        data: list[str] = []
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            line = await self._line(max(remaining, 0.001))
            if not line:
                if data or message.comments or message.event or message.id:
                    message.data = "\n".join(data)
                    return message
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                message.comments.append(value)
            elif name == "id":
                message.id = value
            elif name == "event":
                message.event = value
            elif name == "data":
                data.append(value)

    async def next_event(self, within: float = 5) -> Message:
        """The next real event, skipping heartbeat comments."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            message = await self.next_block(max(remaining, 0.001))
            if message.event is not None or message.id is not None:
                return message

    async def events(self, count: int, within: float = 5) -> list[Message]:
        return [await self.next_event(within) for _ in range(count)]

    async def nothing_more(self, within: float = 0.7) -> list[Message]:
        """Events that arrive within `within` seconds; a quiet stream gives []."""
        found: list[Message] = []
        try:
            while True:
                found.append(await self.next_event(within))
        except TimeoutError:
            return found


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> AsyncIterator[EventStream]:
    async with client.stream("GET", url, headers=headers, timeout=30) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = EventStream(response)
        try:
            yield stream
        finally:
            await stream.close()


async def bearer(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post(
        "/api/v1/auth/token", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def ticket_url(client: httpx.AsyncClient) -> str:
    """A fresh stream URL from `POST /api/v1/events/ticket`, as the dashboard asks for it."""
    response = await client.post("/api/v1/events/ticket")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 60
    assert body["url"] == f"/dashboard/events?ticket={body['ticket']}"
    url: str = body["url"]
    return url


async def add_notifications(
    database: AsyncDatabase[dict[str, Any]], count: int, **fields: Any
) -> list[int]:
    """Stored as the booking transitions store them, then numbered; returns their numbers."""
    repository = NotificationRepository(database)
    keys = []
    for _ in range(count):
        tag = ObjectId()
        added = await repository.add(
            "booking.updated",
            dedupe_key=f"test:{tag}",
            data={"code": f"CV-{str(tag)[-6:].upper()}", "status": "confirmed"},
            now=datetime.now(UTC),
            booking_code=f"CV-{str(tag)[-6:].upper()}",
            **fields,
        )
        keys.append(added)
    await repository.sequence()  # as the hub of any process would
    return await repository.numbers_of(keys)


@asynccontextmanager
async def api_client(base_url: str, user: User) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {await bearer(client, user.email)}"
        yield client


@asynccontextmanager
async def signed_in(base_url: str, user: User) -> AsyncIterator[httpx.AsyncClient]:
    """A browser with the user's session cookie, as after the login form."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        login = await client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)
        assert token
        form = {"email": user.email, "password": DEFAULT_PASSWORD, "_csrf_token": token[1]}
        assert (await client.post("/login", data=form)).status_code in {200, 303}
        yield client
