from carevia.domain.bookings.models import (
    PAYMENT_LABELS,
    STATUS_LABELS,
    Actor,
    Booking,
    BookingForm,
    BookingStatus,
    PaymentStatus,
)
from carevia.domain.bookings.pricing import PriceBreakdown, quote
from carevia.domain.bookings.repository import INDEXES, BookingRepository, SlotTaken
from carevia.domain.bookings.service import BookingService

__all__ = [
    "INDEXES",
    "PAYMENT_LABELS",
    "STATUS_LABELS",
    "Actor",
    "Booking",
    "BookingForm",
    "BookingRepository",
    "BookingService",
    "BookingStatus",
    "PaymentStatus",
    "PriceBreakdown",
    "SlotTaken",
    "quote",
]
