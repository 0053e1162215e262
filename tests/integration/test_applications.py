"""Becoming a caregiver: apply, be asked for changes, resubmit, and be approved or declined."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.applications import (
    APPLY,
    Identities,
    apply_fully,
    decide,
    send_application,
    upload,
)
from tests.support.files import grid_counts, oversized_png, pdf_bytes, png_bytes

Database = AsyncDatabase[dict[str, Any]]
APPLICANT = "applicant@example.com"
ADMIN = "admin@example.com"
SECOND_ADMIN = "second-admin@example.com"

pytestmark = pytest.mark.usefixtures("seeded")


async def application_of(database: Database, email: str) -> dict[str, Any]:
    user = await database["users"].find_one({"email": email})
    assert user is not None
    application = await database["applications"].find_one({"user_id": user["_id"]})
    assert application is not None
    return application


async def test_apply_needs_changes_resubmit_approve_leaves_an_audit_trail_and_a_caregiver(
    client: Client, app: Litestar, database: Database, make_user: UserFactory
) -> None:
    applicant = await make_user(APPLICANT, first_name="Rokeya", last_name="Sultana")
    admin = await make_user(ADMIN, role="admin")
    people = Identities(client)
    await people.add(APPLICANT)
    sent = await apply_fully(client)
    assert sent.status_code == 303
    status_page = await client.get(APPLY)
    assert "Waiting for review" in status_page.text
    application = await application_of(database, APPLICANT)
    application_id = str(application["_id"])
    assert application["status"] == "submitted"

    await people.add(ADMIN)
    queue = await client.get("/dashboard/applications")
    assert "Rokeya Sultana" in queue.text
    assert "•••••••••0123" in queue.text and "1234567890123" not in queue.text
    assert "1 to review" in queue.text
    detail = await client.get(f"/dashboard/applications/{application_id}")
    assert "1234567890123" in detail.text
    assert f'<iframe src="/documents/{application["documents"][0]["id"]}/inline"' in detail.text
    refused = await decide(client, application_id, "needs_changes")
    assert refused.status_code == 422
    assert "what to change" in refused.text
    asked = await decide(
        client, application_id, "needs_changes", "Please add your nursing diploma."
    )
    assert asked.status_code == 200

    people.use(APPLICANT)
    page = await client.get(APPLY)
    assert "Please add your nursing diploma." in page.text
    assert 'action="/become-a-caregiver"' in page.text  # the form is open again
    await upload(client, "documents", "diploma.png", png_bytes(), "image/png")
    assert (await send_application(client, years_experience="7")).status_code == 303
    picture = (await application_of(database, APPLICANT))["documents"][1]
    assert picture["is_pdf"] is False

    people.use(ADMIN)
    detail = await client.get(f"/dashboard/applications/{application_id}")
    assert f'<img src="/documents/{picture["id"]}/inline"' in detail.text
    shown = await client.get(f"/documents/{picture['id']}/inline")
    assert shown.headers["content-security-policy"].endswith("; sandbox")
    approved = await decide(client, application_id, "approve")
    assert approved.status_code == 200
    assert "Approved" in approved.text

    entries = [
        entry
        async for entry in database["audit_log"]
        .find({"target_type": "application", "action": {"$ne": "admin.application_read"}})
        .sort("at", 1)
    ]
    assert [(e["action"], e["actor_id"], e["target_id"]) for e in entries] == [
        ("application.submitted", str(applicant.id), application_id),
        ("admin.application_needs_changes", str(admin.id), application_id),
        ("application.submitted", str(applicant.id), application_id),
        ("admin.application_approved", str(admin.id), application_id),
    ]
    user = await database["users"].find_one({"_id": applicant.id})
    assert user is not None and user["role"] == "caregiver"
    caregiver = await database["caregivers"].find_one({"_id": applicant.id})
    assert caregiver is not None
    assert caregiver["verified"] is True
    assert caregiver["years_experience"] == 7
    assert caregiver["categories"] == ["baby-care", "elderly-care"]
    assert caregiver["checks"]["national_id"] is True
    assert caregiver["checks"]["certificates"] == 2
    assert caregiver["checks"]["references"] == 2
    assert caregiver["availability"]["saturday"] == [{"start": "08:00", "end": "17:00"}]
    assert caregiver["photo_id"] == application["photo_id"]
    profile = await client.get(f"/caregivers/{applicant.id}")
    assert profile.status_code == 200 and "Rokeya Sultana" in profile.text
    photo = await client.get(f"/files/{application['photo_id']}/640")
    assert photo.headers["cache-control"].startswith("public")
    mails = [m async for m in database["mail_outbox"].find({"template": "application_decided"})]
    assert len(mails) == 2 and all(m["to"] == APPLICANT for m in mails)

    # The old session ended with the role change; signed in again, the dashboard is a caregiver's.
    await log_in(client, APPLICANT)
    dashboard = await client.get("/dashboard")
    assert "Caregiver dashboard" in dashboard.text


async def test_a_declined_application_shows_the_reason_and_makes_no_caregiver(
    client: Client, app: Litestar, database: Database, make_user: UserFactory
) -> None:
    applicant = await make_user(APPLICANT)
    await make_user(ADMIN, role="admin")
    people = Identities(client)
    await people.add(APPLICANT)
    await apply_fully(client)
    application_id = str((await application_of(database, APPLICANT))["_id"])
    await people.add(ADMIN)
    assert (await decide(client, application_id, "decline")).status_code == 422
    answer = await decide(client, application_id, "decline", "The NID did not match.")
    assert answer.status_code == 200
    again = await decide(client, application_id, "approve")
    assert again.status_code == 409
    people.use(APPLICANT)
    page = await client.get(APPLY)
    assert "Declined" in page.text and "The NID did not match." in page.text
    assert (await database["users"].find_one({"_id": applicant.id}) or {})["role"] == "patient"
    assert await database["caregivers"].find_one({"_id": applicant.id}) is None


async def test_two_admins_deciding_at_once_only_one_wins(
    client: Client, app: Litestar, database: Database, make_user: UserFactory
) -> None:
    await make_user(APPLICANT)
    await make_user(ADMIN, role="admin")
    await make_user(SECOND_ADMIN, role="admin")
    await log_in(client, APPLICANT)
    await apply_fully(client)
    application_id = str((await application_of(database, APPLICANT))["_id"])
    people = Identities(client)
    for email in (ADMIN, SECOND_ADMIN):
        await people.add(email)
        await client.get(f"/dashboard/applications/{application_id}")  # a CSRF token
    headers = {email: people.cookie_header(email) for email in (ADMIN, SECOND_ADMIN)}
    people.leave()  # each request below carries its own admin's cookies

    async def decide_as(email: str, decision: str, note: str = "") -> Any:
        return await client.post(
            f"/dashboard/applications/{application_id}/decision",
            data={"decision": decision, "note": note, "_csrf_token": people.csrf_of(email)},
            headers=headers[email],
        )

    answers = await asyncio.gather(
        decide_as(ADMIN, "approve"), decide_as(SECOND_ADMIN, "decline", "Too little.")
    )
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    stored = await application_of(database, APPLICANT)
    assert len(stored["history"]) == 2  # submitted, then the one decision that won
    decisions = await database["audit_log"].count_documents(
        {"action": {"$in": ["admin.application_approved", "admin.application_declined"]}}
    )
    assert decisions == 1


# Each wrong answer, the field it is reported on, and words of its message.
WRONG_ANSWERS: list[tuple[dict[str, str], str, str]] = [
    ({"national_id": "12345"}, "national_id", "10, 13 or 17 digits"),
    ({"national_id": "১২৩৪৫৬৭৮৯০"}, "national_id", "10, 13 or 17 digits"),
    ({"reference2_name": "", "reference2_contact": ""}, "reference2_name", "reference 2"),
    ({"categories": "gardening"}, "categories", "kinds of care"),
    ({"divisions": ""}, "divisions", "divisions"),
    ({"languages": ""}, "languages", "languages"),
    ({"years_experience": "lots"}, "years_experience", "years of experience"),
    ({"bio": "Kind."}, "bio", "20 to 1500"),
    ({"monday_start": "09:15"}, "monday-start", "half-hour"),
    ({"reference1_contact": "not reachable"}, "reference1_contact", "phone number"),
]


async def test_every_field_is_checked_and_nothing_is_stored(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user(APPLICANT)
    await log_in(client, APPLICANT)
    for changes, field, message in WRONG_ANSWERS:
        answer = await send_application(client, intent="save", **changes)
        assert answer.status_code == 422, changes
        assert message in answer.text, changes
        assert f'href="#field-{field}"' in answer.text, changes
        assert f'id="field-{field}"' in answer.text, changes
    assert await database["applications"].count_documents({}) == 0


async def test_bad_files_are_refused_and_nothing_is_stored(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user(APPLICANT)
    await log_in(client, APPLICANT)
    before = await grid_counts(database)
    text = await upload(client, "documents", "cv.pdf", b"just some words", "application/pdf")
    assert text.status_code == 422 and "neither a PDF nor a picture" in text.text
    big = await upload(client, "photo", "me.png", oversized_png(6.0), "image/png")
    assert big.status_code == 422 and "the limit is 5 MB" in big.text
    pdf_photo = await upload(client, "photo", "me.pdf", pdf_bytes(), "application/pdf")
    assert pdf_photo.status_code == 422
    assert await grid_counts(database) == before
    assert await database["applications"].count_documents({}) == 0
    # Without a certificate the application cannot be sent.
    unsent = await send_application(client)
    assert unsent.status_code == 422 and "at least one certificate" in unsent.text
    assert await database["applications"].count_documents({}) == 0


async def test_a_certificate_can_be_removed_before_sending(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user(APPLICANT)
    await log_in(client, APPLICANT)
    await upload(client, "documents", "first-aid.pdf", pdf_bytes(), "application/pdf")
    document_id = (await application_of(database, APPLICANT))["documents"][0]["id"]
    token = await csrf_token(client, APPLY)
    removed = await client.post(
        f"{APPLY}/documents/{document_id}/remove",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert (await application_of(database, APPLICANT))["documents"] == []
    assert (await client.get(f"/documents/{document_id}")).status_code == 404


async def test_caregivers_and_admins_cannot_apply(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user(ADMIN, role="admin")
    await log_in(client, ADMIN)
    page = await client.get(APPLY)
    assert "verification queue" in page.text
    assert (await send_application(client)).status_code == 403
    assert await database["applications"].count_documents({}) == 0


async def test_a_signed_out_visitor_is_sent_to_sign_in_with_a_way_back(client: Client) -> None:
    page = await client.get(APPLY)
    assert page.status_code == 200
    assert 'href="/login?next=/become-a-caregiver"' in page.text
    assert "national ID" in page.text
