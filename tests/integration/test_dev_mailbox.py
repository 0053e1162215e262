"""The development mailbox lists queued emails and shows each one safely."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.mail import Mailer, MailRenderer, OutboxRepository

Client = AsyncTestClient[Litestar]


async def queue_welcome(database: AsyncDatabase[dict[str, Any]], first_name: str) -> ObjectId:
    outbox = OutboxRepository(database)
    await Mailer(outbox, MailRenderer()).enqueue(
        "rina@example.com",
        "verify_email",
        first_name=first_name,
        link="https://testserver.local/verify-email?token=abc",
        expires_hours=24,
    )
    [message] = await outbox.recent(1)
    return message.id


async def test_the_mailbox_lists_recent_emails(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    message_id = await queue_welcome(database, "Rina")

    page = await client.get("/dev/mailbox")

    assert page.status_code == 200
    assert "rina@example.com" in page.text
    assert "Confirm your email address for Carevia" in page.text
    assert f'href="/dev/mailbox/{message_id}"' in page.text


async def test_a_message_shows_headers_text_and_a_sandboxed_html_link(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    message_id = await queue_welcome(database, "<b>Rina</b>")

    page = await client.get(f"/dev/mailbox/{message_id}")

    assert page.status_code == 200
    assert "Carevia &lt;no-reply@carevia.local&gt;" in page.text  # the From header
    assert "<pre>Hello &lt;b&gt;Rina&lt;/b&gt;," in page.text
    assert f'href="/dev/mailbox/{message_id}/html"' in page.text

    html = await client.get(f"/dev/mailbox/{message_id}/html")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["content-security-policy"] == (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    )
    assert "Hello &lt;b&gt;Rina&lt;/b&gt;," in html.text


async def test_an_unknown_or_malformed_id_is_not_found(client: Client) -> None:
    assert (await client.get("/dev/mailbox/not-an-id")).status_code == 404
    assert (await client.get(f"/dev/mailbox/{ObjectId()}")).status_code == 404
    assert (await client.get("/dev/mailbox/not-an-id/html")).status_code == 404
