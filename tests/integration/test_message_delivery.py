"""A message reaches the other people of the visit: live on their stream, by email if unread."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from carevia.domain.accounts import User, UserRepository
from tests.support.accounts import UserFactory
from tests.support.bookings import CaregiverFactory
from tests.support.messages import Database, Visit, a_visit, messages_at, thread_path
from tests.support.reviews import MovableClock
from tests.support.sse import api_client, open_stream, signed_in, ticket_url


@pytest.fixture
async def visit(
    seeded: int, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> Visit:
    return await a_visit(database, make_user, make_caregiver)


async def caregiver_of(database: Database, visit: Visit) -> User:
    caregiver = await UserRepository(database).get(visit.caregiver_x)
    assert caregiver is not None
    return caregiver


async def send(browser: httpx.AsyncClient, path: str, text: str) -> None:
    page = await browser.get("/account")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    sent = await browser.post(path, data={"text": text, "_csrf_token": token[1]})
    assert sent.status_code == 303, sent.text  # back to the page


async def test_a_message_reaches_only_the_other_party_stream_without_its_text(
    served_app: str, database: Database, visit: Visit
) -> None:
    caregiver = await caregiver_of(database, visit)
    async with (
        signed_in(served_app, visit.patient_a) as patient,
        signed_in(served_app, visit.patient_b) as stranger,
        signed_in(served_app, caregiver) as carer,
        api_client(served_app, caregiver) as carer_api,
        open_stream(patient, "/account/events") as patient_stream,
        open_stream(stranger, "/account/events") as stranger_stream,
        open_stream(carer_api, await ticket_url(carer_api)) as carer_stream,
    ):
        await send(carer, thread_path(visit.code, dashboard=True), "On my way, 10 minutes.")
        arrived = await patient_stream.next_event()
        assert arrived.event == "message.created"
        assert arrived.payload["code"] == visit.code
        assert arrived.payload["author_role"] == "caregiver"
        assert "On my way" not in arrived.data and "text" not in arrived.payload
        stored = await database["messages"].find_one({})
        assert stored is not None and arrived.payload["message_id"] == str(stored["_id"])

        await send(patient, thread_path(visit.code), "Thank you, the gate is open.")
        answer = await carer_stream.next_event()
        assert answer.event == "message.created" and answer.payload["author_role"] == "patient"
        # Nobody hears their own message, and another patient hears nothing at all.
        assert await patient_stream.nothing_more(within=0.5) == []
        assert await carer_stream.nothing_more(within=0.2) == []
        assert await stranger_stream.nothing_more(within=0.2) == []


async def test_an_unread_message_is_mailed_once_after_ten_minutes_and_never_if_read(
    database: Database, visit: Visit
) -> None:
    clock = MovableClock()
    messages = messages_at(database, clock)
    caregiver = await caregiver_of(database, visit)
    await messages.post(caregiver, visit.code, "Keep the medicine box ready.", dashboard=True)
    clock.move(minutes=9, seconds=59)
    assert await messages.send_waiting_mail() == 0
    clock.move(seconds=1)
    # Two workers sweeping at once still queue one email.
    sent = await asyncio.gather(messages.send_waiting_mail(), messages.send_waiting_mail())
    assert sorted(sent) == [0, 1]
    assert await messages.send_waiting_mail() == 0
    mails = await database["mail_outbox"].find({"template": "message_waiting"}).to_list()
    assert [mail["to"] for mail in mails] == [visit.patient_a.email]
    assert "medicine" not in mails[0]["text"] and "medicine" not in mails[0]["html"]
    assert f"/bookings/{visit.code}#messages" in mails[0]["text"]

    # The caregiver reads the patient's answer within ten minutes: no email at all.
    await messages.post(visit.patient_a, visit.code, "It is on the table.", dashboard=False)
    clock.move(minutes=3)
    await messages.thread(caregiver, visit.code, dashboard=True)
    clock.move(minutes=30)
    assert await messages.send_waiting_mail() == 0
    assert await database["mail_outbox"].count_documents({"template": "message_waiting"}) == 1


async def test_one_waiting_email_covers_the_messages_after_it(
    database: Database, visit: Visit
) -> None:
    clock = MovableClock()
    messages = messages_at(database, clock)
    for minute in range(3):
        await messages.post(visit.patient_a, visit.code, f"Note {minute}", dashboard=False)
        clock.move(minutes=1)
    clock.move(minutes=20)
    assert await messages.send_waiting_mail() == 1
    mails = await database["mail_outbox"].find({"template": "message_waiting"}).to_list()
    assert [mail["to"] for mail in mails] == ["shirin@example.com"]
    assert "/dashboard/bookings/" in mails[0]["text"]
