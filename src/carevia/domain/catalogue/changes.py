"""Which public data changed, as version numbers that move on every write.

Pages cached for signed-out visitors are kept with the versions they were drawn from and
served only while those versions stand, so correctness never depends on an expiry time:

- this process's own writes move the version the moment the server acknowledges them
  (a command listener on the one client), and again when a transaction that made them
  commits, so the next read in this process already sees them;
- other processes' writes (and any other client's) arrive through one change stream on the
  database. While that stream is not followed, `following` is false and nothing cached
  may be served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from pymongo import monitoring
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared.stopping import Stopped, before_stop

logger = logging.getLogger(__name__)

# What each kind of page is drawn from. The catalogue: services, their reviews, the
# caregivers listed with them, whether those accounts may act, and their pictures.
# Free time: the bookings and claimed slots behind each caregiver's "next free".
TOPIC_COLLECTIONS: Mapping[str, frozenset[str]] = {
    "catalogue": frozenset({"services", "reviews", "caregivers", "users", "uploads.files"}),
    "free_time": frozenset({"bookings", "slot_claims"}),
}
WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify"})
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)


class DataVersions(monitoring.CommandListener):
    """Version numbers per topic, moved by this client's writes and by the change stream."""

    def __init__(self, database_name: str) -> None:
        self._database_name = database_name
        self._versions = dict.fromkeys(TOPIC_COLLECTIONS, 0)
        self._topic_of = {
            collection: topic
            for topic, collections in TOPIC_COLLECTIONS.items()
            for collection in collections
        }
        # request id -> topic of a write in flight; session id -> topics its transaction
        # wrote; request id -> topics of a commit in flight
        self._writes: dict[int, tuple[str, bytes | None]] = {}
        self._transactions: dict[bytes, set[str]] = {}
        self._commits: dict[int, set[str]] = {}
        self.following = False

    def current(self, topics: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self._versions[topic] for topic in topics)

    def moved(self, *topics: str) -> None:
        for topic in topics or tuple(self._versions):
            self._versions[topic] += 1

    # The command listener: called synchronously by the driver before a write returns.

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in WRITE_COMMANDS and event.database_name == self._database_name:
            topic = self._topic_of.get(str(event.command.get(event.command_name)))
            if topic is not None:
                self._writes[event.request_id] = (topic, _session_of(event.command))
        elif event.command_name in ("commitTransaction", "abortTransaction"):  # on admin
            session = _session_of(event.command)
            topics = self._transactions.pop(session, None) if session else None
            if topics:
                self._commits[event.request_id] = topics

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finished(event.request_id)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finished(event.request_id)

    def _finished(self, request_id: int) -> None:
        committed = self._commits.pop(request_id, None)
        if committed:
            self.moved(*committed)
        write = self._writes.pop(request_id, None)
        if write is None:
            return
        topic, session = write
        self.moved(topic)
        if session is not None:
            # Inside a transaction the write shows only at commit, so move again then.
            self._transactions.setdefault(session, set()).add(topic)

    # The change stream: every other writer.

    async def follow(self, database: AsyncDatabase[dict[str, Any]], stop: asyncio.Event) -> None:
        """Move the versions on every change anyone makes, until `stop`; reopen on failure."""
        watched = sorted(self._topic_of)
        pipeline = [{"$match": {"ns.coll": {"$in": watched}}}]
        failures = 0
        while not stop.is_set():
            try:
                async with await database.watch(pipeline, max_await_time_ms=250) as stream:
                    # Whatever changed while no stream was open is unknown: start afresh.
                    self.moved()
                    self.following = True
                    failures = 0
                    while not stop.is_set():
                        try:
                            change = await before_stop(stream.try_next(), stop)
                        except Stopped:
                            return
                        if change is not None:
                            self.moved(self._topic_of[change["ns"]["coll"]])
            except asyncio.CancelledError:
                raise
            except Exception as failure:
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                logger.warning("page version stream failed (%s); retry in %.1f s", failure, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
            finally:
                self.following = False


def _session_of(command: Mapping[str, Any]) -> bytes | None:
    """The session id of a command that runs inside a transaction, else None."""
    if "txnNumber" not in command or "lsid" not in command:
        return None
    return bytes(command["lsid"]["id"])
