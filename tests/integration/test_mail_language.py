"""Every email is written in its reader's language: the account's choice, else the patient's."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import UserRepository
from carevia.domain.mail import INDEXES, Mailer, MailRenderer, OutboxRepository
from carevia.domain.shared.time_format import format_local
from carevia.web.i18n import speaking
from carevia.web.mail_words import CatalogueWords
from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.mail import SMTPServer
from tests.support.payment_flows import mail_about, paid_booking, stored_booking, text_of

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.mails]
Database = AsyncDatabase[dict[str, Any]]
# Bengali letters: the taka sign ৳ is in the same block and both languages write it.
BENGALI = re.compile(r"[\u0985-\u09B9]")


async def patient_reading(
    client: Client,
    database: Database,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    language: str,
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await database["users"].update_one(
        {"email": "amina@example.com"}, {"$set": {"language": language}}
    )
    await log_in(client, "amina@example.com")


def english_left(message: EmailMessage, booking: dict[str, Any]) -> set[str]:
    """English words in the plain text, once names, addresses, codes, links and times are out.

    The time is written by the shared formatting, in the reader's language where it has one.
    """
    text = re.sub(r"https?://\S+|\S+@\S+", " ", text_of(message))
    with speaking("bn"):
        when = format_local(booking["starts_at"], booking.get("timezone") or "Asia/Dhaka")
    names = [
        when,
        booking["service_name"],
        booking["caregiver_name"],
        booking["patient"]["name"],
        booking["location"]["address"],
        booking["location"]["district"],
        booking["location"]["division"],
        booking["code"],
        "Carevia",
    ]
    for name in names:
        text = text.replace(name, " ")
    return set(re.findall(r"[A-Za-z]{2,}", text))


async def test_a_bangla_reading_patient_gets_the_confirmation_in_bangla(
    client: Client,
    database: Database,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    smtp_server: SMTPServer,
) -> None:
    await patient_reading(client, database, make_user, make_caregiver, "bn")
    code, _ = await paid_booking(client, database)

    (mail,) = await mail_about(smtp_server, "বুকিং নিশ্চিত")
    booking = await stored_booking(database, code)
    assert code in str(mail["Subject"])
    assert "নিশ্চিত হয়েছে" in text_of(mail)
    assert english_left(mail, booking) == set()
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert '<html lang="bn">' in str(html.get_content())
    assert "আপনার রসিদ দেখুন বা প্রিন্ট করুন" in str(html.get_content())


async def test_an_english_reading_patient_keeps_english_mail(
    client: Client,
    database: Database,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    smtp_server: SMTPServer,
) -> None:
    await patient_reading(client, database, make_user, make_caregiver, "en")
    await paid_booking(client, database)

    (mail,) = await mail_about(smtp_server, "Booking confirmed")
    assert "Your booking is confirmed." in text_of(mail)
    assert not BENGALI.search(text_of(mail))


async def test_someone_without_an_account_reads_the_patients_language(
    database: Database, make_user: UserFactory
) -> None:
    for collection, indexes in INDEXES.items():
        await database[collection].create_indexes(list(indexes))
    patient = await make_user("rahim@example.com", first_name="Rahim")
    await database["users"].update_one({"_id": patient.id}, {"$set": {"language": "bn"}})
    mailer = Mailer(
        OutboxRepository(database),
        MailRenderer(words=CatalogueWords()),
        languages=UserRepository(database),
    )
    booking = type("Booking", (), {"patient_id": patient.id})()
    for address in ("rahim@example.com", "brother@example.com"):
        await mailer.enqueue(
            address,
            "password_changed",
            first_name="Rahim",
            reset_link="https://carevia.test/forgot-password",
            booking=booking,
        )
    nobody = type("Booking", (), {"patient_id": ObjectId()})()
    await mailer.enqueue(
        "stranger@example.com",
        "password_changed",
        first_name="Kamal",
        reset_link="https://carevia.test/forgot-password",
        booking=nobody,
    )
    queued = {m["to"]: m async for m in database["mail_outbox"].find()}
    assert queued["rahim@example.com"]["language"] == "bn"
    assert BENGALI.search(queued["brother@example.com"]["subject"])
    assert queued["brother@example.com"]["language"] == "bn"
    assert queued["stranger@example.com"]["language"] == "en"
    assert not BENGALI.search(queued["stranger@example.com"]["text"])
