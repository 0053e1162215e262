"""Moving a confirmed visit to another time, inside the booking's free-change window.

The same caregiver's free time is taken at once. Another caregiver's time waits for an
admin, who approves (the move happens then, if that time is still free) or declines it.
Every move is one transaction: the booking's new time, its old claims released and the new
ones taken, the history line, the audit entry, the emails and live events, and whatever the
`after_move` listeners write (reminders follow the visit, the waitlist hears of freed time).
A slot held by anyone else refuses the whole move and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from carevia.domain.accounts import User, UserRepository
from carevia.domain.audit import AuditLog
from carevia.domain.bookings.free_time import FreeTimes
from carevia.domain.bookings.models import Actor, Booking, HistoryEntry, MoveRequest
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.repository import BookingRepository, SlotTaken
from carevia.domain.bookings.schedule import interval, local_start, parse_iso_date, parse_start_time
from carevia.domain.bookings.transitions import history_entry
from carevia.domain.caregivers import Caregiver, CaregiverRepository
from carevia.domain.catalogue.models import Category
from carevia.domain.shared import Conflict, Forbidden, Invalid
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.documents import to_document
from carevia.domain.shared.text import Text
from carevia.domain.shared.transactions import in_transaction
from carevia.settings import BookingSettings

AfterMove = Callable[[Booking, Booking, AsyncClientSession], Awaitable[None]]
TIME_TAKEN = Text("That time was just taken. Please choose another.")
CHANGED = Text("This booking changed in the meantime. Please reload and try again.")


class MoveForm(msgspec.Struct, frozen=True, kw_only=True):
    """The "Change time" form: a date, and a free time as `<caregiver id>@<HH:MM>`."""

    date: str = ""
    slot: str = ""


class FreeChoice(msgspec.Struct, frozen=True, kw_only=True):
    caregiver: Caregiver
    times: list[time]
    same_caregiver: bool


class MoveOptions(msgspec.Struct, frozen=True, kw_only=True):
    day: date | None
    choices: list[FreeChoice]
    # When the free-change window closes; moving is refused from then on.
    free_until: datetime


def free_until(booking: Booking) -> datetime:
    return booking.starts_at - timedelta(hours=booking.policy.free_until_hours)


class Rescheduling:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        bookings: BookingRepository,
        caregivers: CaregiverRepository,
        users: UserRepository,
        audit: AuditLog,
        notices: BookingNotices,
        rules: BookingSettings,
        timezone: str,
        clock: Clock = utc_now,
        after_move: Sequence[AfterMove] = (),
    ) -> None:
        self._database = database
        self._bookings = bookings
        self._caregivers = caregivers
        self._users = users
        self._audit = audit
        self._notices = notices
        self._rules = rules
        self._timezone = timezone
        self._clock = clock
        self._after_move = tuple(after_move)
        self._free_times = FreeTimes(bookings, timezone, rules.min_notice_hours, clock)

    def may_move(self, user: User, booking: Booking) -> bool:
        """The patient's own confirmed visit, before its free-change window closes."""
        return (
            user.role == "patient"
            and booking.patient_id == user.id
            and booking.status == "confirmed"
            and self._clock() < free_until(booking)
        )

    async def options(self, user: User, booking: Booking, day_text: str) -> MoveOptions:
        """The free start times on a day: the same caregiver's first, then the others'."""
        self._check_may_move(user, booking)
        day = parse_iso_date(day_text)
        if day is None:
            return MoveOptions(day=None, choices=[], free_until=free_until(booking))
        self._check_day(day)
        candidates = await self._candidates(booking)
        starts = await self._free_times.starts_on(
            candidates, day, booking.duration_type, booking.quantity
        )
        choices = [
            FreeChoice(
                caregiver=c,
                times=starts[c.id],
                same_caregiver=c.id == booking.caregiver_id,
            )
            for c in candidates
            if starts[c.id]
        ]
        choices.sort(key=lambda choice: not choice.same_caregiver)
        return MoveOptions(day=day, choices=choices, free_until=free_until(booking))

    async def move(self, user: User, booking: Booking, form: MoveForm) -> Booking:
        """Move at once to the same caregiver's time, or ask an admin for another's."""
        self._check_may_move(user, booking)
        caregiver, starts_at, ends_at = await self._chosen(booking, form)
        actor = Actor(str(user.id), "patient")
        if caregiver.id == booking.caregiver_id:
            return await self._move(booking, caregiver, starts_at, ends_at, actor)
        request = MoveRequest(
            caregiver_id=caregiver.id,
            caregiver_name=caregiver.display_name,
            starts_at=starts_at,
            ends_at=ends_at,
            requested_at=self._clock(),
        )
        return await self._ask_admin(booking, request, actor)

    async def approve(self, admin: User, booking: Booking) -> Booking:
        request = self._pending(admin, booking)
        if self._clock() >= request.starts_at:
            raise Conflict(Text("The time asked for has passed. Decline the request instead."))
        caregiver = await self._caregivers.get(request.caregiver_id)
        if caregiver is None or not caregiver.verified:
            raise Conflict(
                Text("That caregiver no longer takes visits. Decline the request instead.")
            )
        actor = Actor(str(admin.id), "admin")
        return await self._move(booking, caregiver, request.starts_at, request.ends_at, actor)

    async def decline(self, admin: User, booking: Booking) -> Booking:
        request = self._pending(admin, booking)
        when = self._said(request.starts_at)
        note = f"Move to {request.caregiver_name} on {when} declined"
        entry = history_entry(
            self._clock(), "confirmed", "confirmed", Actor(str(admin.id), "admin"), note
        )

        async def work(session: AsyncClientSession) -> Booking:
            declined = await self._bookings.apply(
                booking.id,
                ["confirmed"],
                {"move_request": None},
                now=entry.at,
                entry=entry,
                session=session,
            )
            if declined is None:
                raise Conflict(CHANGED)
            await self._record(declined, "booking.move_declined", entry, session)
            key = f"move:{len(declined.history)}"
            await self._notices.tell(
                declined, "visit_move_declined", "booking.updated", session, key=key
            )
            return declined

        declined = await in_transaction(self._database, work)
        self._notices.wake()
        return declined

    async def _move(
        self,
        booking: Booking,
        caregiver: Caregiver,
        starts_at: datetime,
        ends_at: datetime,
        actor: Actor,
    ) -> Booking:
        """The one place a visit moves: everything it causes, in one transaction."""
        note = f"Moved from {self._said(booking.starts_at)} to {self._said(starts_at)}"
        if caregiver.id != booking.caregiver_id:
            note += f", from {booking.caregiver_name} to {caregiver.display_name}"
        entry = history_entry(self._clock(), "confirmed", "confirmed", actor, note)
        fields = {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "caregiver_id": caregiver.id,
            "caregiver_name": caregiver.display_name,
            "move_request": None,
        }

        async def work(session: AsyncClientSession) -> Booking:
            moved = await self._bookings.move_visit(booking, fields, entry, session)
            if moved is None:  # raising aborts the transaction, so nothing is written
                raise Conflict(CHANGED)
            await self._record(
                moved, "booking.moved", entry, session, before=booking.starts_at.isoformat()
            )
            await self._announce(booking, moved, session)
            for listener in self._after_move:
                await listener(booking, moved, session)
            return moved

        try:
            moved = await in_transaction(self._database, work)
        except (BulkWriteError, DuplicateKeyError) as error:
            raise SlotTaken(TIME_TAKEN) from error
        self._notices.wake()
        return moved

    async def _announce(self, before: Booking, after: Booking, session: AsyncClientSession) -> None:
        key = f"move:{len(after.history)}"
        earlier = before.starts_at
        await self._notices.tell(
            after, "visit_moved", "booking.updated", session, key=key, moved_from=earlier
        )
        if before.caregiver_id == after.caregiver_id:
            await self._notices.tell_caregiver(
                after,
                "visit_moved_caregiver",
                "visit.moved",
                session,
                key=key,
                data={},
                moved_from=earlier,
            )
            return
        await self._notices.tell_caregiver(
            before, "visit_unassigned", "visit.unassigned", session, key=key, data={}
        )
        await self._notices.tell_caregiver(
            after, "visit_assigned", "visit.assigned", session, key=key, data={}
        )

    async def _ask_admin(self, booking: Booking, request: MoveRequest, actor: Actor) -> Booking:
        when = self._said(request.starts_at)
        note = f"Asked to move to {request.caregiver_name} on {when}; waiting for approval"
        entry = history_entry(self._clock(), "confirmed", "confirmed", actor, note)

        async def work(session: AsyncClientSession) -> Booking:
            asked = await self._bookings.apply(
                booking.id,
                ["confirmed"],
                {"move_request": to_document(request)},
                now=entry.at,
                entry=entry,
                session=session,
            )
            if asked is None:
                raise Conflict(CHANGED)
            await self._record(asked, "booking.move_requested", entry, session)
            key = f"move:{len(asked.history)}"
            await self._notices.alert_admins(
                asked, "admin_move_requested", session, key=key, live_event="booking.move_requested"
            )
            return asked

        asked = await in_transaction(self._database, work)
        self._notices.wake()
        return asked

    async def _chosen(
        self, booking: Booking, form: MoveForm
    ) -> tuple[Caregiver, datetime, datetime]:
        """The caregiver and time the form asks for, checked; Invalid with a clear reason."""
        day = parse_iso_date(form.date)
        caregiver_text, _, time_text = form.slot.partition("@")
        start = parse_start_time(time_text)
        if day is None:
            raise Invalid({"date": Text("Choose a date.")})
        if start is None or not ObjectId.is_valid(caregiver_text):
            raise Invalid({"slot": Text("Choose one of the free times.")})
        self._check_day(day)
        caregiver = next(
            (c for c in await self._candidates(booking) if str(c.id) == caregiver_text), None
        )
        if caregiver is None:
            raise Invalid({"slot": Text("Choose one of the free times.")})
        begins = local_start(day, start, self._timezone)
        starts_at, ends_at = interval(begins, booking.duration_type, booking.quantity)
        if starts_at.astimezone(UTC) == booking.starts_at and caregiver.id == booking.caregiver_id:
            raise Invalid({"slot": Text("That is the visit's time now. Choose another.")})
        if starts_at < self._clock() + timedelta(hours=self._rules.min_notice_hours):
            raise Invalid(
                {
                    "slot": Text.plural(
                        "Choose a time at least %(num)d hour from now.",
                        "Choose a time at least %(num)d hours from now.",
                        self._rules.min_notice_hours,
                    )
                }
            )
        if not caregiver.works_during(begins, ends_at.astimezone(begins.tzinfo)):
            raise Invalid({"slot": Text("That time is outside the caregiver's working hours.")})
        return caregiver, starts_at.astimezone(UTC), ends_at.astimezone(UTC)

    def _check_may_move(self, user: User, booking: Booking) -> None:
        if user.role != "patient" or booking.patient_id != user.id:
            raise Forbidden(Text("Only the patient who booked can change the visit's time."))
        if booking.status != "confirmed":
            raise Conflict(Text("Only a confirmed visit can change its time."))
        if self._clock() >= free_until(booking):
            hours = booking.policy.free_until_hours
            raise Conflict(
                Text.plural(
                    "Visits can change time free of charge until %(num)d hour before they start, "
                    "and this one starts %(when)s. Please contact us.",
                    "Visits can change time free of charge until %(num)d hours before they start, "
                    "and this one starts %(when)s. Please contact us.",
                    hours,
                    when=self._said(booking.starts_at),
                )
            )

    def _check_day(self, day: date) -> None:
        today = self._clock().astimezone(ZoneInfo(self._timezone)).date()
        if day < today:
            raise Invalid({"date": Text("That date has passed. Choose a date from today on.")})
        if day > today + timedelta(days=self._rules.max_days_ahead):
            raise Invalid(
                {
                    "date": Text.plural(
                        "Visits can be booked up to %(num)d day ahead.",
                        "Visits can be booked up to %(num)d days ahead.",
                        self._rules.max_days_ahead,
                    )
                }
            )

    def _pending(self, admin: User, booking: Booking) -> MoveRequest:
        if admin.role != "admin":
            raise Forbidden(Text("Only an admin can decide a request to change caregiver."))
        if booking.move_request is None or booking.status != "confirmed":
            raise Conflict(Text("There is no request to move this visit."))
        return booking.move_request

    async def _candidates(self, booking: Booking) -> list[Caregiver]:
        verified = await self._caregivers.candidates(Category(booking.category), None)
        # A disabled account keeps its verified profile, but must not be booked.
        active = await self._users.active_among([c.id for c in verified])
        return [c for c in verified if c.id in active]

    def _said(self, moment: datetime) -> str:
        """As people in Bangladesh write it: "Wed 9 Dec 2026, 10:00 am"."""
        local = moment.astimezone(ZoneInfo(self._timezone))
        hour = f"{local:%I:%M}".lstrip("0")
        return f"{local:%a} {local.day} {local:%b %Y}, {hour} {local:%p}".replace(
            "AM", "am"
        ).replace("PM", "pm")

    async def _record(
        self,
        booking: Booking,
        action: str,
        entry: HistoryEntry,
        session: AsyncClientSession,
        **details: Any,
    ) -> None:
        await self._audit.record(
            action,
            actor_id=entry.actor_id,
            actor_role=entry.actor_role,
            target_type="booking",
            target_id=booking.code,
            session=session,
            **details,
        )
