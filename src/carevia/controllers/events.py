"""Live booking events: tickets for staff streams, the SSE streams, and the JSON feed.

The streams are ordinary Litestar handlers that return sse-starlette's `EventSourceResponse`
as a plain ASGI app. That keeps Litestar's dependency injection, typed query and header
parameters and error envelope for everything before the stream starts, while
sse-starlette owns the stream itself: it notices a client that disconnects (and then
cancels the generator, which unsubscribes), sends `ping` heartbeat comments that Litestar's
own `ServerSentEvent` lacks, drops a client whose socket stops taking data (`send_timeout`),
and on SIGTERM tells each stream to finish (`shutdown_event`), so that uvicorn is not kept
waiting by open streams.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Annotated, Any, cast
from urllib.parse import urlencode

import anyio
import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, HeaderParameter, QueryParameter
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp
from sse_starlette import EventSourceResponse, ServerSentEvent

from carevia.domain.accounts import User
from carevia.domain.auth.service import AuthService
from carevia.domain.notifications.hub import NotificationHub, Subscription
from carevia.domain.notifications.scoping import (
    MAX_PAGE,
    Viewer,
    encode_payload,
    public_payload,
    visible_after,
)
from carevia.domain.notifications.store import Notification, NotificationRepository
from carevia.domain.notifications.tickets import EventTickets, RedemptionDelayed
from carevia.web.auth import AuthInfo
from carevia.web.guards import current_user, require_bearer_for_writes, require_role, require_user
from carevia.web.openapi import errors

logger = logging.getLogger("carevia.events")

PING_SECONDS: float = 15  # heartbeat comments; proxies drop connections idle for longer
SEND_TIMEOUT_SECONDS: float = 10  # a client that takes no data for this long is dropped
RECHECK_SECONDS: float = 30  # how often a quiet stream re-checks that its reader may still read
SHUTDOWN_GRACE_SECONDS: float = 2  # below `carevia serve`'s --timeout-graceful-shutdown of 5
# A stream that cannot be served yet asks the client back after a random delay in this
# range (ms), so that a crowd of reconnecting dashboards spreads out instead of returning at once.
RETRY_MS = (1000, 5000)

StillAllowed = Callable[[], Awaitable[bool]]
LastEventIdHeader = Annotated[str | None, HeaderParameter(name="last-event-id", required=False)]


# Notification ids are 64-bit integers in the database; a larger cursor cannot be queried.
MAX_STORED_ID = 2**63 - 1


class EventTicket(msgspec.Struct, frozen=True):
    ticket: str
    expires_in: int
    url: str


class EventTicketController(Controller):
    path = "/api/v1/events"
    tags = ["events"]
    guards = [require_role("admin", "caregiver"), require_bearer_for_writes]

    @post("/ticket", status_code=200, responses=errors(401, 403))
    async def issue_ticket(
        self, request: Request[User, Any, Any], event_tickets: NamedDependency[EventTickets]
    ) -> Response[EventTicket]:
        """A single-use ticket, valid for 60 seconds, for `GET /dashboard/events?ticket=…`."""
        ticket = await event_tickets.issue(request.user)
        url = "/dashboard/events?" + urlencode({"ticket": ticket})
        return Response(
            EventTicket(ticket=ticket, expires_in=event_tickets.lifetime_seconds, url=url),
            headers={"Cache-Control": "no-store"},
        )


class NotificationApiController(Controller):
    path = "/api/v1/notifications"
    tags = ["events"]
    guards = [require_user, require_bearer_for_writes]

    @get("/", responses=errors(400, 401))
    async def list_notifications(
        self,
        request: Request[User, Any, Any],
        notifications: NamedDependency[NotificationRepository],
        after: Annotated[int, QueryParameter(ge=0, le=MAX_STORED_ID)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
    ) -> list[dict[str, Any]]:
        """The caller's notifications with an id above `after`, oldest first."""
        found = await visible_after(notifications, Viewer.of(request.user), after, limit=limit)
        return [public_payload(notification) for notification in found]


@get("/dashboard/events", name="events.staff", include_in_schema=False)
async def staff_events(
    event_tickets: NamedDependency[EventTickets],
    notification_hub: NamedDependency[NotificationHub],
    notifications: NamedDependency[NotificationRepository],
    ticket: FromQuery[str] = "",
    last_event_id: FromQuery[str | None] = None,
    last_event_header: LastEventIdHeader = None,
) -> ASGIApp:
    """The staff stream, opened with a ticket from `POST /api/v1/events/ticket`."""
    if not notification_hub.ready:
        return come_back_later()
    try:
        viewer = await event_tickets.redeem(ticket)
    except RedemptionDelayed:
        return come_back_later()
    if viewer is None or viewer.role == "patient":
        return unauthorized("This event ticket is invalid, used or expired. Ask for a new one.")
    cursor = last_seen(last_event_header, last_event_id)
    allowed = partial(event_tickets.still_allowed, viewer)
    return event_stream(notification_hub, notifications, viewer, cursor, allowed)


@get("/account/events", name="events.account", include_in_schema=False)
async def account_events(
    request: Request[Any, Any, Any],
    auth: NamedDependency[AuthService],
    notification_hub: NamedDependency[NotificationHub],
    notifications: NamedDependency[NotificationRepository],
    last_event_id: FromQuery[str | None] = None,
    last_event_header: LastEventIdHeader = None,
) -> ASGIApp:
    """The signed-in patient's own stream; `EventSource` sends the session cookie."""
    user, info = current_user(request), request.scope.get("auth")
    if user is None or not isinstance(info, AuthInfo) or info.session_token is None:
        return unauthorized("Please log in to follow your bookings live.")
    if not notification_hub.ready:
        return come_back_later()
    viewer = Viewer(role="patient", user_id=user.id)
    allowed = partial(_session_still_valid, auth, info.session_token, user.id)
    cursor = last_seen(last_event_header, last_event_id)
    return event_stream(notification_hub, notifications, viewer, cursor, allowed)


def event_stream(
    hub: NotificationHub,
    notifications: NotificationRepository,
    viewer: Viewer,
    cursor: int | None,
    still_allowed: StillAllowed,
) -> ASGIApp:
    shutdown = anyio.Event()
    response = EventSourceResponse(
        _messages(hub, notifications, viewer, cursor, still_allowed, shutdown),
        ping=PING_SECONDS,
        ping_message_factory=lambda: ServerSentEvent(comment="ping"),
        send_timeout=SEND_TIMEOUT_SECONDS,
        shutdown_event=shutdown,
        shutdown_grace_period=SHUTDOWN_GRACE_SECONDS,
    )
    # sse-starlette types its ASGI arguments as Starlette's mappings; the protocol is the same.
    return cast("ASGIApp", response)


async def _messages(
    hub: NotificationHub,
    notifications: NotificationRepository,
    viewer: Viewer,
    cursor: int | None,
    still_allowed: StillAllowed,
    shutdown: anyio.Event,
) -> AsyncIterator[ServerSentEvent]:
    """Replay what came after `cursor`, then live events; ids strictly increase."""
    with hub.subscribe(viewer) as subscription:
        # On SIGTERM sse-starlette sets `shutdown`; ending the subscription then finishes
        # the response properly instead of leaving it to be cancelled.
        closer = asyncio.create_task(_close_on(shutdown, subscription))
        try:
            # Up to the watermark everything was published (the recent part is still in the
            # hub's memory, all of it in the database); above it, it arrives in the queue.
            watermark = subscription.watermark or 0
            last_sent = cursor if cursor is not None else watermark
            recent = None if cursor is None else hub.replay(viewer, cursor, watermark)
            for notification in recent or []:
                yield _message(notification)
                last_sent = notification.id
            while cursor is not None and recent is None and not subscription.closed:
                page = await visible_after(notifications, viewer, last_sent, upto=watermark)
                for notification in page:
                    yield _message(notification)
                    last_sent = notification.id
                if len(page) < MAX_PAGE:
                    break
            checked = time.monotonic()
            while not subscription.closed:
                live = await subscription.get(within=RECHECK_SECONDS)
                if time.monotonic() - checked >= RECHECK_SECONDS:
                    if not await _check(still_allowed):
                        return
                    checked = time.monotonic()
                if live is not None and live.id > last_sent:
                    yield _message(live)
                    last_sent = live.id
        finally:
            closer.cancel()


async def _close_on(shutdown: anyio.Event, subscription: Subscription) -> None:
    await shutdown.wait()
    subscription.close()


def _message(notification: Notification) -> ServerSentEvent:
    return ServerSentEvent(
        data=encode_payload(notification), event=notification.event, id=str(notification.id)
    )


async def _check(still_allowed: StillAllowed) -> bool:
    try:
        return await still_allowed()
    except Exception:
        # A database hiccup should not cut every stream; the next check decides.
        logger.warning("could not re-check a live-event reader", exc_info=True)
        return True


async def _session_still_valid(auth: AuthService, token: str, user_id: Any) -> bool:
    user = await auth.user_for_session(token)
    return user is not None and user.id == user_id


def last_seen(*values: str | None) -> int | None:
    """The highest well-formed id among `Last-Event-ID` and `last_event_id`, if any."""
    # ASCII digits that fit a stored 64-bit id: int() also reads "৯", and 2**80 would
    # overflow the database query.
    found = [
        int(text)
        for text in ((value or "").strip() for value in values)
        if text.isascii() and text.isdigit() and len(text) <= 18
    ]
    return max(found) if found else None


def come_back_later() -> ASGIApp:
    """A stream that ends at once with a jittered `retry:`; `EventSource` then reconnects.

    A 503 instead would make `EventSource` give up for good and leave the dashboard dark.
    """
    delay = random.randint(*RETRY_MS)
    body = f": busy, please reconnect\nretry: {delay}\n\n".encode()
    return ASGIResponse(
        body=body,
        status_code=200,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store"},
    )


def unauthorized(message: str) -> ASGIApp:
    """A plain 401 in the JSON envelope; an `EventSource` gives up on it instead of retrying.

    Not the login redirect that HTML pages get: a stream has nobody to show a form to.
    """
    envelope = {"error": {"code": "unauthorized", "message": message, "fields": {}}}
    return ASGIResponse(
        body=msgspec.json.encode(envelope),
        status_code=401,
        media_type=MediaType.JSON,
        headers={"Cache-Control": "no-store"},
    )
