"""One seeded world and six visitors for the authorization matrix and the header crawl.

Patient A has a paid booking with caregiver X; patient B and caregiver Y are strangers to it,
and an admin sees everything. Every path parameter resolves to something A or X owns, so B
and Y probe other people's data. Actions that change things get a fresh copy of their target,
so no cell changes what a later cell sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import anyio
import msgspec
from bson import ObjectId
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import UserRepository
from carevia.domain.bookings import BookingRepository
from carevia.domain.bookings.models import Booking
from carevia.domain.shared.documents import from_document
from tests.support.accounts import add_user, api_token, log_in
from tests.support.applications import submitted_application
from tests.support.bookings import add_caregiver, due_soon
from tests.support.care import save_mother
from tests.support.files import approved_photo, store_document
from tests.support.payment_flows import paid_booking
from tests.support.reviews import reviewed_booking
from tests.support.scheduling import waiting_place
from tests.support.series import held_series

Client = AsyncTestClient[Litestar]
Database = AsyncDatabase[dict[str, Any]]
ROLES = ("anonymous", "patient_a", "patient_b", "caregiver_x", "caregiver_y", "admin")
EMAILS = {
    "patient_a": "amina@example.com",
    "patient_b": "karim@example.com",
    "caregiver_x": "shirin@example.com",
    "caregiver_y": "busy@example.com",
    "admin": "admin@example.com",
}
SERVICE = "infant-day-care"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Visitor(msgspec.Struct, kw_only=True):
    """What one role sends: its cookies on pages, its bearer token on the API."""

    role: str
    cookies: dict[str, str]
    csrf: str
    bearer: str | None = None


class World:
    def __init__(self, client: Client, database: Database) -> None:
        self.client = client
        self.database = database
        self.visitors: dict[str, Visitor] = {}
        self.ids: dict[str, str] = {}
        self._copies = 0

    async def build(self) -> World:
        x = await add_caregiver(self.database, EMAILS["caregiver_x"], rating=4.9)
        y = await add_caregiver(self.database, EMAILS["caregiver_y"], name="Busy Begum")
        a = await add_user(self.database, EMAILS["patient_a"])
        application = await submitted_application(self.database, a)
        await add_user(self.database, EMAILS["patient_b"], first_name="Karim")
        await add_user(self.database, EMAILS["admin"], role="admin", first_name="Nadia")
        x_user = await UserRepository(self.database).get(x)
        assert x_user is not None
        photo = await approved_photo(self.database, x_user)
        document = await store_document(self.database, x_user)
        await log_in(self.client, EMAILS["patient_a"])
        code, session_id = await paid_booking(self.client, self.database, caregiver_id=str(x))
        series_id = await held_series(self.client, self.database, str(x))
        self.client.cookies.clear()
        self.ids = {
            "code": code,
            "session_id": session_id,
            "slug": SERVICE,
            "caregiver_id": str(x),
            "other_caregiver_id": str(y),
            "user_id": str(x),  # staff screens and the users API manage caregivers
            "patient_id": str(a),
            "image_id": str(photo.id),  # X's approved photo
            "document_id": str(document.id),  # X's private document
            "review_id": str(await reviewed_booking(self.database, a, x)),
            "application_id": str(application.id),  # A's application, waiting for an admin
            "upload_id": str(application.documents[0].id),  # its certificate
            "person_id": await save_mother(self.database, a.id),  # A's mother, with care needs
            "series_id": series_id,  # A's weekly visits with X, held and unpaid
            "entry_id": await waiting_place(self.database, a, x),  # A's place on the waitlist
        }
        for role in ROLES:
            self.visitors[role] = await self.visitor(role)
        return self

    async def visitor(self, role: str) -> Visitor:
        """A fresh session (and API token) for `role`; the client's own jar stays empty."""
        self.client.cookies.clear()
        bearer = None
        if role != "anonymous":
            await log_in(self.client, EMAILS[role])
            bearer = await api_token(self.client, EMAILS[role])
        page = await self.client.get("/login" if role == "anonymous" else "/account")
        match = CSRF_FIELD.search(page.text)
        assert match, f"no CSRF field for {role}"
        cookies = dict(self.client.cookies.items())
        self.client.cookies.clear()
        return Visitor(role=role, cookies=cookies, csrf=match.group(1), bearer=bearer)

    async def fresh_booking(self, status: str = "", *, due: bool = False) -> str:
        """A copy of A's booking with X on a later day; `status` moves it by hand first.

        A `due` copy then starts half an hour from now, inside the window to Start it.
        """
        self._copies += 1
        stored = await self.database["bookings"].find_one({"code": self.ids["code"]})
        original = from_document(stored or {}, Booking)
        later = timedelta(days=self._copies)
        copy = msgspec.structs.replace(
            original,
            id=ObjectId(),
            code=f"CV-Z{self._copies:05d}",
            starts_at=original.starts_at + later,
            ends_at=original.ends_at + later,
        )
        await BookingRepository(self.database).add_with_claims(copy)
        payments = self.database["payments"].find({"booking_id": original.id})
        async for payment in payments:
            suffix = f"_{self._copies}"
            await self.database["payments"].insert_one(
                payment
                | {
                    "_id": ObjectId(),
                    "booking_id": copy.id,
                    "booking_code": copy.code,
                    "session_id": payment["session_id"] + suffix,
                }
            )
        if status:
            await self.database["bookings"].update_one(
                {"_id": copy.id}, {"$set": {"status": status}}
            )
        if due:
            await due_soon(self.database, copy.code)
        return copy.code

    async def fresh_person(self) -> str:
        """Another person patient A cares for."""
        patient = await UserRepository(self.database).get_by_email(EMAILS["patient_a"])
        assert patient is not None
        return await save_mother(self.database, patient.id)

    async def fresh_caregiver(self) -> str:
        self._copies += 1
        return str(await add_caregiver(self.database, f"carer{self._copies}@example.com"))

    async def fresh_service(self) -> str:
        self._copies += 1
        stored = await self.database["services"].find_one({"slug": SERVICE})
        assert stored is not None
        slug = f"{SERVICE}-copy-{self._copies}"
        await self.database["services"].insert_one(stored | {"_id": ObjectId(), "slug": slug})
        return slug

    async def send(
        self,
        role: str,
        method: str,
        path: str,
        form: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One request as `role`: pages carry its cookies and CSRF token, the API its token."""
        visitor = self.visitors[role]
        sent = dict(headers or {})
        if path.startswith("/api/") and visitor.bearer:
            sent["Authorization"] = f"Bearer {visitor.bearer}"
        else:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())
            sent["x-csrftoken"] = visitor.csrf
        self.client.cookies.clear()
        if method in ("GET", "HEAD"):
            return await self.client.request(method, path, headers=sent, follow_redirects=False)
        data = None if json is not None else {"_csrf_token": visitor.csrf, **(form or {})}
        return await self.client.request(
            method, path, data=data, json=json, headers=sent, follow_redirects=False
        )

    async def ticket(self, role: str) -> str:
        """A live-event ticket for staff roles; others get none (and their stream is refused)."""
        response = await self.send(role, "POST", "/api/v1/events/ticket", json={})
        ticket = response.json()["ticket"] if response.status_code == 200 else ""
        return str(ticket)

    async def stream_head(self, role: str, path: str) -> Head:
        """The status and headers of a live-event stream, which never ends on its own."""
        visitor = self.visitors[role]
        cookie = "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())
        with self.client.portal() as portal:
            head: Head = portal.call(first_message, self.client.app, http_scope(path, cookie))
        return head


class Head(msgspec.Struct):
    status_code: int = 0
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    text: str = ""


def http_scope(url: str, cookie: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "root_path": "",
        "query_string": parts.query.encode(),
        "headers": [(b"host", b"testserver.local"), (b"cookie", cookie.encode())],
        "client": ("testclient", 50000),
        "server": ("testserver.local", 443),
        "extensions": {},
    }


async def first_message(app: ASGIApp, scope: Any) -> Head:
    """Run the app until it starts answering, then hang up as a browser tab closing would."""
    head = Head()
    started = anyio.Event()
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await started.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            head.status_code = message["status"]
            head.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
            started.set()
        elif message["type"] == "http.response.body":
            head.text += message.get("body", b"").decode(errors="replace")

    with anyio.move_on_after(5):
        await app(scope, receive, send)  # type: ignore[arg-type]
    return head
