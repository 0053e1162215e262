"""The booking lifecycle: which status may follow which, and who may move it."""

from __future__ import annotations

from datetime import datetime, timedelta

from carevia.domain.bookings.models import ActorRole, Booking, BookingStatus
from carevia.domain.shared import Conflict, Forbidden, Invalid
from carevia.domain.shared.text import Text
from carevia.domain.shared.time_format import format_local

TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    "pending_payment": frozenset({"confirmed", "expired", "cancelled"}),
    "confirmed": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"completed"}),
    "completed": frozenset(),
    # A payment that lands after the hold lapsed confirms it if the time is still free.
    "expired": frozenset({"confirmed"}),
    "cancelled": frozenset(),
}

# Who may ask for each target status; "system" is the app itself (payments, the sweeper).
ALLOWED_ACTORS: dict[BookingStatus, frozenset[ActorRole]] = {
    "confirmed": frozenset({"system"}),
    "expired": frozenset({"system"}),
    "cancelled": frozenset({"patient", "admin", "system"}),
    "in_progress": frozenset({"caregiver", "admin"}),
    "completed": frozenset({"caregiver", "admin"}),
    "pending_payment": frozenset(),
}

# Statuses whose time is held on the caregiver's calendar.
HOLDS_TIME: frozenset[BookingStatus] = frozenset({"pending_payment", "confirmed", "in_progress"})

# A status as it reads inside a sentence ("a booking that is confirmed").
STATE_WORDS: dict[BookingStatus, str] = {
    "pending_payment": Text("pending payment"),
    "confirmed": Text("confirmed"),
    "in_progress": Text("in progress"),
    "completed": Text("completed"),
    "expired": Text("expired"),
    "cancelled": Text("cancelled"),
}


def check_transition(current: BookingStatus, target: BookingStatus, actor: ActorRole) -> None:
    if target not in TRANSITIONS[current]:
        raise Conflict(
            Text(
                "A booking that is %(was)s cannot become %(wanted)s.",
                was=STATE_WORDS[current],
                wanted=STATE_WORDS[target],
            )
        )
    if actor not in ALLOWED_ACTORS[target]:
        raise Forbidden(Text("You cannot make that change to this booking."))


# A caregiver may start from this long before the scheduled start, and until its scheduled end:
# a visit started after its end would be a record of work nobody saw happen, so that needs an
# admin, who must say why.
START_WINDOW = timedelta(minutes=60)


def timing_refusal(booking: Booking, target: BookingStatus, now: datetime) -> str | None:
    """Why `target` may not happen at `now` by the visit's clock; None when it may."""
    if target != "in_progress":
        return None
    opens = booking.starts_at - START_WINDOW
    if now < opens:
        when = format_local(opens, booking.timezone, "%-I:%M %p on %a %-d %b")
        return Text("You can start this visit from %(when)s.", when=when)
    if now >= booking.ends_at:
        ended = format_local(booking.ends_at, booking.timezone, "%-I:%M %p on %a %-d %b")
        return Text(
            "This visit was due to end at %(ended)s. Ask an admin to start it with a reason.",
            ended=ended,
        )
    return None


def check_timing(
    booking: Booking, target: BookingStatus, actor: ActorRole, now: datetime, reason: str
) -> str | None:
    """Refuse a change outside its time; an admin's reason overrides, and is then returned."""
    refusal = timing_refusal(booking, target, now)
    if refusal is None:
        return None
    if actor != "admin":
        raise Conflict(refusal)
    if not reason.strip():
        raise Invalid(
            {
                "reason": Text(
                    "%(refusal)s To do it now, give a reason for the override.", refusal=refusal
                )
            }
        )
    return reason.strip()
