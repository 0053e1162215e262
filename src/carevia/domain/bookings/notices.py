"""The email and live notification that one booking transition causes."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.domain.accounts import UserRepository
from carevia.domain.bookings.models import Booking
from carevia.domain.mail import Mailer
from carevia.domain.notifications import NotificationRepository
from carevia.domain.shared.clock import Clock


class BookingNotices:
    def __init__(
        self,
        mailer: Mailer,
        notifications: NotificationRepository,
        base_url: str,
        clock: Clock,
        *,
        users: UserRepository,
    ) -> None:
        self._mailer = mailer
        self._users = users
        self._notifications = notifications
        self._base_url = base_url
        self._clock = clock

    def links(self, booking: Booking) -> dict[str, Any]:
        return {
            "booking_url": f"{self._base_url}/bookings/{booking.code}",
            "receipt_url": f"{self._base_url}/bookings/{booking.code}/receipt",
            "services_url": f"{self._base_url}/services",
        }

    async def tell(
        self,
        booking: Booking,
        mail: str | None,
        event: str | None,
        session: AsyncClientSession,
        *,
        key: str = "",
        to: list[str] | None = None,
        **context: Any,
    ) -> None:
        """Written in the transition's own transaction; unique keys make a repeat impossible.

        The email goes to the patient, or to each address of `to` (the patient's first).
        """
        # A deleted patient's booking keeps no address: there is nobody left to write to.
        addresses = [booking.patient.email] if to is None else to
        for number, address in enumerate(a for a in addresses if a):
            if mail is None:
                break
            extra = f":{number}" if number else ""
            await self._mailer.enqueue(
                address,
                mail,
                dedupe_key=f"mail:{booking.code}:{mail}:{key}{extra}",
                session=session,
                booking=booking,
                **self.links(booking),
                **context,
            )
        if event is not None:
            await self._notifications.add(
                event,
                dedupe_key=f"{event}:{booking.code}:{key}",
                now=self._clock(),
                booking_code=booking.code,
                patient_id=booking.patient_id,
                caregiver_id=booking.caregiver_id,
                session=session,
                data={
                    "code": booking.code,
                    "status": booking.status,
                    "payment_status": booking.payment_status,
                    "service": booking.service_name,
                    "starts_at": booking.starts_at.isoformat(),
                    "total": booking.price.total,
                    "amount_paid": booking.amount_paid,
                },
            )

    async def tell_caregiver(
        self,
        booking: Booking,
        mail: str,
        event: str,
        session: AsyncClientSession,
        *,
        key: str,
        data: dict[str, Any],
        **context: Any,
    ) -> None:
        """Email the booking's caregiver and reach their live dashboard (and the admins').

        The live notice carries only `data`, so the patient's stream never sees it.
        """
        caregiver = await self._users.get(booking.caregiver_id)
        if caregiver is not None and caregiver.is_active and caregiver.email:
            await self._mailer.enqueue(
                caregiver.email,
                mail,
                dedupe_key=f"caregiver:{booking.code}:{mail}:{key}",
                session=session,
                booking=booking,
                caregiver=caregiver,
                dashboard_url=self._base_url + "/dashboard",
                visit_url=f"{self._base_url}/dashboard/bookings/{booking.code}",
                **context,
            )
        await self._notifications.add(
            event,
            dedupe_key=f"{event}:{booking.code}:{key}",
            now=self._clock(),
            booking_code=booking.code,
            caregiver_id=booking.caregiver_id,
            session=session,
            data={"code": booking.code, **data},
        )

    async def alert_admins(
        self,
        booking: Booking,
        mail: str,
        session: AsyncClientSession,
        *,
        key: str,
        live_event: str | None = None,
        **context: Any,
    ) -> None:
        """Email every active admin about an event that needs one of them to act.

        Written in the event's own transaction; `key` names the event, so each admin gets one.
        A `live_event` also reaches the admins' live dashboard, and only theirs: it names
        no patient or caregiver, and only those it names would see it.
        """
        if live_event is not None:
            await self._notifications.add(
                live_event,
                dedupe_key=f"{live_event}:{booking.code}:{key}",
                now=self._clock(),
                booking_code=booking.code,
                session=session,
                data={
                    "code": booking.code,
                    "amount": context.get("amount"),
                    "error": context.get("error"),
                },
            )
        for admin in await self._users.active_admins(session):
            await self._mailer.enqueue(
                admin.email,
                mail,
                dedupe_key=f"admin:{booking.code}:{mail}:{key}:{admin.id}",
                session=session,
                booking=booking,
                admin=admin,
                admin_url=f"{self._base_url}/dashboard/bookings/{booking.code}",
                **context,
            )

    def wake(self) -> None:
        self._mailer.wake()
