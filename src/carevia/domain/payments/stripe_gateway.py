"""The payment gateway backed by Stripe Checkout, through the official SDK's async calls."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import msgspec
import stripe

from carevia.domain.payments.gateway import (
    IDEMPOTENCY_CONFLICT,
    CheckoutRequest,
    CheckoutSession,
    GatewayError,
    RefundResult,
)
from carevia.domain.shared.clock import Clock, utc_now
from carevia.settings import ConfigurationError, StripeSettings

logger = logging.getLogger("carevia.payments")

T = TypeVar("T")

# StripeClient makes no network retries unless told to; every retried POST carries our own
# deterministic Idempotency-Key, so a retry can never create a second session or refund.
MAX_NETWORK_RETRIES = 2
REQUEST_TIMEOUT_SECONDS = 30.0


class StripeGateway:
    name = "stripe"

    def __init__(
        self,
        settings: StripeSettings,
        *,
        max_network_retries: int = MAX_NETWORK_RETRIES,
        timeout_seconds: float = REQUEST_TIMEOUT_SECONDS,
        clock: Clock = utc_now,
    ) -> None:
        if not settings.secret_key:
            raise ConfigurationError("STRIPE_SECRET_KEY is needed to use Stripe")
        # The default client pairs `requests` with an httpx fallback for async calls; an
        # explicit httpx client serves the async methods directly and can be closed.
        self._http_client = stripe.HTTPXClient(timeout=timeout_seconds)
        self._client = stripe.StripeClient(
            settings.secret_key,
            base_addresses={"api": settings.api_base.rstrip("/")} if settings.api_base else None,
            max_network_retries=max_network_retries,
            http_client=self._http_client,
        )
        self._clock = clock

    async def aclose(self) -> None:
        await self._http_client.close_async()  # type: ignore[no-untyped-call]

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        metadata = request.metadata
        session = await _call(
            "create a Checkout Session",
            lambda: self._client.v1.checkout.sessions.create_async(
                {
                    "mode": "payment",
                    "line_items": [
                        {
                            "price_data": {
                                "currency": request.currency.lower(),
                                "unit_amount": request.amount,
                                "product_data": {"name": request.product_name},
                            },
                            "quantity": 1,
                        }
                    ],
                    "customer_email": request.customer_email,
                    "client_reference_id": request.booking_code,
                    "metadata": metadata,
                    "payment_intent_data": {"metadata": metadata},
                    "success_url": request.success_url,
                    "cancel_url": request.cancel_url,
                    "expires_at": request.expires_at_timestamp(self._clock()),
                },
                options={"idempotency_key": request.idempotency_key},
            ),
        )
        return _checkout_session(session)

    async def retrieve_session(self, session_id: str) -> CheckoutSession:
        session = await _call(
            "retrieve a Checkout Session",
            lambda: self._client.v1.checkout.sessions.retrieve_async(session_id),
        )
        return _checkout_session(session)

    async def expire_session(self, session_id: str) -> CheckoutSession:
        """Close an open session; one that already completed or expired is returned as it is."""
        try:
            session = await _call(
                "expire a Checkout Session",
                lambda: self._client.v1.checkout.sessions.expire_async(
                    session_id, options={"idempotency_key": f"expire:{session_id}"}
                ),
            )
        except GatewayError as exc:
            if exc.retryable or exc.http_status != 400:
                raise
            # Stripe refuses to expire a session that is no longer open.
            current = await self.retrieve_session(session_id)
            if current.status == "open":
                raise
            return current
        return _checkout_session(session)

    async def create_refund(
        self, payment_intent: str, amount: int, idempotency_key: str, metadata: dict[str, str]
    ) -> RefundResult:
        if amount <= 0:
            raise ValueError("a refund needs a positive amount")
        refund = await _call(
            "create a refund",
            lambda: self._client.v1.refunds.create_async(
                {"payment_intent": payment_intent, "amount": amount, "metadata": metadata},
                options={"idempotency_key": idempotency_key},
            ),
        )
        return RefundResult(
            id=refund.id,
            amount=refund.amount,
            status=refund.status or "pending",
            payment_intent=_expandable_id(refund.payment_intent),
        )


async def _call(action: str, make_call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await make_call()
    except stripe.StripeError as exc:
        error = _gateway_error(action, exc)
        logger.warning(
            "Stripe: could not %s (status %s, retryable %s): %s",
            action,
            error.http_status,
            error.retryable,
            exc.user_message or exc,
        )
        raise error from exc


def _gateway_error(action: str, exc: stripe.StripeError) -> GatewayError:
    status = exc.http_status
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        retryable = True
    elif isinstance(
        exc,
        stripe.InvalidRequestError
        | stripe.CardError
        | stripe.IdempotencyError
        | stripe.AuthenticationError
        | stripe.PermissionError,
    ):
        retryable = False
    else:
        # APIError and anything unforeseen: server trouble, a lock conflict or an unreadable
        # answer may pass; a request Stripe judged wrong will not.
        retryable = status is None or status >= 500 or status == 409
    code = IDEMPOTENCY_CONFLICT if isinstance(exc, stripe.IdempotencyError) else exc.code
    detail = exc.user_message or str(exc) or type(exc).__name__
    return GatewayError(
        f"Stripe could not {action}: {detail}", retryable=retryable, http_status=status, code=code
    )


def _checkout_session(session: stripe.checkout.Session) -> CheckoutSession:
    data = {
        "id": session.id,
        "url": session.url,
        "status": session.status,
        "payment_status": session.payment_status,
        "amount_total": session.amount_total,
        "currency": session.currency,
        "payment_intent": _expandable_id(session.payment_intent),
        "client_reference_id": session.client_reference_id,
        "metadata": _metadata(session.metadata),
    }
    try:
        return msgspec.convert(data, CheckoutSession)
    except msgspec.ValidationError as exc:
        raise GatewayError(
            f"Stripe answered with an unexpected Checkout Session: {exc}", retryable=False
        ) from exc


def _expandable_id(value: str | stripe.PaymentIntent | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.id


def _metadata(value: stripe.StripeObject | None) -> dict[str, str]:
    if value is None:
        return {}
    # StripeObject is no dict in SDK 16: `.to_dict()` is the way to its contents.
    return {str(key): str(item) for key, item in value.to_dict().items()}
