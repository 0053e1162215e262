"""Every change of a booking's status: checked, recorded and announced in one transaction.

This is the only code that changes `status` (through `BookingRepository.change_status`).
A transition asks the state machine, moves the booking only if it is still in the status it
was read in, and writes its history entry, its audit entry and its notices (email outbox and
live notification) in the same transaction, so they exist exactly when the change does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.audit import AuditLog
from carevia.domain.bookings.models import Actor, Booking, BookingStatus, HistoryEntry
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.bookings.state_machine import HOLDS_TIME, check_timing, check_transition
from carevia.domain.bookings.visit_report import visit_update_addresses
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.transactions import in_transaction

SYSTEM = Actor(None, "system")

AUDIT_ACTIONS: dict[BookingStatus, str] = {
    "confirmed": "booking.confirmed",
    "expired": "booking.expired",
    "cancelled": "booking.cancelled",
    "in_progress": "booking.started",
    "completed": "booking.completed",
}

# The email and live event each target status causes, and the key that makes them unique.
NOTICES: dict[BookingStatus, tuple[str | None, str, str]] = {
    "confirmed": ("booking_confirmed", "booking.paid", ""),
    "expired": ("hold_expired", "booking.updated", ""),
    # The cancellation email goes out with the refund it announces (see Settlement).
    "cancelled": (None, "booking.cancelled", "cancelled"),
    "in_progress": ("visit_started", "booking.updated", "in_progress"),
    "completed": ("visit_completed", "booking.updated", "completed"),
}

# Visit updates also reach the family members who asked for them, not only the patient.
VISIT_UPDATES: frozenset[BookingStatus] = frozenset({"in_progress", "completed"})

# What the caregiver is told, keyed by (from, to): a booking becomes theirs when it is
# confirmed with them, and stops being theirs when a confirmed booking is cancelled.
# A hold that is cancelled or lapses was never theirs to hear about.
CAREGIVER_NOTICES: dict[tuple[BookingStatus, BookingStatus], tuple[str, str]] = {
    ("pending_payment", "confirmed"): ("visit_assigned", "visit.assigned"),
    ("expired", "confirmed"): ("visit_assigned", "visit.assigned"),
    ("confirmed", "cancelled"): ("visit_unassigned", "visit.unassigned"),
}


# Told of every status change inside its transaction: (status it was in, booking as moved,
# session). Reminders and the waitlist follow bookings through these, whoever moved them.
StatusListener = Callable[[BookingStatus, Booking, AsyncClientSession], Awaitable[None]]


def history_entry(
    at: datetime,
    from_status: BookingStatus | None,
    to_status: BookingStatus,
    actor: Actor,
    note: str | None = None,
) -> HistoryEntry:
    """One line of a booking's history; creation has no `from_status`."""
    return HistoryEntry(
        at=at,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id,
        actor_role=actor.role,
        note=note,
    )


class BookingTransitions:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        bookings: BookingRepository,
        audit: AuditLog,
        notices: BookingNotices | None,
        clock: Clock = utc_now,
        listeners: Sequence[StatusListener] = (),
    ) -> None:
        self._database = database
        self._bookings = bookings
        self._audit = audit
        self._notices = notices
        self._clock = clock
        self._listeners = tuple(listeners)

    def wake(self) -> None:
        """Ask the mail worker to deliver; call it once the transaction committed."""
        if self._notices is not None:
            self._notices.wake()

    async def move(
        self,
        booking: Booking,
        target: BookingStatus,
        actor: Actor,
        *,
        note: str | None = None,
        fields: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        before: Callable[[AsyncClientSession], Awaitable[None]] | None = None,
        reason: str = "",
    ) -> Booking | None:
        """Move `booking` on in a transaction of its own; None if its status changed meanwhile.

        `before` writes what the change needs first in the same transaction (claiming time).
        `reason` is an admin's reason to override the timing rule.
        """
        check_transition(booking.status, target, actor.role)
        check_timing(booking, target, actor.role, self._clock(), reason)

        async def work(session: AsyncClientSession) -> Booking | None:
            if before is not None:
                await before(session)
            return await self.move_within(
                session,
                booking,
                target,
                actor,
                note=note,
                fields=fields,
                details=details,
                reason=reason,
            )

        moved = await in_transaction(self._database, work)
        if moved is not None:
            self.wake()
        return moved

    async def move_within(
        self,
        session: AsyncClientSession,
        booking: Booking,
        target: BookingStatus,
        actor: Actor,
        *,
        note: str | None = None,
        fields: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        reason: str = "",
    ) -> Booking | None:
        """The same, inside the caller's transaction, which then wakes."""
        check_transition(booking.status, target, actor.role)
        now = self._clock()
        overridden = check_timing(booking, target, actor.role, now, reason)
        if overridden is not None:
            override_note = f"Timing rule overridden by an admin: {overridden}"
            note = f"{note}; {override_note}" if note else override_note
        entry = history_entry(now, booking.status, target, actor, note)
        moved = await self._bookings.change_status(
            booking.id,
            booking.status,
            entry,
            dict(fields or {}),
            release_time=target not in HOLDS_TIME,
            session=session,
        )
        if moved is None:
            return None
        await self._audit.record(
            AUDIT_ACTIONS[target],
            actor_id=actor.id,
            actor_role=actor.role,
            target_type="booking",
            target_id=moved.code,
            session=session,
            **(details or {}),
        )
        if overridden is not None:
            action = "booking.timing_overridden"
            await self._record(moved, action, actor, session, reason=overridden)
        if moved.report is not None and target == "completed":
            concern = moved.has_concern
            await self._record(moved, "visit.report_filed", actor, session, concern=concern)
        if self._notices is not None:
            await self._announce(session, booking.status, moved, target)
        for listener in self._listeners:
            await listener(booking.status, moved, session)
        return moved

    async def _announce(
        self,
        session: AsyncClientSession,
        was: BookingStatus,
        moved: Booking,
        target: BookingStatus,
    ) -> None:
        assert self._notices is not None
        mail, event, key = NOTICES[target]
        family = visit_update_addresses(moved) if target in VISIT_UPDATES else None
        await self._notices.tell(moved, mail, event, session, key=key, to=family)
        caregiver = CAREGIVER_NOTICES.get((was, target))
        if caregiver is not None:
            await self._notices.tell_caregiver(
                moved, caregiver[0], caregiver[1], session, key=key or target, data={}
            )

    async def _record(
        self,
        booking: Booking,
        action: str,
        actor: Actor,
        session: AsyncClientSession,
        **details: Any,
    ) -> None:
        await self._audit.record(
            action,
            actor_id=actor.id,
            actor_role=actor.role,
            target_type="booking",
            target_id=booking.code,
            session=session,
            **details,
        )
