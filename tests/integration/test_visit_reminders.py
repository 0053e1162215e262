"""Visit reminders through the outbox, under a clock the tests move: due at the right
moments, following a moved visit, never sent after a cancellation, sent once by two workers;
the caregiver's agenda drawn at seven from the visits as they stand, once per day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.domain.bookings.transitions import SYSTEM
from carevia.domain.mail import MailWorker, SmtpTransport
from carevia.domain.shared.transactions import in_transaction
from carevia.settings import MailSettings
from tests.support.accounts import UserFactory
from tests.support.bookings import CaregiverFactory, next_local_date
from tests.support.care import CARE_NEEDS, MOTHER_NAME, mother
from tests.support.mail import SMTPServer
from tests.support.payment_flows import text_of
from tests.support.reviews import MovableClock
from tests.support.scheduling import (
    DHAKA,
    Database,
    ReminderDesk,
    held_visit,
    pending_mail,
    reminder_desk,
)

pytestmark = pytest.mark.usefixtures("seeded")
SENDER = "Carevia <no-reply@carevia.test>"


@pytest.fixture
def desk(database: Database) -> ReminderDesk:
    return reminder_desk(database, MovableClock())


def worker(desk: ReminderDesk, smtp_server: SMTPServer, name: str) -> MailWorker:
    transport = SmtpTransport(MailSettings(host="127.0.0.1", port=smtp_server.port, starttls=False))
    return MailWorker(desk.outbox, transport, SENDER, worker_id=name, clock=desk.clock)


def dhaka(day_offset: int, at: time) -> datetime:
    """A local wall time `day_offset` days ahead, in UTC."""
    day = next_local_date(day_offset)
    return datetime.combine(day, at, tzinfo=ZoneInfo(DHAKA)).astimezone(UTC)


async def test_the_patient_is_reminded_24_and_2_hours_before_and_the_caregiver_at_seven(
    database: Database,
    desk: ReminderDesk,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    smtp_server: SMTPServer,
) -> None:
    amina = await make_user("amina@example.com")
    shirin = await make_caregiver("shirin@example.com")
    held = await held_visit(
        database,
        amina,
        shirin,
        next_local_date(3),
        time(10, 0),
        now=desk.clock(),
        recipient=mother(),
    )
    booking = await desk.confirm(held)

    reminders = await pending_mail(database, "visit_reminder")
    due = [m["next_attempt_at"] for m in reminders]
    assert due == [booking.starts_at - timedelta(hours=24), booking.starts_at - timedelta(hours=2)]
    assert await pending_mail(database, "caregiver_agenda") == [], "drawn at seven, not now"

    mail = worker(desk, smtp_server, "only")
    desk.clock.now = due[0] - timedelta(seconds=1)
    assert await mail.run_once() == 0
    desk.clock.now = due[0]
    assert await mail.run_once() == 1
    [day_before] = smtp_server.handler.to("amina@example.com")
    assert MOTHER_NAME in str(day_before["Subject"]) and "Tomorrow" in str(day_before["Subject"])
    text = text_of(day_before)
    assert f"https://testserver.local/bookings/{booking.code}" in text
    assert not [need for need in CARE_NEEDS.values() if need in text], "no care needs in mail"

    desk.clock.now = dhaka(3, time(7, 0)) - timedelta(seconds=1)
    assert await desk.agendas.send_due() == 0
    desk.clock.now = dhaka(3, time(7, 0))
    assert await desk.agendas.send_due() == 1
    assert await desk.agendas.send_due() == 0, "one agenda a day"
    assert await mail.run_once() == 1
    [morning] = smtp_server.handler.to("shirin@example.com")
    assert "Your visits today" in str(morning["Subject"])
    agenda_text = text_of(morning)
    assert booking.code in agenda_text and f"for {MOTHER_NAME}" in agenda_text
    assert "10:00 am" in agenda_text
    assert not [need for need in CARE_NEEDS.values() if need in agenda_text]

    desk.clock.now = due[1]
    assert await mail.run_once() == 1
    assert "Soon" in str(smtp_server.handler.to("amina@example.com")[-1]["Subject"])


async def test_reminders_move_with_the_visit_to_its_new_day_and_time(
    database: Database,
    desk: ReminderDesk,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    amina = await make_user("amina@example.com")
    shirin = await make_caregiver("shirin@example.com")
    old = await desk.confirm(
        await held_visit(database, amina, shirin, next_local_date(3), time(10, 0), now=desk.clock())
    )
    new = msgspec.structs.replace(
        old,
        starts_at=old.starts_at + timedelta(days=1, hours=5),
        ends_at=old.ends_at + timedelta(days=1, hours=5),
    )

    async def move(session: AsyncClientSession) -> None:
        times = {"starts_at": new.starts_at, "ends_at": new.ends_at}
        await database["bookings"].update_one({"_id": old.id}, {"$set": times}, session=session)
        await desk.reminders.visit_moved(old, new, session)

    await in_transaction(database, move)

    due = [m["next_attempt_at"] for m in await pending_mail(database, "visit_reminder")]
    assert due == [new.starts_at - timedelta(hours=24), new.starts_at - timedelta(hours=2)]
    desk.clock.now = dhaka(3, time(7, 0))
    assert await desk.agendas.send_due() == 0, "the old day has no visit left"
    desk.clock.now = dhaka(4, time(7, 0))
    assert await desk.agendas.send_due() == 1
    [agenda] = await pending_mail(database, "caregiver_agenda")
    assert old.code in agenda["text"] and "3:00 pm" in agenda["text"]


async def test_a_cancelled_visit_is_never_reminded_and_leaves_the_agenda(
    database: Database,
    desk: ReminderDesk,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    smtp_server: SMTPServer,
) -> None:
    amina = await make_user("amina@example.com")
    shirin = await make_caregiver("shirin@example.com")
    day = next_local_date(3)
    morning = await desk.confirm(
        await held_visit(database, amina, shirin, day, time(9, 0), now=desk.clock())
    )
    evening = await desk.confirm(
        await held_visit(database, amina, shirin, day, time(15, 0), now=desk.clock())
    )
    assert await desk.transitions.move(morning, "cancelled", SYSTEM) is not None
    desk.clock.now = dhaka(3, time(7, 0))
    assert await desk.agendas.send_due() == 1

    desk.clock.move(days=10)
    assert await worker(desk, smtp_server, "late").run_once() == 3
    sent = [(str(m["Subject"]), text_of(m)) for m in smtp_server.messages]
    assert not [subject for subject, text in sent if morning.code in subject + text]
    assert sum(evening.code in subject for subject, _ in sent) == 2
    [(subject, agenda)] = [(s, text) for s, text in sent if "Your visits today" in s]
    assert subject.endswith(": 1 visit") and evening.code in agenda


async def test_a_reminder_whose_moment_has_passed_is_not_queued_at_all(
    database: Database,
    desk: ReminderDesk,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    amina = await make_user("amina@example.com")
    shirin = await make_caregiver("shirin@example.com")
    starts = dhaka(3, time(10, 0))
    # Confirmed at 07:00 on the day: the day-before reminder is already late.
    desk.clock.now = starts - timedelta(hours=3)
    held = await held_visit(
        database, amina, shirin, next_local_date(3), time(10, 0), now=desk.clock()
    )
    await desk.confirm(held)

    due = [m["next_attempt_at"] for m in await pending_mail(database, "visit_reminder")]
    assert due == [starts - timedelta(hours=2)]


async def test_an_agenda_drawn_late_leaves_out_the_visits_already_begun(
    database: Database,
    desk: ReminderDesk,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    amina = await make_user("amina@example.com")
    shirin = await make_caregiver("shirin@example.com")
    day = next_local_date(3)
    begun, later = [
        await desk.confirm(await held_visit(database, amina, shirin, day, at, now=desk.clock()))
        for at in (time(9, 0), time(15, 0))
    ]

    desk.clock.now = dhaka(3, time(10, 0))
    assert await desk.agendas.send_due() == 1
    [agenda] = await pending_mail(database, "caregiver_agenda")
    assert later.code in agenda["text"] and begun.code not in agenda["text"]


async def test_two_workers_send_each_reminder_exactly_once(
    database: Database,
    desk: ReminderDesk,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    smtp_server: SMTPServer,
) -> None:
    amina = await make_user("amina@example.com")
    caregivers = [
        await make_caregiver("shirin@example.com"),
        await make_caregiver("nasrin@example.com", name="Nasrin Sultana"),
    ]
    for offset in (3, 4, 5):
        for caregiver in caregivers:
            held = await held_visit(
                database, amina, caregiver, next_local_date(offset), time(10, 0), now=desk.clock()
            )
            await desk.confirm(held)
    for offset in (3, 4, 5):
        desk.clock.now = dhaka(offset, time(7, 0))
        other_process = reminder_desk(database, desk.clock)
        drawn = await asyncio.gather(desk.agendas.send_due(), other_process.agendas.send_due())
        assert sorted(drawn) == [0, 2], "one process draws the day's two agendas"
    queued = await database["mail_outbox"].count_documents({"status": "pending"})
    assert queued == 6 * 2 + 6, "two reminders per visit and one agenda per caregiver and day"

    desk.clock.move(days=10)
    delivered = await asyncio.gather(
        worker(desk, smtp_server, "first").run_once(),
        worker(desk, smtp_server, "second").run_once(),
    )

    assert sum(delivered) == queued
    ids = [str(m["Message-ID"]) for m in smtp_server.messages]
    assert len(ids) == queued and len(set(ids)) == queued
    states: list[dict[str, Any]] = await database["mail_outbox"].find().to_list()
    assert {m["status"] for m in states} == {"sent"}
