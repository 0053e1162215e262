"""Helpers for tests of caregiver applications: a complete form, and a person who applied."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.applications import Application, ApplicationForm, ApplicationRepository
from carevia.domain.applications.models import Document, StatusChange
from carevia.domain.applications.validation import check_form
from tests.support.accounts import Client, csrf_token, log_in
from tests.support.files import pdf_bytes, png_bytes, store_document

APPLY = "/become-a-caregiver"


def application_form(**changes: str) -> dict[str, Any]:
    form: dict[str, Any] = {
        "categories": ["baby-care", "elderly-care"],
        "divisions": ["Dhaka", "Khulna"],
        "languages": "Bangla, English",
        "years_experience": "6",
        "bio": "Six years caring for newborns and elderly parents at home in Dhaka.",
        "national_id": "1234567890123",
        "reference1_name": "Nasima Khatun",
        "reference1_contact": "+8801711000001",
        "reference1_relationship": "Former employer",
        "reference2_name": "Dr. Farid Hasan",
        "reference2_contact": "farid@example.com",
        "reference2_relationship": "Supervising nurse",
        "saturday_start": "08:00",
        "saturday_end": "17:00",
        "monday_start": "09:00",
        "monday_end": "18:00",
        "intent": "submit",
    }
    form.update(changes)
    return form


async def upload(client: Client, route: str, name: str, content: bytes, kind: str) -> Any:
    token = await csrf_token(client, APPLY)
    return await client.post(
        f"{APPLY}/{route}",
        data={"_csrf_token": token},
        files={"file": (name, content, kind)},
        follow_redirects=False,
    )


async def send_application(client: Client, **changes: str) -> Any:
    token = await csrf_token(client, APPLY)
    return await client.post(
        APPLY,
        data={**application_form(**changes), "_csrf_token": token},
        follow_redirects=False,
    )


async def apply_fully(client: Client) -> Any:
    """A signed-in patient uploads a certificate and a photo and sends the form."""
    assert (
        await upload(client, "documents", "first-aid.pdf", pdf_bytes(), "application/pdf")
    ).status_code == 303
    assert (await upload(client, "photo", "me.png", png_bytes(), "image/png")).status_code == 303
    return await send_application(client)


async def decide(client: Client, application_id: str, decision: str, note: str = "") -> Any:
    token = await csrf_token(client, f"/dashboard/applications/{application_id}")
    return await client.post(
        f"/dashboard/applications/{application_id}/decision",
        data={"decision": decision, "note": note, "_csrf_token": token},
        follow_redirects=False,
    )


class Identities:
    """One test client signed in as several people in turn, each keeping their own cookies.

    A second test client would start the app a second time on the same event loop.
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._jars: dict[str, httpx.Cookies] = {}
        self._current = ""

    async def add(self, email: str) -> None:
        self._save()
        self._client.cookies = httpx.Cookies()
        await log_in(self._client, email)
        self._current = email
        self._save()

    def use(self, email: str) -> Client:
        self._save()
        self._client.cookies = self._jars[email]
        self._current = email
        return self._client

    def leave(self) -> None:
        """Sign the client out of every identity, keeping each one's cookies here."""
        self._save()
        self._current = ""
        self._client.cookies = httpx.Cookies()

    def _save(self) -> None:
        if self._current:
            self._jars[self._current] = self._client.cookies

    def cookie_header(self, email: str) -> dict[str, str]:
        """The Cookie header of one person, for requests sent side by side."""
        self._save()
        jar = self._jars[email]
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in jar.items())}

    def csrf_of(self, email: str) -> str:
        return str(self._jars[email].get("csrftoken", ""))


async def submitted_application(
    database: AsyncDatabase[dict[str, Any]], applicant: User
) -> Application:
    """A complete application of `applicant` with one certificate, waiting for an admin."""
    checked, errors = check_form(ApplicationForm(**application_form()))
    assert checked is not None, errors
    document = await store_document(database, applicant)
    now = datetime.now(UTC)
    application = Application(
        id=ObjectId(),
        user_id=applicant.id,
        display_name=applicant.full_name,
        status="submitted",
        documents=[Document(id=document.id, name="certificate.pdf")],
        history=[StatusChange(status="submitted", at=now, by=applicant.id)],
        submitted_at=now,
        created_at=now,
        updated_at=now,
        **msgspec.structs.asdict(checked),
    )
    await ApplicationRepository(database).add(application)
    return application
