"""One watcher per process that fans new notifications out to the connected streams.

The watcher follows a change stream on `notifications` (or polls where the server has
none), numbers what writers committed (see store.py) and publishes in number order; each
stream only holds a bounded queue of its own. The last `TAIL_SIZE` notifications stay in
memory, so a stream that reconnects is usually served without reading the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from types import TracebackType

from bson import ObjectId
from pymongo.errors import OperationFailure

from carevia.domain.notifications.scoping import Viewer, visible_to
from carevia.domain.notifications.store import Notification, NotificationRepository
from carevia.domain.shared.stopping import Stopped, before_stop

logger = logging.getLogger("carevia.notifications")

QUEUE_SIZE = 256
POLL_SECONDS = 0.5
# A later id can commit before an earlier one; wait this long for the earlier one.
GAP_GRACE_SECONDS = 1.0
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 5.0)
PAGE = 100
TAIL_SIZE = 1024  # about 1 KiB each; enough for every dashboard that dropped in a deploy


class Subscription:
    """A stream's view of the hub: an async iterator and a context manager that unsubscribes.

    `watermark` is the last id the hub had published when the subscription began, so
    everything above it arrives here and everything up to it can be read from the database.
    """

    def __init__(self, hub: NotificationHub, viewer: Viewer, size: int) -> None:
        self.viewer = viewer
        self.watermark = hub.last_id
        self._hub = hub
        self._queue: asyncio.Queue[Notification | None] = asyncio.Queue(size)
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def offer(self, notification: Notification) -> bool:
        """Queue without waiting; False when the reader has fallen `size` events behind."""
        if self._closed:
            return False
        try:
            self._queue.put_nowait(notification)
        except asyncio.QueueFull:
            return False
        return True

    def close(self) -> None:
        """End the iteration at once: queued events are dropped, a waiting reader wakes up."""
        if self._closed:
            return
        self._closed = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)
        self._hub.unsubscribe(self)

    async def get(self, within: float | None = None) -> Notification | None:
        """The next notification; None after `within` seconds or once closed (see `closed`)."""
        if self._closed:
            return None
        try:
            return await asyncio.wait_for(self._queue.get(), within)
        except TimeoutError:
            return None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Notification:
        notification = await self.get()
        if notification is None:
            raise StopAsyncIteration
        return notification

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class NotificationHub:
    def __init__(
        self,
        repository: NotificationRepository,
        *,
        queue_size: int = QUEUE_SIZE,
        poll_seconds: float = POLL_SECONDS,
        gap_grace: float = GAP_GRACE_SECONDS,
        tail_size: int = TAIL_SIZE,
    ) -> None:
        self._repository = repository
        self._queue_size = queue_size
        self._poll_seconds = poll_seconds
        self._gap_grace = gap_grace
        self._subscribers: set[Subscription] = set()
        self._pending: dict[int, Notification] = {}
        self._tail: deque[Notification] = deque(maxlen=tail_size)
        self._gap_since: float | None = None
        self._failures = 0  # in a row; sets the backoff before the next reconnect
        self.last_id: int | None = None  # the last id published; None until `run` starts
        self.uses_change_stream = True

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @property
    def ready(self) -> bool:
        """True once the hub knows where the stored notifications end."""
        return self.last_id is not None

    def replay(self, viewer: Viewer, cursor: int, upto: int) -> list[Notification] | None:
        """What `viewer` may see in `cursor < id <= upto`, from memory; None if not all there.

        `upto` is a subscription's watermark, so everything up to it has been published.
        """
        if cursor >= upto:
            return []
        if not self._tail or cursor < self._tail[0].id - 1:
            return None
        return [n for n in self._tail if cursor < n.id <= upto and visible_to(n, viewer)]

    def subscribe(self, viewer: Viewer) -> Subscription:
        subscription = Subscription(self, viewer, self._queue_size)
        self._subscribers.add(subscription)
        return subscription

    def close_streams_of(self, user_id: ObjectId) -> int:
        """End every stream this user reads, at once; the number ended.

        Called when the user is disabled, changes role or is deleted. Streams served by
        another process end at their own next re-check of the reader.
        """
        ended = [s for s in self._subscribers if s.viewer.user_id == user_id]
        for subscription in ended:
            subscription.close()
        return len(ended)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)
        if not subscription.closed:
            subscription.close()

    async def run(self, stop: asyncio.Event) -> None:
        """Follow new notifications until `stop`; errors are logged and the watch reopened."""
        try:
            while not stop.is_set():
                try:
                    if self.last_id is None:
                        await self._start()
                    if self.uses_change_stream:
                        await self._follow_change_stream(stop)
                    else:
                        await self._poll(stop)
                except Exception as failure:
                    if stop.is_set():
                        break  # the database may go away first while the process shuts down
                    delay = BACKOFF_SECONDS[min(self._failures, len(BACKOFF_SECONDS) - 1)]
                    self._failures += 1
                    if self._failures == 1:
                        logger.exception("notification watch failed; reconnecting in %.1f s", delay)
                    else:
                        logger.warning(
                            "notification watch still failing (%s); retry in %.1f s", failure, delay
                        )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=delay)
        finally:
            for subscription in list(self._subscribers):
                subscription.close()

    async def _start(self) -> None:
        await self._repository.sequence()
        recent = await self._repository.latest(self._tail.maxlen or 0)
        self._tail.extend(recent)
        # Not the counter: numbers given after `latest` read would count as published.
        self.last_id = recent[-1].id if recent else 0

    def offer(self, notification: Notification) -> None:
        """Take one inserted notification; repeats and ids already published are ignored."""
        last = self.last_id or 0
        if notification.id > last:
            self._pending.setdefault(notification.id, notification)
        self._flush()

    async def _follow_change_stream(self, stop: asyncio.Event) -> None:
        try:
            stream = await self._repository.watch_changes(int(self._poll_seconds * 1000))
        except OperationFailure as refused:
            logger.warning("no change streams on this server (%s); polling instead", refused)
            self.uses_change_stream = False
            return
        async with stream:
            await self._catch_up()  # whatever was inserted while no stream was open
            self._failures = 0
            while not stop.is_set():
                try:
                    change = await before_stop(stream.next_change(), stop)
                except Stopped:
                    return
                if isinstance(change, Notification):
                    self.offer(change)
                elif change is True:  # committed without a number: number it
                    await self._repository.sequence()
                elif change is None:  # quiet: number what a process that died left behind
                    await self._repository.sequence()
                    if self._pending:  # a gap: look for the missing ids, or give up on them
                        await self._catch_up()

    async def _poll(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._repository.sequence()
            await self._catch_up()
            self._failures = 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._poll_seconds)

    async def _catch_up(self) -> None:
        cursor = self.last_id or 0
        while True:
            batch = await self._repository.after(cursor, PAGE)
            for notification in batch:
                self.offer(notification)
            if len(batch) < PAGE:
                break
            cursor = batch[-1].id
        self._flush()

    def _flush(self) -> None:
        """Publish pending notifications in id order, holding briefly at a gap."""
        while self._pending:
            following = (self.last_id or 0) + 1
            if following in self._pending:
                self._publish(self._pending.pop(following))
                continue
            now = time.monotonic()
            if self._gap_since is None:
                self._gap_since = now
            if now - self._gap_since < self._gap_grace:
                return
            lowest = min(self._pending)
            logger.warning("notification ids %d..%d never appeared", following, lowest - 1)
            self._publish(self._pending.pop(lowest))
        self._gap_since = None

    def _publish(self, notification: Notification) -> None:
        self.last_id = notification.id
        self._gap_since = None
        self._tail.append(notification)
        for subscription in list(self._subscribers):
            if not visible_to(notification, subscription.viewer):
                continue
            if not subscription.offer(notification):
                # A slow client is disconnected instead of buffering without bound.
                logger.info("dropping a live-event subscriber that fell behind")
                subscription.close()
