"""A webhook delivery, verified by its signature and read into the shape its handler needs.

A signed delivery of the wrong shape (a field missing, a number sent as text) is refused
with `MalformedEvent`, a client error: an exception of our own would answer 500 and Stripe
would deliver the same event again for days.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
import stripe

from carevia.domain.shared import DomainError


class WebhookRejected(DomainError):
    """A delivery that is not a genuine, current Stripe event: it changes nothing."""

    code = "invalid_signature"


class MalformedEvent(DomainError):
    """A genuine delivery whose body is not the event its type promises."""

    code = "malformed_event"

    def __init__(self, problem: str, event_id: str | None, event_type: str | None) -> None:
        super().__init__(f"The event is not in the shape we expect: {problem}")
        self.problem = problem
        self.event_id = event_id
        self.event_type = event_type


class _Data(msgspec.Struct):
    object: dict[str, Any]


class _Envelope(msgspec.Struct):
    id: str
    type: str
    data: _Data


class _Header(msgspec.Struct):
    """What can still be told about a delivery whose envelope is wrong, for the audit."""

    id: str | None = None
    type: str | None = None


# The fields each handler reads, with the types Stripe documents; other fields pass unread.
class _Session(msgspec.Struct):
    id: str
    status: Literal["open", "complete", "expired"]
    payment_status: Literal["paid", "unpaid", "no_payment_required"]
    amount_total: int | None = None
    currency: str | None = None
    payment_intent: str | None = None
    client_reference_id: str | None = None
    url: str | None = None
    metadata: dict[str, str] | None = None


class _PaymentError(msgspec.Struct):
    message: str | None = None


class _PaymentIntent(msgspec.Struct):
    id: str
    metadata: dict[str, str] | None = None
    last_payment_error: _PaymentError | None = None


class _Charge(msgspec.Struct):
    payment_intent: str | None = None
    amount_refunded: int | None = None


class _Dispute(msgspec.Struct):
    payment_intent: str | None = None
    reason: str | None = None


SHAPES: dict[str, type[msgspec.Struct]] = {
    "checkout.session.completed": _Session,
    "checkout.session.async_payment_succeeded": _Session,
    "checkout.session.async_payment_failed": _Session,
    "checkout.session.expired": _Session,
    "payment_intent.payment_failed": _PaymentIntent,
    "charge.refunded": _Charge,
    "charge.dispute.created": _Dispute,
}


class VerifiedEvent(msgspec.Struct, frozen=True):
    id: str
    type: str
    object: dict[str, Any]


def verified_event(payload: bytes, signature: str | None, secret: str) -> VerifiedEvent:
    """The event, once its signature holds and its object has the shape of its type."""
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature or "", secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise WebhookRejected("The Stripe signature did not verify.") from error
    try:
        envelope = msgspec.json.decode(payload, type=_Envelope)
    except msgspec.DecodeError as error:
        header = _header(payload)
        raise MalformedEvent(str(error), header.id, header.type) from error
    shape = SHAPES.get(envelope.type)
    if shape is not None:
        try:
            msgspec.convert(envelope.data.object, shape)
        except msgspec.ValidationError as error:
            raise MalformedEvent(f"data.object: {error}", envelope.id, envelope.type) from error
    return VerifiedEvent(envelope.id, envelope.type, envelope.data.object)


def _header(payload: bytes) -> _Header:
    try:
        return msgspec.json.decode(payload, type=_Header)
    except msgspec.DecodeError:
        return _Header()
