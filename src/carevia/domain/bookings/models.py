from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec
from bson import ObjectId

from carevia.domain.bookings.pricing import DurationType, PriceBreakdown
from carevia.domain.care.models import MYSELF, PersonForm, Recipient, RecipientChoice
from carevia.domain.shared.text import Text

BookingStatus = Literal[
    "pending_payment", "confirmed", "in_progress", "completed", "expired", "cancelled"
]
PaymentStatus = Literal[
    "unpaid", "partially_paid", "paid", "partially_refunded", "refunded", "disputed"
]
ActorRole = Literal["patient", "caregiver", "admin", "system"]

STATUS_LABELS: dict[str, str] = {
    "pending_payment": Text("Awaiting payment"),
    "confirmed": Text("Confirmed"),
    "in_progress": Text("In progress"),
    "completed": Text("Completed"),
    "expired": Text("Expired"),
    "cancelled": Text("Cancelled"),
}
PAYMENT_LABELS: dict[str, str] = {
    "unpaid": Text("Unpaid"),
    "partially_paid": Text("50% paid"),
    "paid": Text("Paid"),
    "partially_refunded": Text("Partly refunded"),
    "refunded": Text("Refunded"),
    "disputed": Text("Disputed"),
}


# The notes the system itself writes into a booking's history, shown in the reader's
# language; any other note (an admin's reason, a move) is shown as it was written.
SYSTEM_NOTES: dict[str, str] = {
    note: note
    for note in (
        Text("Payment received"),
        Text("Payment arrived after the hold; the time was still free"),
        Text("The payment hold ran out."),
        Text("The Checkout session expired."),
    )
}


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    from_status: BookingStatus | None
    to_status: BookingStatus
    actor_id: str | None
    actor_role: ActorRole
    note: str | None = None

    @property
    def shown_note(self) -> str | None:
        return SYSTEM_NOTES.get(self.note, self.note) if self.note else self.note


class CancellationPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """The policy in force when the booking was made; later service edits do not change it."""

    free_until_hours: int
    late_refund_percent: int = 50


class Location(msgspec.Struct, frozen=True, kw_only=True):
    division: str
    district: str
    address: str
    notes: str = ""


class PatientContact(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    phone: str
    email: str


# A caregiver may look back at a visit's private details (the recipient's care needs, the
# visit report) for a week after it ends, for the questions that come afterwards.
CAREGIVER_LOOKS_BACK_FOR = timedelta(days=7)
# The visit is the caregiver's from confirmation: a held, unpaid booking is not theirs yet.
ASSIGNED_STATUSES = frozenset({"confirmed", "in_progress", "completed"})

MOODS: dict[str, str] = {
    "cheerful": Text("Cheerful"),
    "calm": Text("Calm"),
    "tired": Text("Tired"),
    "low": Text("Low"),
    "unsettled": Text("Unsettled or upset"),
}


class VisitReport(msgspec.Struct, frozen=True, kw_only=True):
    """What the caregiver did and saw, filed with Complete; as private as care needs."""

    tasks: list[str]
    meals: str
    medication: str
    mood: str
    concern: str = ""
    filed_at: datetime
    filed_by: str | None

    @property
    def mood_label(self) -> str:
        return MOODS.get(self.mood, self.mood)


class MoveRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A patient's wish to move the visit to another caregiver's time, for an admin to decide."""

    caregiver_id: ObjectId
    caregiver_name: str
    starts_at: datetime
    ends_at: datetime
    requested_at: datetime


class Booking(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId = msgspec.field(name="_id")
    code: str
    patient_id: ObjectId
    patient: PatientContact
    caregiver_id: ObjectId
    caregiver_name: str
    service_id: ObjectId
    service_slug: str
    service_name: str
    # The service's Bangla name when the booking was made, for `local(booking, "service_name")`.
    service_name_bn: str = ""
    category: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    duration_type: DurationType
    quantity: int
    location: Location
    price: PriceBreakdown
    policy: CancellationPolicy
    status: BookingStatus
    payment_status: PaymentStatus = "unpaid"
    amount_paid: int = 0
    amount_refunded: int = 0
    # Paid and not yet promised back: every requested refund takes its amount from here at
    # once, and a failed one gives it back. None on bookings stored before it was kept.
    amount_refundable: int | None = None
    refund_owed: int = 0
    hold_expires_at: datetime | None = None
    # Who the care is for when not the patient: a copy taken at booking, with care needs.
    recipient: Recipient | None = None
    # The weekly series this visit is one occurrence of (domain/series), if any.
    series_id: ObjectId | None = None
    history: list[HistoryEntry] = msgspec.field(default_factory=list)
    report: VisitReport | None = None
    # Set by the report itself, so the dashboard finds flagged visits by an index-friendly field.
    has_concern: bool = False
    # A move to another caregiver waiting for an admin; None when there is none.
    move_request: MoveRequest | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def payment_label(self) -> str:
        return PAYMENT_LABELS[self.payment_status]

    def private_to_caregiver(self, caregiver_id: ObjectId, now: datetime) -> bool:
        """Whether this caregiver may read the visit's private details at `now`."""
        return (
            self.caregiver_id == caregiver_id
            and self.status in ASSIGNED_STATUSES
            and now <= self.ends_at + CAREGIVER_LOOKS_BACK_FOR
        )

    @property
    def started_at(self) -> datetime | None:
        """When the visit was started, from its history (None before Start)."""
        return next((h.at for h in self.history if h.to_status == "in_progress"), None)

    @property
    def refundable(self) -> int:
        """What an admin may still refund; pending refunds are already taken off."""
        if self.amount_refundable is not None:
            return self.amount_refundable
        return max(self.amount_paid - self.amount_refunded, 0)


class BookingForm(PersonForm, frozen=True, kw_only=True):
    """The booking form as typed; prices are never read from it."""

    service: str = ""
    caregiver_id: str = "any"
    date: str = ""
    start_time: str = ""
    duration_type: str = "hours"
    quantity: str = ""
    division: str = ""
    district: str = ""
    address: str = ""
    notes: str = ""
    payment_option: str = "full"
    # Who needs care: "myself", a saved person's id, or "new" with the person's fields
    # (inherited from `PersonForm`: the form is flat, as browsers post it).
    recipient: str = MYSELF
    dont_save: str = ""

    def recipient_choice(self) -> RecipientChoice:
        person = {field: getattr(self, field) for field in PersonForm.__struct_fields__}
        return RecipientChoice(
            recipient=self.recipient, dont_save=self.dont_save, person=PersonForm(**person)
        )

    def quantity_number(self) -> int | None:
        """The quantity when it is a whole number written in ASCII digits, else None.

        `str.isdigit` also says yes to "²" (which `int` refuses) and to Bangla or Arabic-Indic
        digits; the form's number input sends ASCII digits. Three digits are more than any
        rule allows, and keep a typed 2**80 away from date arithmetic.
        """
        text = self.quantity.strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


class Actor(msgspec.Struct, frozen=True):
    id: str | None
    role: ActorRole
