"""Stripe's webhook: verified by signature, applied at most once, 2xx only once stored."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, post
from litestar.di import NamedDependency

from carevia.domain.payments.service import PaymentService


@post(
    "/webhooks/stripe",
    status_code=200,
    include_in_schema=False,
    media_type=MediaType.JSON,
    # Stripe calls from its own servers with no user and no CSRF token; the signature checks it.
    opt={"exclude_from_auth": True, "exclude_from_csrf": True},
)
async def stripe_webhook(
    request: Request[Any, Any, Any], payments: NamedDependency[PaymentService]
) -> Response[dict[str, str]]:
    """Any failure raises, so the answer is not 2xx and Stripe delivers the event again."""
    outcome = await payments.handle_webhook(
        await request.body(), request.headers.get("stripe-signature")
    )
    return Response({"received": "true", "outcome": outcome})
