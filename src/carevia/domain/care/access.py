"""Who may see a booking's care needs, and the audit of every staff read."""

from __future__ import annotations

from carevia.domain.accounts import User
from carevia.domain.audit import AuditLog
from carevia.domain.bookings.models import Booking
from carevia.domain.care.models import Recipient
from carevia.domain.shared.clock import Clock, utc_now


class CareNeedsAccess:
    def __init__(self, audit: AuditLog, clock: Clock = utc_now) -> None:
        self._audit = audit
        self._clock = clock

    def may_view(self, viewer: User, booking: Booking) -> bool:
        if viewer.role == "admin":
            return True
        if viewer.role == "patient":
            return booking.patient_id == viewer.id
        return viewer.role == "caregiver" and booking.private_to_caregiver(viewer.id, self._clock())

    async def view(self, viewer: User, booking: Booking) -> Recipient | None:
        """The recipient with their care needs for this viewer, or None when not theirs to see.

        Each call that shows care needs to staff is one read in the audit log; callers ask
        once per page shown, not for every fragment that refreshes around it.
        """
        if booking.recipient is None or not self.may_view(viewer, booking):
            return None
        if viewer.role != "patient":
            await self._audit.record(
                "care.needs_viewed",
                actor_id=str(viewer.id),
                actor_role=viewer.role,
                target_type="booking",
                target_id=booking.code,
            )
        return booking.recipient
