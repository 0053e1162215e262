"""Login throttling per account and per IP, counted in MongoDB so it holds across instances."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

LOGIN_THROTTLE = "login_throttle"
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_IP = 30
MAX_FAILURES_PER_DEVICE = 5

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    LOGIN_THROTTLE: [IndexModel([("expires_at", 1)], expireAfterSeconds=0)],
}


def _keys(email: str, ip: str | None, device: str | None = None) -> list[tuple[str, int]]:
    """What a failure counts against: a trusted device alone, or the account and the IP."""
    if device is not None:
        return [("device:" + hashlib.sha256(device.encode()).hexdigest(), MAX_FAILURES_PER_DEVICE)]
    account = "account:" + hashlib.sha256(email.encode()).hexdigest()
    keys = [(account, MAX_FAILURES_PER_ACCOUNT)]
    if ip:
        keys.append(("ip:" + ip, MAX_FAILURES_PER_IP))
    return keys


def window_start(now: datetime, window: timedelta = WINDOW) -> datetime:
    """The start of the fixed window `now` falls in; counters are kept per window."""
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


class LoginThrottle:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._counters = database[LOGIN_THROTTLE]

    async def is_blocked(
        self, email: str, ip: str | None, now: datetime, device: str | None = None
    ) -> bool:
        window = window_start(now)
        for key, limit in _keys(email, ip, device):
            document = await self._counters.find_one({"_id": f"{key}:{window.timestamp():.0f}"})
            if document is not None and document["failures"] >= limit:
                return True
        return False

    async def record_failure(
        self, email: str, ip: str | None, now: datetime, device: str | None = None
    ) -> None:
        window = window_start(now)
        for key, _limit in _keys(email, ip, device):
            await self._counters.update_one(
                {"_id": f"{key}:{window.timestamp():.0f}"},
                {"$inc": {"failures": 1}, "$setOnInsert": {"expires_at": window + WINDOW}},
                upsert=True,
            )

    async def clear_account(self, email: str, now: datetime) -> None:
        account, _ = _keys(email, None)[0]
        await self._counters.delete_one({"_id": f"{account}:{window_start(now).timestamp():.0f}"})
