"""Booking rules: availability, holds, the patient's bookings, cancellation and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId

from carevia.domain.accounts import User, UserRepository
from carevia.domain.audit import AuditLog
from carevia.domain.bookings.booking_calendar import (
    BookingWindow,
    DayPicker,
    group_times,
    month_span,
    month_view,
    offers_night,
    parse_month,
)
from carevia.domain.bookings.codes import new_booking_code
from carevia.domain.bookings.factory import new_hold
from carevia.domain.bookings.free_time import FreeTimes
from carevia.domain.bookings.models import (
    Actor,
    Booking,
    BookingForm,
    BookingStatus,
    VisitReport,
)
from carevia.domain.bookings.pricing import DurationType, PaymentOption, PriceBreakdown, quote
from carevia.domain.bookings.recommendations import (
    CareHistory,
    Recommended,
    Recommender,
    who_chosen,
    who_of,
)
from carevia.domain.bookings.repository import BookingRepository, CodeTaken, SlotTaken
from carevia.domain.bookings.rules import check_request, refund_for_cancellation
from carevia.domain.bookings.schedule import local_start, parse_iso_date
from carevia.domain.bookings.transitions import SYSTEM, BookingTransitions
from carevia.domain.bookings.visit_report import report_visible_to
from carevia.domain.care.models import CarePerson, Recipient
from carevia.domain.care.service import CarePeople
from carevia.domain.caregivers import Caregiver, CaregiverRepository
from carevia.domain.catalogue import Service, ServiceRepository
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.text import Text
from carevia.settings import BookingSettings

BOOKING_NOT_FOUND = Text("We could not find that booking.")
NO_CAREGIVER_FREE = Text("No caregiver is free at that time. Please choose another time.")


def actor_of(user: User) -> Actor:
    return Actor(str(user.id), user.role)


class BookingService:
    def __init__(
        self,
        bookings: BookingRepository,
        services: ServiceRepository,
        caregivers: CaregiverRepository,
        users: UserRepository,
        audit: AuditLog,
        rules: BookingSettings,
        timezone: str,
        transitions: BookingTransitions,
        clock: Clock = utc_now,
        people: CarePeople | None = None,
        history: CareHistory | None = None,
    ) -> None:
        self._bookings = bookings
        self._services = services
        self._caregivers = caregivers
        self._users = users
        self._audit = audit
        self._rules = rules
        self._timezone = timezone
        self._transitions = transitions
        self._clock = clock
        self._people = people
        self._free_times = FreeTimes(bookings, timezone, rules.min_notice_hours, clock)
        self._recommender = Recommender(self._free_times, history)

    async def service(self, slug: str) -> Service:
        service = await self._services.get_active_by_slug(slug)
        if service is None:
            raise NotFound(Text("We could not find a service called “%(slug)s”.", slug=slug))
        return service

    async def caregivers_for(self, service: Service) -> list[Caregiver]:
        return await self._chosen_candidates(service, "any")

    async def recommended(
        self, service: Service, patient: User, form: BookingForm, people: list[CarePerson]
    ) -> list[Recommended]:
        """The form's caregiver cards, best match first, those free at the chosen time first.

        `people` are the patient's saved people, which the form has read already.
        """
        candidates = await self._chosen_candidates(service, "any")
        who = who_chosen(form.recipient, people)
        return await self._recommender.for_form(candidates, service, patient, who, form)

    async def candidates(self, service: Service, caregiver_choice: str) -> list[Caregiver]:
        """Active verified caregivers of the service: all, or the one chosen by id."""
        return await self._chosen_candidates(service, caregiver_choice)

    async def recipient_for(
        self, patient: User, form: BookingForm
    ) -> tuple[Recipient | None, dict[str, str]]:
        """Who the form says needs care, or a message per field; nothing is saved."""
        if self._people is None:
            return None, {}
        return await self._people.choose(patient, form.recipient_choice())

    async def people_for(self, patient: User) -> list[CarePerson]:
        """The saved people the form offers under "Who needs care?"."""
        return await self._people.choices_for(patient) if self._people else []

    def quote(self, service: Service, form: BookingForm) -> PriceBreakdown | None:
        """The live price for the form as typed so far, or None until it can be priced."""
        quantity = form.quantity_number()
        if quantity is None or quantity < 1 or form.duration_type not in ("hours", "days"):
            return None
        duration: DurationType = "days" if form.duration_type == "days" else "hours"
        payment: PaymentOption = "half" if form.payment_option == "half" else "full"
        # Until a division is chosen there is no travel fee to show.
        travel_fee = self._rules.travel_fee if form.division else 0
        return quote(service, duration, quantity, form.division, payment, travel_fee)

    async def when(self, service: Service, form: BookingForm, month: str) -> DayPicker:
        """The month to show with its free days, and the chosen day's free times or why not.

        A bounded number of reads whatever the number of caregivers: the candidates, then the
        held time of all of them once for the month and once for the chosen day.
        """
        candidates = await self._chosen_candidates(service, form.caregiver_id)
        duration: DurationType = "days" if form.duration_type == "days" else "hours"
        quantity = form.quantity_number() or (
            service.booking_rules.min_hours if duration == "hours" else 1
        )
        today = self._clock().astimezone(ZoneInfo(self._timezone)).date()
        window = BookingWindow(today, today + timedelta(days=self._rules.max_days_ahead))
        night = offers_night(service)
        day = parse_iso_date(form.date)
        refusal = window.refusal(day) if day else None
        if form.date and day is None:
            refusal = "Choose a day in the calendar."
        first = window.month_of(parse_month(month) or day)
        start, end = month_span(first, window)
        free = await self._free_times.free_days(
            candidates, start, end, duration, quantity, night=night
        )
        times = None
        if day and not refusal:
            starts = await self._free_times.starts_on(
                candidates, day, duration, quantity, night=night
            )
            times = group_times(sorted(set().union(*starts.values())), night)
        return DayPicker(
            window, month_view(first, window, free), day, times, refusal, self._timezone
        )

    async def create(self, patient: User, service_slug: str, form: BookingForm) -> Booking:
        if patient.role != "patient":
            raise Forbidden(Text("Only patient accounts can book care."))
        if not patient.is_verified:
            raise Forbidden(
                Text("Please confirm your email address before booking. We sent you a link.")
            )
        service = await self.service(service_slug)
        now = self._clock()
        request, errors = check_request(form, service, now, self._rules, self._timezone)
        recipient, recipient_errors = (
            await self._people.choose(patient, form.recipient_choice())
            if self._people
            else (None, {})
        )
        if request is None or recipient_errors:
            raise Invalid({**errors, **recipient_errors})
        candidates = await self._chosen_candidates(service, form.caregiver_id)
        if request.caregiver_id is not None and not candidates:
            raise Invalid({"caregiver_id": Text("This caregiver does not offer this service.")})
        begins = local_start(request.local_date, request.local_time, self._timezone)
        working = [
            c
            for c in candidates
            if c.works_during(begins, request.ends_at.astimezone(begins.tzinfo))
        ]
        if not working:
            field = "start_time" if request.caregiver_id else "date"
            raise Invalid(
                {
                    field: Text("That time is outside the caregiver's working hours.")
                    if request.caregiver_id
                    else NO_CAREGIVER_FREE
                }
            )
        if request.caregiver_id is None:
            # "Any available caregiver" is the best match among those working then.
            who, division = who_of(recipient), request.location.division
            ranked = await self._recommender.rank(working, service, patient, who, division)
            working = [caregiver for caregiver, _ in ranked]
        price = quote(
            service,
            request.duration_type,
            request.quantity,
            request.location.division,
            request.payment_option,
            self._rules.travel_fee,
        )
        for caregiver in working:
            booking = new_hold(
                patient,
                service,
                caregiver,
                request,
                price,
                now=now,
                timezone=self._timezone,
                hold_minutes=self._rules.hold_minutes,
                recipient=recipient,
            )
            if await self._hold(booking, now):
                # Saved only once the booking is held: a refused booking leaves no one behind.
                if self._people:
                    await self._people.keep_new(patient, recipient)
                await self._audit.record(
                    "booking.created",
                    actor_id=str(patient.id),
                    actor_role="patient",
                    target_type="booking",
                    target_id=booking.code,
                    caregiver=str(caregiver.id),
                )
                return booking
        raise SlotTaken(
            "That time is no longer free with this caregiver."
            if request.caregiver_id
            else NO_CAREGIVER_FREE
        )

    def visit_report(self, user: User, booking: Booking) -> VisitReport | None:
        """The booking's visit report if `user` may read it now."""
        return report_visible_to(user, booking, self._clock())

    async def get_for(self, user: User, code: str) -> Booking:
        booking = await self.find_for(user, code)
        if booking is None:
            raise NotFound(BOOKING_NOT_FOUND)
        return booking

    async def find_for(self, user: User, code: str) -> Booking | None:
        """The booking if `user` may see it; someone else's is as absent as a missing one.

        Answering "forbidden" for a real code and "not found" for a made-up one would let
        anyone probe which booking codes exist, so every route reads through here.
        """
        booking = await self._bookings.get_by_code(code.upper())
        if booking is None or not self.may_view(user, booking):
            return None
        return booking

    @staticmethod
    def may_view(user: User, booking: Booking) -> bool:
        return (
            user.role == "admin"
            or (user.role == "patient" and booking.patient_id == user.id)
            or (user.role == "caregiver" and booking.caregiver_id == user.id)
        )

    async def list_for_patient(
        self, patient: User, view: str, page: int, size: int = 10
    ) -> tuple[list[Booking], int]:
        statuses: tuple[BookingStatus, ...] | None
        upcoming: bool | None
        if view == "cancelled":
            statuses, upcoming = ("cancelled", "expired"), None
        elif view == "past":
            statuses, upcoming = ("confirmed", "in_progress", "completed"), False
        else:
            statuses, upcoming = ("pending_payment", "confirmed", "in_progress"), True
        return await self._bookings.for_patient(
            patient.id,
            statuses,
            upcoming=upcoming,
            now=self._clock(),
            skip=(max(page, 1) - 1) * size,
            limit=size,
        )

    async def visits_for(self, caregiver: User, days: int = 14) -> list[Booking]:
        """The caregiver's own visits from the start of today (local) for `days` days."""
        if caregiver.role != "caregiver":
            raise Forbidden(Text("Only caregivers have a visit schedule."))
        today = local_start(
            self._clock().astimezone(ZoneInfo(self._timezone)).date(), time(0, 0), self._timezone
        )
        return await self._bookings.for_caregiver(
            caregiver.id,
            today.astimezone(UTC),
            (today + timedelta(days=days)).astimezone(UTC),
            ("confirmed", "in_progress", "completed"),
        )

    def refund_if_cancelled_now(self, booking: Booking) -> int:
        return refund_for_cancellation(
            booking.amount_paid,
            booking.price.total,
            booking.starts_at,
            booking.policy.free_until_hours,
            booking.policy.late_refund_percent,
            self._clock(),
        )

    def can_cancel(self, user: User, booking: Booking) -> bool:
        if booking.status not in ("pending_payment", "confirmed"):
            return False
        if user.role == "admin":
            return True
        return (
            user.role == "patient"
            and booking.patient_id == user.id
            and self._clock() < booking.starts_at
        )

    async def cancel(self, user: User, code: str, reason: str = "") -> Booking:
        booking = await self.get_for(user, code)
        if not self.can_cancel(user, booking):
            raise Conflict(Text("This booking can no longer be cancelled here. Please contact us."))
        refund = self.refund_if_cancelled_now(booking)
        cancelled = await self._transitions.move(
            booking,
            "cancelled",
            actor_of(user),
            note=reason or None,
            fields={"refund_owed": refund},
            details={"refund_owed": refund},
        )
        if cancelled is None:
            raise Conflict(
                Text("This booking changed in the meantime. Please reload and try again.")
            )
        return cancelled

    async def expire_lapsed(self, limit: int = 100, caregiver_id: ObjectId | None = None) -> int:
        """Expire holds whose time ran out; safe to run from several tasks or instances."""
        expired = 0
        for booking in await self._bookings.lapsed_holds(self._clock(), limit, caregiver_id):
            expired += await self._expire(booking, "The payment hold ran out.")
        return expired

    async def expire_hold(self, booking_id: ObjectId, note: str) -> bool:
        """End a hold early, as when its Checkout session expires unpaid."""
        booking = await self._bookings.get(booking_id)
        return booking is not None and bool(await self._expire(booking, note))

    async def _expire(self, booking: Booking, note: str) -> int:
        if booking.status != "pending_payment":
            return 0
        return int(await self._transitions.move(booking, "expired", SYSTEM, note=note) is not None)

    async def _hold(self, booking: Booking, now: datetime) -> bool:
        """Claim the caregiver's time; a lapsed hold in the way is expired first."""
        for attempt in range(3):
            try:
                await self._bookings.add_with_claims(booking)
                return True
            except CodeTaken:
                booking = msgspec.structs.replace(booking, code=new_booking_code())
            except SlotTaken:
                if attempt > 0 or not await self._clear_lapsed(booking.caregiver_id):
                    return False
        return False

    async def _clear_lapsed(self, caregiver_id: ObjectId) -> bool:
        """Whether lapsed holds were in the caregiver's way: each is expired now, or was
        meanwhile by another process (the sweep), and either way the time is worth a retry."""
        lapsed = await self._bookings.lapsed_holds(self._clock(), 100, caregiver_id)
        for booking in lapsed:
            await self._expire(booking, "The payment hold ran out.")
        return bool(lapsed)

    async def _chosen_candidates(self, service: Service, caregiver_choice: str) -> list[Caregiver]:
        verified = await self._caregivers.candidates(service.category, None)
        # A disabled account keeps its verified profile, but must not be booked.
        active = await self._users.active_among([c.id for c in verified])
        candidates = [c for c in verified if c.id in active]
        if caregiver_choice in ("", "any"):
            return candidates
        return [c for c in candidates if str(c.id) == caregiver_choice]
