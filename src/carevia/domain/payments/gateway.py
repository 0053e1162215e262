"""What the booking flow asks of a payment gateway (Stripe, or the local test gateway).

Only shapes and pure rules live here; each gateway does its own I/O.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Literal, Protocol

import msgspec

from carevia.domain.shared.clock import utc_now

CheckoutKind = Literal["initial", "due"]

CHECKOUT_SESSION_ID_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"
# Stripe refuses an `expires_at` under 30 minutes or over 24 hours from the moment it
# receives the request; the margin absorbs request latency and small clock differences.
CHECKOUT_MIN_LIFETIME = timedelta(minutes=30)
CHECKOUT_MAX_LIFETIME = timedelta(hours=24)
CHECKOUT_EXPIRY_MARGIN = timedelta(seconds=30)
# A clamped bound snaps to this grid, so that a repeat of the same request a little later sends
# the same parameters: Stripe refuses an Idempotency-Key reused with different parameters.
CHECKOUT_EXPIRY_GRID_SECONDS = 300


class CheckoutRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt to collect money for a booking through a hosted checkout page."""

    booking_code: str
    kind: CheckoutKind
    attempt: int  # 1, 2, … per booking and kind
    amount: int  # minor units
    currency: str  # ISO 4217, any case; gateways send it lowercase
    product_name: str
    customer_email: str
    success_url: str  # must contain {CHECKOUT_SESSION_ID}
    cancel_url: str
    expires_at: datetime  # timezone-aware

    def __post_init__(self) -> None:
        if self.attempt < 1:
            raise ValueError("attempt counts from 1")
        if self.amount <= 0:
            raise ValueError("amount must be a positive number of minor units")
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError("currency must be a three-letter ISO code")
        if CHECKOUT_SESSION_ID_PLACEHOLDER not in self.success_url:
            raise ValueError(f"success_url must contain {CHECKOUT_SESSION_ID_PLACEHOLDER}")
        if self.expires_at.tzinfo is None or self.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")

    @property
    def idempotency_key(self) -> str:
        """The same booking, kind and attempt always map to the same gateway session."""
        return f"checkout:{self.booking_code}:{self.kind}:{self.attempt}"

    @property
    def metadata(self) -> dict[str, str]:
        """Attached to the session and its payment, so charges and refunds name the booking."""
        return {"booking_code": self.booking_code, "kind": self.kind, "attempt": str(self.attempt)}

    def expires_at_timestamp(self, now: datetime | None = None) -> int:
        """`expires_at` as Unix seconds, clamped into the window Stripe accepts."""
        return clamp_checkout_expiry(self.expires_at, now)


def clamp_checkout_expiry(expires_at: datetime, now: datetime | None = None) -> int:
    """Unix seconds inside Stripe's window; a time inside it already is kept as it is."""
    now = now if now is not None else utc_now()
    grid = CHECKOUT_EXPIRY_GRID_SECONDS
    earliest = (now + CHECKOUT_MIN_LIFETIME + CHECKOUT_EXPIRY_MARGIN).timestamp()
    latest = (now + CHECKOUT_MAX_LIFETIME - CHECKOUT_EXPIRY_MARGIN).timestamp()
    wanted = expires_at.timestamp()
    if wanted < earliest:
        return math.ceil(earliest / grid) * grid
    if wanted > latest:
        return int(latest) // grid * grid
    return int(wanted)


class CheckoutSession(msgspec.Struct, frozen=True, kw_only=True):
    """A gateway's view of one checkout session; currency is lowercase as Stripe sends it."""

    id: str
    url: str | None
    status: Literal["open", "complete", "expired"]
    payment_status: Literal["paid", "unpaid", "no_payment_required"]
    amount_total: int | None
    currency: str | None
    payment_intent: str | None
    client_reference_id: str | None
    metadata: dict[str, str] = msgspec.field(default_factory=dict)

    @property
    def booking_code(self) -> str | None:
        return self.metadata.get("booking_code") or self.client_reference_id

    @property
    def is_paid(self) -> bool:
        return self.status == "complete" and self.payment_status == "paid"


class RefundResult(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    amount: int
    status: str  # pending, requires_action, succeeded, failed or canceled
    payment_intent: str | None


class GatewayError(Exception):
    """Talking to the gateway failed; `retryable` says whether the same call may succeed later.

    Retrying is safe for creating calls because they carry deterministic idempotency keys.
    `code` is the gateway's error code when it gave one; IDEMPOTENCY_CONFLICT means the key
    was first used with other parameters, so the caller needs a new attempt number.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        http_status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.http_status = http_status
        self.code = code


IDEMPOTENCY_CONFLICT = "idempotency_conflict"


class PaymentGateway(Protocol):
    name: str

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession: ...

    async def retrieve_session(self, session_id: str) -> CheckoutSession: ...

    async def create_refund(
        self, payment_intent: str, amount: int, idempotency_key: str, metadata: dict[str, str]
    ) -> RefundResult: ...

    async def expire_session(self, session_id: str) -> CheckoutSession: ...
