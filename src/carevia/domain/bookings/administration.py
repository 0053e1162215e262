"""What staff do to bookings: assign a caregiver, start, complete, cancel, refund, resend.

Status changes go through BookingTransitions; the other changes (caregiver, resends) are
conditional updates that write their history, audit entry and live notification too.
"""

from __future__ import annotations

from typing import Any, Literal

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from carevia.domain.accounts import User, UserRepository
from carevia.domain.audit import AuditLog
from carevia.domain.bookings.models import Booking, BookingStatus
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.read_models import (
    ASSIGNABLE,
    RESENDABLE,
    BookingDrawer,
    BookingFilters,
    BookingQueries,
    actions_for,
    to_csv,
)
from carevia.domain.bookings.repository import BookingRepository, SlotTaken
from carevia.domain.bookings.schedule import slots
from carevia.domain.bookings.service import BookingService, actor_of
from carevia.domain.bookings.state_machine import (
    ALLOWED_ACTORS,
    check_transition,
    timing_refusal,
)
from carevia.domain.bookings.transitions import BookingTransitions, history_entry
from carevia.domain.bookings.visit_report import ReportForm, build_report, report_visible_to
from carevia.domain.caregivers import Caregiver, CaregiverRepository
from carevia.domain.catalogue.admin_repository import ServiceAdminRepository
from carevia.domain.catalogue.models import Category
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.payments.service import PaymentService
from carevia.domain.shared import Conflict, Forbidden, Invalid
from carevia.domain.shared.clock import Clock
from carevia.domain.shared.documents import to_document
from carevia.domain.shared.text import Text
from carevia.domain.shared.transactions import in_transaction

Target = Literal["in_progress", "completed", "cancelled"]


def require_confirmation(confirmed: bool, action: str) -> None:
    """Both visit actions are confirmed first; a bare post, by a slip or a script, is refused."""
    if not confirmed:
        message = (
            Text("Tick the box to confirm you want to start this visit.")
            if action == "start"
            else Text("Tick the box to confirm you want to complete this visit.")
        )
        raise Invalid({"confirm": message})


class BookingAdministration:
    def __init__(
        self,
        *,
        bookings: BookingService,
        records: BookingRepository,
        queries: BookingQueries,
        caregivers: CaregiverRepository,
        payments: PaymentService,
        payment_records: PaymentRepository,
        notices: BookingNotices,
        transitions: BookingTransitions,
        audit: AuditLog,
        database: AsyncDatabase[dict[str, Any]],
        clock: Clock,
    ) -> None:
        self._bookings = bookings
        self._records = records
        self._queries = queries
        self._caregivers = caregivers
        self._payments = payments
        self._payment_records = payment_records
        self._notices = notices
        self._transitions = transitions
        self._audit = audit
        self._database = database
        self._clock = clock

    async def get(self, viewer: User, code: str) -> Booking:
        """The booking if `viewer` may see it: admins all, others only their own."""
        return await self._bookings.get_for(viewer, code)

    async def drawer(self, viewer: User, code: str) -> BookingDrawer:
        booking = await self.get(viewer, code)
        actions = actions_for(viewer, booking)
        staff = viewer.role == "admin"
        return BookingDrawer(
            booking=booking,
            actions=actions,
            payments=await self._payment_records.for_booking(booking.id) if staff else [],
            refunds=await self._payment_records.refunds_for(booking.id) if staff else [],
            free_caregivers=await self._free(booking) if actions.assign else [],
            report=report_visible_to(viewer, booking, self._clock()),
            tasks=await self.report_tasks(booking) if actions.complete else [],
            timing=timing_refusal(booking, "in_progress", self._clock()) if actions.start else None,
        )

    async def free_caregivers(self, admin: User, code: str) -> list[Caregiver]:
        """Verified caregivers of the booking's category who work those hours and are free."""
        self._require_admin(admin)
        return await self._free(await self.get(admin, code))

    async def export_csv(self, admin: User, filters: BookingFilters) -> str:
        self._require_admin(admin)
        rows = await self._queries.export(admin, filters)
        query = dict(filters.query_pairs())
        await self._record("admin.bookings_exported", admin, None, count=len(rows), filters=query)
        return to_csv(rows)

    async def assign(self, admin: User, code: str, caregiver_id: str) -> Booking:
        """Move the booking and its claimed time to another caregiver, all or nothing."""
        self._require_admin(admin)
        booking = await self.get(admin, code)
        if booking.status not in ASSIGNABLE:
            raise Conflict(
                Text("Only a booking awaiting payment or confirmed can change caregiver.")
            )
        caregiver = await self._caregivers.get(caregiver_id)
        if caregiver is not None and not await self._active([caregiver]):
            caregiver = None  # a disabled account keeps its profile but takes no visits
        if caregiver is None or not self._suits(caregiver, booking):
            raise Invalid(
                {
                    "caregiver_id": Text(
                        "Choose a verified caregiver of this service who works then."
                    )
                }
            )
        if caregiver.id == booking.caregiver_id:
            raise Invalid({"caregiver_id": Text("This caregiver is already assigned.")})
        note = f"Caregiver changed from {booking.caregiver_name} to {caregiver.display_name}"
        entry = history_entry(self._clock(), booking.status, booking.status, actor_of(admin), note)

        async def work(session: AsyncClientSession) -> Booking:
            await self._records.release_time(booking.id, session)
            moved = await self._records.apply(
                booking.id,
                [booking.status],
                {"caregiver_id": caregiver.id, "caregiver_name": caregiver.display_name},
                now=entry.at,
                entry=entry,
                session=session,
            )
            if moved is None:  # raising aborts the transaction, so the old claims stay
                raise Conflict(Text("This booking changed in the meantime. Please reload."))
            await self._records.claim_time(moved, session)
            key = f"assign:{len(moved.history)}"
            await self._notices.tell(moved, None, "booking.updated", session, key=key)
            if moved.status == "confirmed":  # a held booking was never the caregiver's yet
                await self._tell_caregivers(booking, moved, session, key)
            return moved

        try:
            moved = await in_transaction(self._database, work)
        except (BulkWriteError, DuplicateKeyError) as error:
            raise SlotTaken(f"{caregiver.display_name} is not free at that time.") from error
        self._notices.wake()
        before, after = str(booking.caregiver_id), str(moved.caregiver_id)
        await self._record("booking.assigned", admin, booking.code, before=before, caregiver=after)
        return moved

    async def _tell_caregivers(
        self, before: Booking, after: Booking, session: AsyncClientSession, key: str
    ) -> None:
        """The caregiver who loses the visit and the one who gets it each hear of it once."""
        await self._notices.tell_caregiver(
            before, "visit_unassigned", "visit.unassigned", session, key=key, data={}
        )
        await self._notices.tell_caregiver(
            after, "visit_assigned", "visit.assigned", session, key=key, data={}
        )

    async def start(self, actor: User, code: str, *, confirmed: bool, reason: str = "") -> Booking:
        """Start the visit once the person asked has confirmed it; `reason` overrides timing."""
        return await self._move(actor, code, "in_progress", reason=reason, confirmed=confirmed)

    async def complete(
        self, actor: User, code: str, report: ReportForm | None, *, confirmed: bool
    ) -> Booking:
        """Complete the visit and store its report with it, in the same transaction."""
        return await self._move(actor, code, "completed", report=report, confirmed=confirmed)

    async def report_tasks(self, booking: Booking) -> list[str]:
        """The service's responsibilities, which the report's tasks are picked from."""
        # By slug in any status: a service hidden since the booking still lists its tasks.
        service = await ServiceAdminRepository(self._database).get_by_slug(booking.service_slug)
        return list(service.responsibilities) if service is not None else []

    async def cancel(self, user: User, code: str) -> Booking:
        """Cancel under the stored policy and queue its refund, as the patient's page does."""
        self._require_admin(user)
        return await self._cancel(user, code)

    async def refund(self, admin: User, code: str, amount: int | None, reason: str) -> Booking:
        self._require_admin(admin)
        return await self._payments.refund(admin, code, amount, reason[:200])

    async def resend_confirmation(self, admin: User, code: str) -> Booking:
        """Queue the confirmation email again, under a new key so the outbox accepts it."""
        self._require_admin(admin)
        booking = await self.get(admin, code)
        if booking.status not in RESENDABLE:
            raise Conflict(Text("Only a confirmed booking has a confirmation to send again."))

        async def work(session: AsyncClientSession) -> tuple[Booking, int]:
            number = await self._queries.resends(booking.id, session) + 1
            updated = await self._records.apply(
                booking.id,
                list(RESENDABLE),
                {"confirmation_resends": number},
                now=self._clock(),
                entry=None,
                session=session,
            )
            if updated is None:
                raise Conflict(Text("This booking changed in the meantime. Please reload."))
            await self._notices.tell(
                updated, "booking_confirmed", None, session, key=f"resend:{number}"
            )
            return updated, number

        updated, number = await in_transaction(self._database, work)
        self._notices.wake()
        await self._record("booking.confirmation_resent", admin, booking.code, number=number)
        return updated

    async def transition(
        self,
        actor: User,
        code: str,
        target: Target,
        caregiver_id: str | None = None,
        *,
        reason: str = "",
        report: ReportForm | None = None,
    ) -> Booking:
        """The API's one entry point; `caregiver_id` lets an admin start with a substitute.

        `reason` is an admin's reason to override the timing rule; `report` is filed with
        Complete.
        """
        if caregiver_id is not None:
            if target != "in_progress":
                raise Invalid(
                    {"caregiver_id": Text("A caregiver can only be given when starting.")}
                )
            self._require_admin(actor)
            booking = await self.get(actor, code)
            check_transition(booking.status, target, actor.role)
            if str(booking.caregiver_id) != caregiver_id:
                await self.assign(actor, code, caregiver_id)
        if target == "cancelled":
            if actor.role not in ("admin", "patient"):
                raise Forbidden(Text("You cannot cancel this booking."))
            return await self._cancel(actor, code)
        return await self._move(actor, code, target, reason=reason, report=report)

    async def _cancel(self, user: User, code: str) -> Booking:
        """PaymentService applies the policy and queues refunds, as the patient's page does."""
        cancelled = await self._payments.cancel(user, code)
        return await self._records.get(cancelled.id) or cancelled

    async def _move(
        self,
        actor: User,
        code: str,
        target: BookingStatus,
        *,
        reason: str = "",
        report: ReportForm | None = None,
        confirmed: bool = True,
    ) -> Booking:
        if actor.role not in ALLOWED_ACTORS[target]:
            raise Forbidden(Text("You cannot make that change to this booking."))
        if reason.strip() and actor.role != "admin":
            raise Forbidden(Text("Only an admin can override the visit's timing."))
        booking = await self.get(actor, code)  # someone else's booking is not found, first
        require_confirmation(confirmed, "start" if target == "in_progress" else "complete")
        fields: dict[str, Any] = {}
        if report is not None and target == "completed":
            check_transition(booking.status, target, actor.role)
            filed = build_report(report, await self.report_tasks(booking), actor, self._clock())
            fields = {"report": to_document(filed), "has_concern": bool(filed.concern)}
        moved = await self._transitions.move(
            booking, target, actor_of(actor), fields=fields, reason=reason[:300]
        )
        if moved is None:
            raise Conflict(
                Text("This booking changed in the meantime. Please reload and try again.")
            )
        return moved

    async def _free(self, booking: Booking) -> list[Caregiver]:
        suitable = [
            c
            for c in await self._caregivers.candidates(Category(booking.category), None)
            if c.id != booking.caregiver_id and self._suits(c, booking)
        ]
        candidates = await self._active(suitable)
        taken = await self._records.claimed_slots(
            [c.id for c in candidates], booking.starts_at, booking.ends_at
        )
        needed = set(slots(booking.starts_at, booking.ends_at))
        return [c for c in candidates if not needed & taken[c.id]]

    async def _active(self, caregivers: list[Caregiver]) -> list[Caregiver]:
        active = await UserRepository(self._database).active_among([c.id for c in caregivers])
        return [c for c in caregivers if c.id in active]

    @staticmethod
    def _suits(caregiver: Caregiver, booking: Booking) -> bool:
        return (
            caregiver.verified
            and booking.category in caregiver.categories
            and caregiver.works_during(booking.starts_at, booking.ends_at)
        )

    async def _record(self, action: str, actor: User, code: str | None, **details: Any) -> None:
        await self._audit.record(
            action,
            actor_id=str(actor.id),
            actor_role=actor.role,
            target_type="booking",
            target_id=code,
            **details,
        )

    @staticmethod
    def _require_admin(actor: User) -> None:
        if actor.role != "admin":
            raise Forbidden(Text("Only admins can do that to a booking."))
