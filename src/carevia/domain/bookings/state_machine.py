"""The booking lifecycle: which status may follow which, and who may move it."""

from __future__ import annotations

from carevia.domain.bookings.models import ActorRole, BookingStatus
from carevia.domain.shared import Conflict, Forbidden

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


def check_transition(current: BookingStatus, target: BookingStatus, actor: ActorRole) -> None:
    if target not in TRANSITIONS[current]:
        was, wanted = current.replace("_", " "), target.replace("_", " ")
        raise Conflict(f"A booking that is {was} cannot become {wanted}.")
    if actor not in ALLOWED_ACTORS[target]:
        raise Forbidden("You cannot make that change to this booking.")
