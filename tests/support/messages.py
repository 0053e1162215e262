"""Messages on a booking: the people of one visit, posting as each, the service under a clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User, UserRepository
from carevia.domain.bookings import Booking, BookingRepository
from carevia.domain.mail import Mailer, MailRenderer, OutboxRepository
from carevia.domain.messages import MessageRepository, MessageService
from carevia.domain.notifications import NotificationRepository
from carevia.domain.shared.clock import Clock
from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.reviews import past_booking

Database = AsyncDatabase[dict[str, Any]]
HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Visit:
    """Patient A's booking with caregiver X; B and Y are strangers to it."""

    booking: Booking
    patient_a: User
    patient_b: User
    caregiver_x: ObjectId
    caregiver_y: ObjectId
    admin: User

    @property
    def code(self) -> str:
        return self.booking.code


EMAILS = {
    "patient_a": "amina@example.com",
    "patient_b": "karim@example.com",
    "caregiver_x": "shirin@example.com",
    "caregiver_y": "nasrin@example.com",
    "admin": "ops@example.com",
}


async def a_visit(
    database: Database,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    *,
    days_ago: int = -2,
    status: Any = "confirmed",
) -> Visit:
    """A's visit with X, `days_ago` days back (negative: still ahead)."""
    patient_a = await make_user(EMAILS["patient_a"])
    patient_b = await make_user(EMAILS["patient_b"], first_name="Karim")
    caregiver_x = await make_caregiver(EMAILS["caregiver_x"])
    caregiver_y = await make_caregiver(EMAILS["caregiver_y"], name="Nasrin Sultana")
    admin = await make_user(EMAILS["admin"], role="admin", first_name="Ops")
    booking = await past_booking(database, patient_a, caregiver_x, status=status, days_ago=days_ago)
    return Visit(booking, patient_a, patient_b, caregiver_x, caregiver_y, admin)


async def other_booking(database: Database, visit: Visit, *, days_ago: int, status: Any) -> Booking:
    return await past_booking(
        database, visit.patient_a, visit.caregiver_x, status=status, days_ago=days_ago
    )


async def sign_in_as(client: Client, role: str) -> None:
    """Sign `client` in as one of the visit's people (or out, for "anonymous")."""
    client.cookies.clear()
    if role != "anonymous":
        response = await log_in(client, EMAILS[role])
        assert response.status_code == 303, response.text


def thread_path(code: str, *, dashboard: bool = False) -> str:
    return f"{'/dashboard' if dashboard else ''}/bookings/{code}/messages"


async def post_message(
    client: Client, code: str, text: str, *, dashboard: bool = False, htmx: bool = False
) -> Any:
    token = await csrf_token(client, "/account")
    return await client.post(
        thread_path(code, dashboard=dashboard),
        data={"text": text, "_csrf_token": token},
        headers=HTMX if htmx else {},
        follow_redirects=False,
    )


def messages_at(
    database: Database, clock: Clock, base_url: str = "https://carevia.test"
) -> MessageService:
    """The message service over the test database, with the test's own clock."""
    return MessageService(
        database=database,
        messages=MessageRepository(database),
        bookings=BookingRepository(database),
        users=UserRepository(database),
        notifications=NotificationRepository(database),
        mailer=Mailer(OutboxRepository(database), MailRenderer(), clock=clock),
        base_url=base_url,
        clock=clock,
    )
