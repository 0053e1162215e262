"""Stripe's own example objects, as the base of every object the local gateway sends.

`stripe_examples.json` is the part of `openapi/fixtures3.json` (the MIT-licensed
`stripe/openapi` repository) for the resources Carevia touches, unchanged. The gateway
lays its own fields over a copy, so its events carry every key Stripe's do, with Stripe's
types, and the webhook meets the same shapes in development as in production.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).with_name("stripe_examples.json")

# Example values that would say something false about a card payment in taka.
NEUTRAL: dict[str, dict[str, Any]] = {
    "checkout.session": {
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "collected_information": None,
        "currency_conversion": None,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
    },
    "charge": {
        "balance_transaction": None,
        "billing_details": {
            "address": {
                "city": None,
                "country": None,
                "line1": None,
                "line2": None,
                "postal_code": None,
                "state": None,
            },
            "email": None,
            "name": None,
            "phone": None,
            "tax_id": None,
        },
        "description": None,
    },
    "payment_intent": {
        "canceled_at": None,
        "client_secret": None,
        "next_action": None,
        "processing": None,
        "transfer_data": None,
    },
}


@cache
def _examples() -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = json.loads(EXAMPLES.read_text())["resources"]
    return resources


def stripe_shaped(resource: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Stripe's example `resource` ("checkout.session", "charge" …) with `fields` over it."""
    return {**copy.deepcopy(_examples()[resource]), **NEUTRAL.get(resource, {}), **fields}
