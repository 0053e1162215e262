"""A patient's place in line for a time no caregiver had free, and the offer it may become."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

from carevia.domain.bookings.models import BookingForm, Location
from carevia.domain.bookings.pricing import DurationType, PaymentOption
from carevia.domain.care.models import Recipient
from carevia.domain.shared.text import Text

# waiting: in line · offered: a hold is theirs for a while · booked: they paid for it ·
# passed: the offer lapsed or was declined, and went to the next in line ·
# left: they stepped out · ended: the time came without a place coming free.
EntryStatus = Literal["waiting", "offered", "booked", "passed", "left", "ended"]
ENTRY_LABELS: dict[str, str] = {
    "waiting": Text("Waiting"),
    "offered": Text("Held for you"),
    "booked": Text("Booked"),
    "passed": Text("Offer passed on"),
    "left": Text("Left the waitlist"),
    "ended": Text("Time has passed"),
}
OPEN_STATUSES: tuple[EntryStatus, ...] = ("waiting", "offered")


class WaitlistEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId = msgspec.field(default_factory=ObjectId, name="_id")
    patient_id: ObjectId
    patient_name: str
    service_slug: str
    service_name: str
    # None: any caregiver who offers the service.
    caregiver_id: ObjectId | None = None
    caregiver_name: str | None = None
    timezone: str
    starts_at: datetime
    ends_at: datetime
    duration_type: DurationType
    quantity: int
    location: Location
    payment_option: PaymentOption
    # Who the care is for, as chosen on the form; copied onto the booking an offer makes.
    recipient: Recipient | None = None
    status: EntryStatus = "waiting"
    # Set when time that may fit came free; the sweep looks again at entries that have it.
    recheck_at: datetime | None = None
    offer_booking_id: ObjectId | None = None
    offer_code: str | None = None
    offer_expires_at: datetime | None = None
    joined_at: datetime
    updated_at: datetime

    @property
    def status_label(self) -> str:
        return ENTRY_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class WaitlistForm(BookingForm, frozen=True, kw_only=True):
    """The booking form posted to the waitlist, with the time wanted when none was free."""

    wait_time: str = ""

    def request(self) -> BookingForm:
        """The booking form asking for the wanted time."""
        fields = {name: getattr(self, name) for name in BookingForm.__struct_fields__}
        return BookingForm(**{**fields, "start_time": self.wait_time or self.start_time})
