"""Random sequences of what patients, admins, Stripe and the clock do, against the real app.

Hypothesis drives bookings, payments, webhook events (repeated, out of order, late), the
success page, cancellations, refunds (several at once) and expiries through the app, its
database and the local gateway, and checks after every step and at the end that:
- no booking is confirmed twice;
- refunds requested never exceed what was paid;
- every refund ends succeeded or failed once the queue is drained;
- no caregiver's time is held twice, and only bookings that hold time have claims;
- every transition has its audit entry, and exactly one email and one live notification.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from bson import ObjectId
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import Services, build_services
from carevia.devtools.local_checkout import LocalCheckout
from carevia.devtools.local_gateway import LocalGateway
from carevia.domain.accounts import User
from carevia.domain.bookings import Booking
from carevia.domain.bookings.state_machine import HOLDS_TIME
from carevia.domain.bookings.transitions import AUDIT_ACTIONS, NOTICES
from carevia.domain.shared import Conflict, Invalid
from carevia.domain.shared.documents import from_document
from carevia.settings import Settings
from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, next_local_date, submit_booking
from tests.support.payment_flows import HeldWebhooks, checkout_id, lapse_hold, signed

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.timeout(120)]
Database = AsyncDatabase[dict[str, Any]]
T = TypeVar("T")
EXAMPLES, STEPS = 15, 12
RUNS = hypothesis_settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# The cancellation email is sent with the refund it announces, not by the transition.
MAIL_OF = {status: mail for status, (mail, _, _) in NOTICES.items()} | {
    "cancelled": "booking_cancelled"
}


@dataclass
class World:
    """The app and its stand-ins, shared by every example; the machine runs in a thread."""

    loop: asyncio.AbstractEventLoop
    client: Client
    database: Database
    sender: HeldWebhooks
    gateway: LocalGateway
    services: Services
    make_caregiver: CaregiverFactory
    admin: dict[str, str]
    admin_user: User
    examples: int = 0
    steps: int = 0
    codes: list[str] = field(default_factory=list)

    def run(self, work: Awaitable[T]) -> T:
        """Await `work` on the test's event loop, where the client and database belong."""

        async def wait() -> T:
            return await work

        return asyncio.run_coroutine_threadsafe(wait(), self.loop).result(timeout=60)


@dataclass(frozen=True)
class Held:
    code: str
    session_id: str


class BookingLifecycle(RuleBasedStateMachine):
    world: World
    bookings = Bundle("bookings")

    @initialize()
    def new_caregiver(self) -> None:
        """Each example books a caregiver of its own, so it starts from the same calendar
        when Hypothesis runs it again."""
        self.world.examples += 1
        email = f"carer{self.world.examples}@example.com"
        self.caregiver = self.world.run(self.world.make_caregiver(email))
        self.codes: list[str] = []
        self.token = self.world.run(csrf_token(self.world.client, "/services/infant-day-care/book"))

    def step(self) -> None:
        self.world.steps += 1

    @rule(target=bookings, day=st.integers(0, 1), start=st.sampled_from(["10:00", "12:00"]))
    def create_booking(self, day: int, start: str) -> Any:
        self.step()
        when = next_local_date(3 + day).isoformat()
        caregiver = str(self.caregiver)
        response = self.world.run(
            submit_booking(self.world.client, caregiver_id=caregiver, date=when, start_time=start)
        )
        if response.status_code != 303:
            # Overlapping another held or confirmed booking of the same caregiver.
            assert response.status_code in (409, 422), response.text
            assert "That time is no longer free" in response.text, response.text
            return multiple()
        session_id = checkout_id(response.headers["location"])
        checkout = self.world.run(self.checkout(session_id))
        self.codes.append(checkout.client_reference_id)
        return Held(checkout.client_reference_id, session_id)

    @rule(target=bookings, day=st.integers(0, 1), start=st.sampled_from(["10:00", "12:00"]))
    def book_and_pay(self, day: int, start: str) -> Any:
        """The common path in one step, so more of the bookings have money to refund."""
        held = self.create_booking(day, start)
        if isinstance(held, Held):
            self.pay(held)
        return held

    @rule(held=bookings)
    def pay(self, held: Held) -> None:
        self.step()
        self.world.run(self.world.gateway.pay(held.session_id))
        self.world.run(self.world.sender.deliver_held())

    @rule(held=bookings, kind=st.sampled_from(["hold", "session"]))
    def expire(self, held: Held, kind: str) -> None:
        """The hold lapses and the expiry worker runs, or Stripe expires the session."""
        self.step()
        if kind == "hold":
            self.world.run(lapse_hold(self.world.database, held.code))
            self.world.run(self.world.services.bookings.expire_lapsed())
        else:
            self.world.run(self.world.gateway.expire_session(held.session_id))
            self.world.run(self.world.sender.deliver_held())

    @rule(
        held=bookings,
        event=st.sampled_from(
            ["checkout.session.completed", "checkout.session.expired", "charge.refunded"]
        ),
        times=st.integers(1, 2),
    )
    def replay_event(self, held: Held, event: str, times: int) -> None:
        """An event the gateway did send, delivered again: late, repeated, out of order."""
        self.step()
        checkout = self.world.run(self.checkout(held.session_id))
        if (event == "checkout.session.completed" and checkout.is_paid) or (
            event == "checkout.session.expired" and checkout.status == "expired"
        ):
            obj = checkout.stripe_object()
        elif event == "charge.refunded" and checkout.refunded > 0:
            obj = checkout.charge_object(checkout.refunded)
        else:
            return  # the gateway never sent it
        payload, headers = signed(event, obj)
        for _ in range(times):
            answer = self.world.run(
                self.world.client.post("/webhooks/stripe", content=payload, headers=headers)
            )
            assert answer.status_code == 200, answer.text

    @rule(held=bookings)
    def success_page(self, held: Held) -> None:
        self.step()
        page = self.world.run(
            self.world.client.get(f"/checkout/success?session_id={held.session_id}")
        )
        assert page.status_code == 200, page.text

    @rule(held=bookings)
    def cancel(self, held: Held) -> None:
        self.step()
        answer = self.world.run(
            self.world.client.post(
                f"/bookings/{held.code}/cancel",
                data={"_csrf_token": self.token},
                follow_redirects=False,
            )
        )
        assert answer.status_code in (303, 409), answer.text

    @rule(held=bookings, quarters=st.sampled_from([None, 1, 3]), together=st.integers(1, 3))
    def refund(self, held: Held, quarters: int | None, together: int) -> None:
        """An admin refunds all, a quarter or three quarters of the price: once through the
        API, or several times at the same moment through another process's service."""
        self.step()
        booking = self.world.run(self.booking(held.code))
        amount = None if quarters is None else booking["price"]["total"] * quarters // 4
        if together == 1:
            body = {"reason": "Refund by an admin", "amount": amount}
            url = f"/api/v1/bookings/{held.code}/refund"
            answer = self.world.run(
                self.world.client.post(url, json=body, headers=self.world.admin)
            )
            assert answer.status_code in (200, 400, 409), answer.text
            return
        refund = self.world.services.payments.refund
        outcomes = self.world.run(
            gather(
                *(
                    refund(self.world.admin_user, held.code, amount, "Refund by an admin")
                    for _ in range(together)
                )
            )
        )
        assert all(isinstance(o, Booking | Invalid | Conflict) for o in outcomes), outcomes
        self.world.run(self.world.sender.deliver_held())

    @invariant()
    def never_confirmed_twice_and_never_refunded_beyond_paid(self) -> None:
        for booking in self.world.run(self.stored()):
            confirmed = [h for h in booking["history"] if h["to_status"] == "confirmed"]
            assert len(confirmed) <= 1, booking["code"]
            promised = self.world.run(self.promised(booking["_id"]))
            assert promised <= booking["amount_paid"], booking["code"]
            assert booking["amount_refunded"] <= booking["amount_paid"], booking["code"]
            assert 0 <= booking["amount_refundable"] <= booking["amount_paid"], booking["code"]

    @invariant()
    def no_time_held_twice(self) -> None:
        held = [b for b in self.world.run(self.stored()) if b["status"] in HOLDS_TIME]
        held.sort(key=lambda b: b["starts_at"])
        for earlier, later in itertools.pairwise(held):
            assert earlier["ends_at"] <= later["starts_at"], (earlier["code"], later["code"])
        claims = self.world.run(self.claims())
        for booking in self.world.run(self.stored()):
            slots = (booking["ends_at"] - booking["starts_at"]) // timedelta(minutes=30)
            expected = slots if booking["status"] in HOLDS_TIME else 0
            assert claims.get(booking["_id"], 0) == expected, booking["code"]

    def teardown(self) -> None:
        """Drain the refund queue, then every refund has an outcome and every change its trail."""
        for _ in range(10):
            self.world.run(self.drain_refunds())
        database = self.world.database
        self.world.codes.extend(self.codes)
        for code in self.codes:
            refunds = self.world.run(database["refunds"].find({"booking_code": code}).to_list())
            assert {r["status"] for r in refunds} <= {"succeeded", "failed"}, code
            booking = self.world.run(self.booking(code))
            for status, action in AUDIT_ACTIONS.items():
                moves = sum(h["to_status"] == status for h in booking["history"])
                assert self.world.run(self.audited(code, action)) == moves, (code, status)
                _, event, key = NOTICES[status]
                notes = self.world.run(self.notifications(f"{event}:{code}:{key}"))
                assert notes == moves, (code, status, "notifications")
                if MAIL_OF[status] is not None:
                    mails = self.world.run(self.mails(code, MAIL_OF[status]))
                    assert mails == moves, (code, status, "emails")

    # ---- Reading the database ---------------------------------------------------------------
    async def checkout(self, session_id: str) -> LocalCheckout:
        found = await self.world.database["dev_checkout_sessions"].find_one({"_id": session_id})
        assert found is not None
        return from_document(found, LocalCheckout)

    async def booking(self, code: str) -> dict[str, Any]:
        found = await self.world.database["bookings"].find_one({"code": code})
        assert found is not None
        return found

    async def stored(self) -> list[dict[str, Any]]:
        return await self.world.database["bookings"].find({"code": {"$in": self.codes}}).to_list()

    async def promised(self, booking_id: ObjectId) -> int:
        """Every refund requested, failed ones too: this gateway refuses nothing rightly asked
        of it, so a failed refund here is one that should never have been accepted."""
        found = self.world.database["refunds"].find({"booking_id": booking_id})
        return sum([refund["amount"] async for refund in found])

    async def claims(self) -> dict[ObjectId, int]:
        counts: dict[ObjectId, int] = {}
        async for claim in self.world.database["slot_claims"].find(
            {"caregiver_id": self.caregiver}
        ):
            counts[claim["booking_id"]] = counts.get(claim["booking_id"], 0) + 1
        return counts

    async def audited(self, code: str, action: str) -> int:
        query = {"action": action, "target_id": code}
        return await self.world.database["audit_log"].count_documents(query)

    async def mails(self, code: str, template: str | None) -> int:
        prefix = {"$regex": f"^{re.escape(f'mail:{code}:{template}:')}"}
        return await self.world.database["mail_outbox"].count_documents({"dedupe_key": prefix})

    async def notifications(self, dedupe_key: str) -> int:
        return await self.world.database["notifications"].count_documents(
            {"dedupe_key": dedupe_key}
        )

    async def drain_refunds(self) -> None:
        """The refund worker's passes, with every retry already due, as time would make it."""
        now = datetime.now(UTC)
        await self.world.database["refunds"].update_many(
            {"booking_code": {"$in": self.codes}, "status": "requested"},
            {"$set": {"next_attempt_at": now - timedelta(seconds=1)}},
        )
        await self.world.services.payments.process_refunds()
        await self.world.sender.deliver_held()


async def gather(*work: Coroutine[Any, Any, Any]) -> list[Any]:
    """Every outcome, errors included, so one refusal does not hide the others."""
    return list(await asyncio.gather(*work, return_exceptions=True))


async def test_random_booking_lifecycles_keep_every_invariant(
    client: Client,
    database: Database,
    settings: Settings,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    nadia = await make_user("nadia@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    admin = {"Authorization": f"Bearer {await api_token(client, 'nadia@example.com')}"}
    sender = HeldWebhooks(settings, client)
    gateway = LocalGateway(database, sender, settings.public_base_url)
    world = World(
        loop=asyncio.get_running_loop(),
        client=client,
        database=database,
        sender=sender,
        gateway=gateway,
        services=build_services(settings, database, gateway),
        make_caregiver=make_caregiver,
        admin=admin,
        admin_user=nadia,
    )
    BookingLifecycle.world = world

    await asyncio.to_thread(run_state_machine_as_test, BookingLifecycle, settings=RUNS)

    assert world.examples >= 1 and world.codes, "the examples held bookings"
    print(f"booking lifecycles: {world.examples} examples, {world.steps} steps")
