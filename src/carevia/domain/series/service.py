"""Booking a weekly series: its dates, their conflicts, one all-or-nothing claim, cancelling."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId

from carevia.domain.accounts import User
from carevia.domain.accounts.repository import parse_object_id
from carevia.domain.audit import AuditLog
from carevia.domain.bookings import Booking, BookingRepository, BookingService, quote
from carevia.domain.bookings.factory import new_hold
from carevia.domain.bookings.free_time import free_at
from carevia.domain.bookings.models import Location
from carevia.domain.bookings.rules import BookingRequest
from carevia.domain.caregivers import Caregiver
from carevia.domain.catalogue import Service
from carevia.domain.payments.series_checkout import SeriesCheckout
from carevia.domain.series.models import Occurrence, Series, SeriesForm, WeeklyPattern
from carevia.domain.series.planning import check_series, dates_of
from carevia.domain.series.repository import SeriesRepository
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.text import Text
from carevia.settings import BookingSettings

SERIES_NOT_FOUND = Text("We could not find that series of visits.")
# A later week of a week-by-week series stays held until a day before it starts.
WEEKLY_PAYMENT_DEADLINE = timedelta(days=1)

CancelBooking = Callable[[User, str], Awaitable[Booking]]


class SeriesPlan(msgspec.Struct, frozen=True, kw_only=True):
    service: Service
    caregiver: Caregiver
    pattern: WeeklyPattern
    location: Location
    occurrences: list[Occurrence]

    @property
    def conflicts(self) -> list[Occurrence]:
        return [o for o in self.occurrences if not o.caregiver_free]


class ConflictingDates(Conflict):
    """Some dates are taken and the patient has not yet said what to do with them."""

    def __init__(self, plan: SeriesPlan) -> None:
        super().__init__(
            Text.plural(
                "%(num)d date is not free with %(caregiver)s.",
                "%(num)d dates are not free with %(caregiver)s.",
                len(plan.conflicts),
                caregiver=plan.caregiver.display_name,
            )
        )
        self.plan = plan


class SeriesService:
    def __init__(
        self,
        series: SeriesRepository,
        bookings: BookingService,
        booking_records: BookingRepository,
        audit: AuditLog,
        rules: BookingSettings,
        timezone: str,
        cancel_booking: CancelBooking,
        checkout: SeriesCheckout,
        clock: Clock = utc_now,
    ) -> None:
        self._checkout = checkout
        self._series = series
        self._bookings = bookings
        self._records = booking_records
        self._audit = audit
        self._rules = rules
        self._timezone = timezone
        self._cancel_booking = cancel_booking
        self._clock = clock

    async def service(self, slug: str) -> Service:
        return await self._bookings.service(slug)

    async def caregivers_for(self, service: Service) -> list[Caregiver]:
        return await self._bookings.caregivers_for(service)

    async def plan(self, patient: User, form: SeriesForm) -> SeriesPlan:
        """Every date of the pattern, and for each taken one another caregiver free then."""
        if patient.role != "patient":
            raise Forbidden(Text("Only patient accounts can book care."))
        service = await self.service(form.service)
        now = self._clock()
        pattern, location, errors = check_series(form, service, now, self._rules, self._timezone)
        candidates = await self.caregivers_for(service)
        chosen = parse_object_id(form.caregiver_id)
        caregiver = next((c for c in candidates if c.id == chosen), None)
        if caregiver is None:
            errors["caregiver_id"] = Text("Choose a caregiver from the list.")
        if pattern is None or location is None or caregiver is None:
            raise Invalid(errors)
        days = dates_of(pattern, now, self._rules, self._timezone)
        if not days:
            raise Invalid({"first_week": Text("No date of this pattern can still be booked.")})
        # One read of everyone's held time over the whole series.
        taken = await self._records.claimed_slots(
            [c.id for c in candidates], days[0][2], days[-1][3]
        )
        others = [c for c in candidates if c.id != caregiver.id]
        zone = ZoneInfo(self._timezone)
        occurrences = []
        for day, week, starts_at, ends_at in days:
            begins = starts_at.astimezone(zone)
            hours = pattern.hours
            free = free_at(caregiver, begins, "hours", hours, taken[caregiver.id])
            other = None
            if not free:
                other = next(
                    (c for c in others if free_at(c, begins, "hours", hours, taken[c.id])), None
                )
            occurrences.append(
                Occurrence(
                    day=day,
                    week=week,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    caregiver_free=free,
                    other_caregiver_id=other.id if other else None,
                    other_caregiver_name=other.display_name if other else "",
                )
            )
        return SeriesPlan(
            service=service,
            caregiver=caregiver,
            pattern=pattern,
            location=location,
            occurrences=occurrences,
        )

    async def book(self, patient: User, form: SeriesForm) -> Series:
        """Hold every chosen date in one transaction, or none.

        Taken dates are skipped, given to another free caregiver, or refuse the whole
        series, as `form.on_conflict` says; "ask" raises ConflictingDates to list them.
        """
        if not patient.is_verified:
            raise Forbidden(
                Text("Please confirm your email address before booking. We sent you a link.")
            )
        plan = await self.plan(patient, form)
        conflicts = plan.conflicts
        if conflicts and form.on_conflict == "ask":
            raise ConflictingDates(plan)
        if conflicts and form.on_conflict == "all_or_nothing":
            dates = ", ".join(f"{o.day:%a} {o.day.day} {o.day:%b}" for o in conflicts)
            raise Conflict(
                Text("Nothing was booked: these dates are not free (%(dates)s).", dates=dates)
            )
        caregivers = {c.id: c for c in await self.caregivers_for(plan.service)}
        chosen: list[tuple[Occurrence, Caregiver]] = []
        skipped: list[date] = []
        for occurrence in plan.occurrences:
            if occurrence.caregiver_free:
                chosen.append((occurrence, plan.caregiver))
            elif form.on_conflict == "other" and occurrence.other_caregiver_id in caregivers:
                chosen.append((occurrence, caregivers[occurrence.other_caregiver_id]))
            else:
                skipped.append(occurrence.day)
        if not chosen:
            raise Conflict(Text("None of these dates is free. Please choose other days or weeks."))
        series_id = ObjectId()
        now = self._clock()
        bookings = [
            self._occurrence(patient, plan, occurrence, caregiver, series_id, form, now)
            for occurrence, caregiver in chosen
        ]
        series = Series(
            id=series_id,
            patient_id=patient.id,
            caregiver_id=plan.caregiver.id,
            caregiver_name=plan.caregiver.display_name,
            service_slug=plan.service.slug,
            service_name=plan.service.name,
            pattern=plan.pattern,
            payment_plan="weekly" if form.payment_plan == "weekly" else "whole",
            booking_ids=[b.id for b in bookings],
            skipped=skipped,
            created_at=now,
        )
        await self._series.add_with_bookings(series, bookings)
        await self._audit.record(
            "series.created",
            actor_id=str(patient.id),
            actor_role="patient",
            target_type="series",
            target_id=str(series_id),
            visits=len(bookings),
            skipped=len(skipped),
        )
        return series

    def _occurrence(
        self,
        patient: User,
        plan: SeriesPlan,
        occurrence: Occurrence,
        caregiver: Caregiver,
        series_id: ObjectId,
        form: SeriesForm,
        now: datetime,
    ) -> Booking:
        request = BookingRequest(
            caregiver_id=caregiver.id,
            local_date=occurrence.day,
            local_time=plan.pattern.start_time,
            duration_type="hours",
            quantity=plan.pattern.hours,
            location=plan.location,
            payment_option="full",
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
        )
        price = quote(
            plan.service,
            "hours",
            plan.pattern.hours,
            plan.location.division,
            "full",
            self._rules.travel_fee,
        )
        booking = new_hold(
            patient,
            plan.service,
            caregiver,
            request,
            price,
            now=now,
            timezone=self._timezone,
            hold_minutes=self._rules.hold_minutes,
            series_id=series_id,
        )
        if form.payment_plan == "weekly" and occurrence.week > 1:
            # Held, unpaid, until its week's Checkout link has had time to be used.
            week_start = plan.pattern.first_week + timedelta(days=7 * (occurrence.week - 1))
            zone = ZoneInfo(self._timezone)
            deadline = datetime.combine(week_start, plan.pattern.start_time, zone)
            later = max(deadline - WEEKLY_PAYMENT_DEADLINE, booking.hold_expires_at or now)
            booking = msgspec.structs.replace(booking, hold_expires_at=later)
        return booking

    async def get_for(self, user: User, series_id: str) -> tuple[Series, list[Booking]]:
        """The series and its visits if `user` may see them; someone else's is absent."""
        found = parse_object_id(series_id)
        series = None if found is None else await self._series.get(found)
        if series is None or (user.role != "admin" and series.patient_id != user.id):
            raise NotFound(SERIES_NOT_FOUND)
        return series, await self._series.occurrences(series.id)

    async def overview(self, admin: User, limit: int = 30) -> list[tuple[Series, list[Booking]]]:
        """The newest series with their visits, for the dashboard; two queries in all."""
        if admin.role != "admin":
            raise Forbidden(Text("Only admins see every series."))
        found = await self._series.recent(limit)
        visits = await self._series.occurrences_of([s.id for s in found])
        return [(s, visits.get(s.id, [])) for s in found]

    async def cancellation(
        self, user: User, series_id: str, code: str
    ) -> tuple[Series, list[tuple[Booking, int]]]:
        """What cancelling would do: each visit it cancels and the refund its policy gives.

        `code` names one visit; "rest" means every visit still to come that can be cancelled.
        """
        series, visits = await self.get_for(user, series_id)
        if code == "rest":
            chosen = [b for b in visits if self._bookings.can_cancel(user, b)]
        else:
            chosen = [b for b in visits if b.code == code]
            if not chosen:
                raise NotFound(Text("That visit is not part of this series."))
            if not self._bookings.can_cancel(user, chosen[0]):
                raise Conflict(
                    Text("This visit can no longer be cancelled here. Please contact us.")
                )
        if not chosen:
            raise Conflict(Text("No visit of this series can still be cancelled."))
        return series, [(b, self._bookings.refund_if_cancelled_now(b)) for b in chosen]

    async def cancel(self, user: User, series_id: str, code: str) -> list[Booking]:
        """Cancel one visit or the rest, each by its own stored policy and refund."""
        _, chosen = await self.cancellation(user, series_id, code)
        return [await self._cancel_booking(user, booking.code) for booking, _ in chosen]

    async def checkout_url(self, user: User, series_id: str, week: int | None) -> str:
        """One Checkout for the whole series, or for one week of a week-by-week series."""
        series, visits = await self.get_for(user, series_id)
        if series.patient_id != user.id:
            raise Forbidden(Text("Only the patient who booked can pay for these visits."))
        if series.payment_plan == "weekly":
            # Without a week, the first one still waiting: the first week may lie in the past.
            waiting = [v for v in visits if v.status == "pending_payment"]
            weeks = [series.week_of(v.starts_at, v.timezone) for v in waiting]
            chosen = week or min(weeks, default=1)
            visits = [v for v in visits if series.week_of(v.starts_at, v.timezone) == chosen]
        return await self._checkout.checkout_url(visits, series.id)
