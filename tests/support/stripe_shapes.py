"""Stripe's own example objects, and a comparison of shapes against them.

`stripe_fixtures3.subset.json` is a subset of `openapi/fixtures3.json` from the MIT-licensed
`stripe/openapi` repository (checkout.session, event, charge, refund, payment_intent,
dispute, balance_transaction), unchanged.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).with_name("stripe_fixtures3.subset.json")
# Free-form maps: any keys, string values.
FREE_FORM = frozenset({"metadata"})


def stripe_fixture(resource: str) -> dict[str, Any]:
    """A fresh copy of Stripe's example object for `resource`, such as "checkout.session"."""
    resources: dict[str, dict[str, Any]] = json.loads(FIXTURES.read_text())["resources"]
    return copy.deepcopy(resources[resource])


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return type(value).__name__


def shape_drift(
    ours: Any,
    theirs: Any,
    nullable: frozenset[str] = frozenset(),
    documented: frozenset[str] = frozenset(),
    path: str = "",
) -> list[str]:
    """Where `ours` differs from Stripe's `theirs`: missing or unknown keys, other types.

    Null on our side is accepted where Stripe's example is null too, or at the paths in
    `nullable` (fields Stripe documents as nullable, given a value in the example). Keys
    at the paths in `documented` are in Stripe's reference though its example omits them.
    """
    if theirs is None or (ours is None and path in nullable):
        return []
    if _kind(ours) != _kind(theirs):
        return [f"{path or '.'}: {_kind(ours)} where Stripe has {_kind(theirs)}"]
    if isinstance(theirs, dict):
        if path.rsplit(".", 1)[-1] in FREE_FORM:
            return [f"{path}.{k}: not a string" for k, v in ours.items() if not isinstance(v, str)]
        drift = [f"{path}.{key}: missing" for key in theirs.keys() - ours.keys()]
        drift += [
            f"{path}.{key}: not in Stripe's object"
            for key in ours.keys() - theirs.keys()
            if f"{path}.{key}" not in documented
        ]
        for key in theirs.keys() & ours.keys():
            drift += shape_drift(ours[key], theirs[key], nullable, documented, f"{path}.{key}")
        return sorted(drift)
    if isinstance(theirs, list) and theirs and ours:
        item_path = f"{path}[]"
        return [
            d
            for item in ours
            for d in shape_drift(item, theirs[0], nullable, documented, item_path)
        ]
    return []
