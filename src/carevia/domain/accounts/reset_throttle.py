"""How many reset links one address, and one IP, may ask for in an hour."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.auth.throttle import window_start

RESET_THROTTLE = "reset_throttle"
WINDOW = timedelta(hours=1)
MAX_PER_ADDRESS = 3
MAX_PER_IP = 10

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    RESET_THROTTLE: [IndexModel([("expires_at", 1)], expireAfterSeconds=0)],
}


class ResetThrottle:
    """Counted in MongoDB so the limit holds across instances; addresses are stored hashed."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._counters = database[RESET_THROTTLE]

    async def allow(self, email: str, ip: str | None, now: datetime) -> bool:
        """Count this request; False once the address or the IP is over its hourly limit."""
        window = window_start(now, WINDOW)
        keys = [("address:" + hashlib.sha256(email.encode()).hexdigest(), MAX_PER_ADDRESS)]
        if ip:
            keys.append(("ip:" + hashlib.sha256(ip.encode()).hexdigest(), MAX_PER_IP))
        allowed = True
        for key, limit in keys:
            counter = await self._counters.find_one_and_update(
                {"_id": f"{key}:{window.timestamp():.0f}"},
                {"$inc": {"requests": 1}, "$setOnInsert": {"expires_at": window + WINDOW}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            # An upsert returning the document after the update always finds one.
            allowed = allowed and counter is not None and counter["requests"] <= limit
        return allowed
