"""Development mailbox: what the outbox holds, readable without an SMTP server.

Mounted only outside production and only when no SMTP host is configured; `outbox` is
the `OutboxRepository` dependency from `carevia.composition`.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from carevia.domain.mail import OutboxMessage, OutboxRepository, compose_email
from carevia.domain.shared import NotFound
from carevia.settings import Settings
from carevia.web.templating import render

RECENT_LIMIT = 50
# The stored HTML is shown as sent: no script, no outside requests, only its inline styles.
SANDBOXED_MAIL_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


async def _message(outbox: OutboxRepository, message_id: str) -> OutboxMessage:
    try:
        found = await outbox.get(ObjectId(message_id))
    except (InvalidId, TypeError):
        found = None
    if found is None:
        raise NotFound("There is no message with that id in the mailbox.")
    return found


class DevMailboxController(Controller):
    path = "/dev/mailbox"
    include_in_schema = False

    @get("/", name="dev_mailbox.list")
    async def mailbox(
        self, request: Request[Any, Any, Any], outbox: NamedDependency[OutboxRepository]
    ) -> Template:
        messages = await outbox.recent(RECENT_LIMIT)
        counts = await outbox.count_by_status()
        return render(request, "dev/mailbox.html", messages=messages, counts=counts)

    @get("/{message_id:str}", name="dev_mailbox.message")
    async def message(
        self,
        request: Request[Any, Any, Any],
        outbox: NamedDependency[OutboxRepository],
        settings: NamedDependency[Settings],
        message_id: FromPath[str],
    ) -> Template:
        message = await _message(outbox, message_id)
        mail_headers = compose_email(message, settings.mail.sender).items()
        return render(request, "dev/message.html", message=message, mail_headers=mail_headers)

    @get("/{message_id:str}/html", name="dev_mailbox.html", media_type=MediaType.HTML)
    async def message_html(
        self, outbox: NamedDependency[OutboxRepository], message_id: FromPath[str]
    ) -> Response[str]:
        message = await _message(outbox, message_id)
        return Response(
            message.html,
            media_type=MediaType.HTML,
            headers={"Content-Security-Policy": SANDBOXED_MAIL_POLICY},
        )
