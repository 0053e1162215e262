"""A TCP proxy on loopback between the app and its database, for injecting faults.

It forwards bytes both ways on its own event loop in a thread, so it keeps working while
the app's loop or the test's loop waits. Knobs, callable from any thread:
`latency` (seconds added to every chunk), `pause()`/`resume()` (hold all traffic),
`cut()` (close every open connection), and `pause_on(marker)` / `cut_on(marker)` (act
when the app sends a message containing those bytes, before it reaches the server).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Literal
from urllib.parse import urlsplit

import msgspec
import pytest

from carevia.embedded_db import free_loopback_port
from carevia.settings import Settings

Trigger = tuple[bytes, Literal["pause", "cut"]]
# Production gives a request 2 s of database time and promises an answer within 2.5 s; the
# fault tests give it 1 s (to stay quick) and hold it to the same half second over its budget.
BUDGET_MS = 1000
ANSWER_WITHIN = BUDGET_MS / 1000 + 0.5
RECOVER_WITHIN = 5.0


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_loopback_port()
        self.latency = 0.0
        self.triggered = threading.Event()
        self._trigger: Trigger | None = None
        self._loop = asyncio.new_event_loop()
        self._flowing = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self) -> None:
        self._thread.start()
        self._call(self._flowing.set)
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shut_down(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def pause(self) -> None:
        self._call(self._flowing.clear)

    def resume(self) -> None:
        self._trigger = None
        self._call(self._flowing.set)

    def cut(self) -> None:
        self._call(self._close_all)

    def pause_on(self, marker: bytes) -> None:
        self.triggered.clear()
        self._trigger = (marker, "pause")

    def cut_on(self, marker: bytes) -> None:
        self.triggered.clear()
        self._trigger = (marker, "cut")

    def _call(self, action: object) -> None:
        assert callable(action)
        self._loop.call_soon_threadsafe(action)

    def _close_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _shut_down(self) -> None:
        self._server.close()
        self._close_all()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer, watch=True),
            self._pipe(up_reader, writer, watch=False),
            return_exceptions=True,
        )
        for end in (writer, up_writer):
            self._writers.discard(end)
            end.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, watch: bool
    ) -> None:
        while chunk := await reader.read(65536):
            if watch and (trigger := self._trigger) is not None and trigger[0] in chunk:
                self._trigger = None
                self.triggered.set()
                if trigger[1] == "cut":
                    self._close_all()
                    return
                self._flowing.clear()
            await self._flowing.wait()
            if self.latency:
                await asyncio.sleep(self.latency)
            if writer.transport.is_closing():
                return
            writer.write(chunk)
            await writer.drain()
        writer.transport.abort()


@pytest.fixture
def fault_proxy(mongo_uri: str) -> Iterator[FaultProxy]:
    """A proxy in front of the test database server; point the app at `fault_proxy.uri`."""
    address = urlsplit(mongo_uri)
    proxy = FaultProxy(address.hostname or "127.0.0.1", address.port or 27017)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


def through_proxy(settings: Settings, proxy: FaultProxy) -> Settings:
    """The app's settings with its database reached through `proxy`, on the tests' budget."""
    database = msgspec.structs.replace(settings.database, uri=proxy.uri, timeout_ms=BUDGET_MS)
    return msgspec.structs.replace(settings, database=database)


def bson_command(name: str, collection: str) -> bytes:
    """How a command on a collection starts on the wire: a BSON string element."""
    value = collection.encode() + b"\x00"
    return b"\x02" + name.encode() + b"\x00" + len(value).to_bytes(4, "little") + value
