"""A reconnect storm, as after a deploy: every dashboard opens its stream at the same moment."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from pymongo import monitoring
from pymongo.asynchronous.database import AsyncDatabase

from carevia.controllers import events
from carevia.domain.accounts import User
from carevia.domain.notifications.hub import NotificationHub
from carevia.settings import Settings
from tests.support.accounts import UserFactory
from tests.support.served_app import app_on_a_free_port
from tests.support.sse import EventStream, add_notifications, api_client, open_stream, ticket_url

Database = AsyncDatabase[dict[str, Any]]
STREAMS = 200


class CommandLog(monitoring.CommandListener):
    """The commands every client made after it was registered, by name and collection."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, Any]] = []
        self.listening = True  # pymongo offers no way to unregister

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.listening:
            self.commands.append((event.command_name, event.command.get(event.command_name)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def count(self, name: str, collection: str) -> int:
        return sum(1 for command in self.commands if command == (name, collection))


@pytest.fixture
def command_log() -> Iterator[CommandLog]:
    log = CommandLog()
    monitoring.register(log)  # applies to the clients created from now on
    yield log
    log.listening = False


@pytest.fixture
def served(command_log: CommandLog, settings: Settings) -> Iterator[str]:
    with app_on_a_free_port(settings) as base_url:
        yield base_url


@pytest.fixture
async def staff(served: str, make_user: UserFactory) -> AsyncIterator[httpx.AsyncClient]:
    admin: User = await make_user("ops@example.com", role="admin")
    async with api_client(served, admin) as client:
        yield client


async def open_all(browser: httpx.AsyncClient, urls: list[str], stack: AsyncExitStack) -> list[Any]:
    """Send every request at once; the responses, kept open by `stack`."""
    requests = [browser.build_request("GET", url) for url in urls]
    responses = await asyncio.gather(*(browser.send(r, stream=True) for r in requests))
    for response in responses:
        stack.push_async_callback(response.aclose)
    return responses


async def test_two_hundred_streams_opened_at_once_all_open_and_all_get_the_next_event(
    served: str, staff: httpx.AsyncClient, database: Database, command_log: CommandLog
) -> None:
    urls = await asyncio.gather(*(ticket_url(staff) for _ in range(STREAMS)))
    limits = httpx.Limits(max_connections=STREAMS + 10)
    command_log.commands.clear()
    async with (
        httpx.AsyncClient(base_url=served, timeout=30, limits=limits) as browser,
        AsyncExitStack() as stack,
    ):
        responses = await open_all(browser, urls, stack)
        assert [r.status_code for r in responses] == [200] * STREAMS
        # Tickets are checked in shared batches, not with a round trip per stream (an idle
        # machine needs 2 or 3 batches; the bound leaves room for a busy one).
        redeemed = command_log.count("insert", "event_tickets")
        assert 0 < redeemed < STREAMS // 2, redeemed
        assert command_log.count("find", "users") <= redeemed
        streams = [EventStream(response) for response in responses]
        for stream in streams:
            stack.push_async_callback(stream.close)
        (sent,) = await add_notifications(database, 1)
        received = await asyncio.gather(*(stream.next_event(within=10) for stream in streams))
        assert {int(message.id or 0) for message in received} == {sent}


async def test_a_stream_that_cannot_be_served_yet_is_told_when_to_retry(
    served: str, staff: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await ticket_url(staff)
    monkeypatch.setattr(NotificationHub, "ready", property(lambda hub: False))
    async with httpx.AsyncClient(base_url=served, timeout=30) as browser:
        delays = set()
        for _ in range(6):
            answer = await browser.get(url)
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            retry = re.search(r"^retry: (\d+)$", answer.text, re.MULTILINE)
            assert retry, answer.text
            delays.add(int(retry[1]))
        low, high = events.RETRY_MS
        assert all(low <= delay <= high for delay in delays)
        assert len(delays) > 1, "every client would come back at the same moment"
        monkeypatch.undo()
        # The ticket was not spent on the answers that said "later".
        async with open_stream(browser, url) as stream:
            assert await stream.nothing_more(within=0.5) == []
