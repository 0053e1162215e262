"""What one hold through the booking form asks of the database."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from pymongo import monitoring

from carevia.app import create_app
from carevia.settings import Settings
from tests.support.accounts import UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_form

pytestmark = pytest.mark.usefixtures("seeded")


class Reads(monitoring.CommandListener):
    """(collection, filtered fields) of every read, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[str, ...]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "aggregate", "count"):
            query: dict[str, Any] = event.command.get("filter") or {}
            if event.command_name == "aggregate":
                first_stage: dict[str, Any] = next(iter(event.command["pipeline"]), {})
                query = first_stage.get("$match", {})
            self.seen.append((str(event.command[event.command_name]), tuple(sorted(query))))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_a_hold_opens_its_checkout_without_reading_back_what_it_wrote(
    settings: Settings, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    """Nothing can be open or paid for a hold made in the same request: no read of it by its
    code, and none of its payments, on the way to Checkout."""
    reads = Reads()
    app = create_app(settings, command_listeners=[reads])
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        await make_caregiver("shirin@example.com")
        await make_user("amina@example.com")
        await log_in(client, "amina@example.com")
        token = await csrf_token(client, "/services/infant-day-care/book")
        reads.seen.clear()
        held = await client.post(
            "/bookings", data={**booking_form(), "_csrf_token": token}, follow_redirects=False
        )
    assert held.status_code == 303
    assert "/dev/checkout/cs_test_" in held.headers["location"]
    assert [read for read in reads.seen if read[0] == "payments"] == []
    assert ("bookings", ("code",)) not in reads.seen
