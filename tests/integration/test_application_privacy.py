"""An application's documents stay private, and an applicant is never offered to families."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import DEFAULT_PASSWORD, Client, UserFactory, csrf_token
from tests.support.applications import APPLY, Identities, apply_fully, decide, send_application
from tests.support.files import grid_counts

Database = AsyncDatabase[dict[str, Any]]
APPLICANT = "applicant@example.com"
SERVICE = "infant-day-care"

pytestmark = pytest.mark.usefixtures("seeded")


async def test_only_the_applicant_and_admins_open_the_documents_and_admin_views_are_audited(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    applicant = await make_user(APPLICANT)
    await make_user("other-applicant@example.com")
    await make_user("patient@example.com")
    admin = await make_user("admin@example.com", role="admin")
    people = Identities(client)
    await people.add(APPLICANT)
    await apply_fully(client)
    application = await database["applications"].find_one({"user_id": applicant.id})
    assert application is not None
    document = f"/documents/{application['documents'][0]['id']}"
    photo = f"/files/{application['photo_id']}/640"

    own = await client.get(document)
    assert own.status_code == 200 and own.content.startswith(b"%PDF-")
    assert own.headers["cache-control"] == "no-store"
    assert (await client.get(photo)).status_code == 200

    await people.add("other-applicant@example.com")
    await apply_fully(client)
    for email in ("other-applicant@example.com", "patient@example.com"):
        if email == "patient@example.com":
            await people.add(email)
        else:
            people.use(email)
        assert (await client.get(document)).status_code == 404
        assert (await client.get(f"{document}/inline")).status_code == 403
        assert (await client.get(photo)).status_code == 404
    assert await database["audit_log"].count_documents({"action": "admin.document_viewed"}) == 0

    await people.add("admin@example.com")
    inline = await client.get(f"{document}/inline")
    assert inline.status_code == 200 and inline.content.startswith(b"%PDF-")
    assert inline.headers["cache-control"] == "no-store"
    assert inline.headers["content-disposition"] == "inline"
    assert inline.headers["content-security-policy"].startswith("default-src 'none'")
    assert inline.headers["x-frame-options"] == "SAMEORIGIN"
    assert (await client.get(document)).status_code == 200
    views = [
        entry async for entry in database["audit_log"].find({"action": "admin.document_viewed"})
    ]
    assert [(v["actor_id"], v["details"]["owner_id"]) for v in views] == [
        (str(admin.id), str(applicant.id)),
        (str(admin.id), str(applicant.id)),
    ]


async def _public_pages(client: Client, user_id: str) -> list[str]:
    pages = [
        await client.get(f"/services/{SERVICE}"),
        await client.get(f"/services/{SERVICE}/book"),
        await client.get("/api/v1/caregivers?limit=100"),
        await client.get(f"/api/v1/services/{SERVICE}"),
    ]
    profile = await client.get(f"/caregivers/{user_id}")
    assert profile.status_code == 404
    assert (await client.get(f"/api/v1/caregivers/{user_id}")).status_code == 404
    return [page.text for page in pages]


async def test_an_applicant_never_appears_to_families_until_approved(
    client: Client, app: Litestar, database: Database, make_user: UserFactory
) -> None:
    applicant = await make_user(APPLICANT, first_name="Tahmina", last_name="Parveen")
    await make_user("admin@example.com", role="admin")
    await make_user("family@example.com")
    people = Identities(client)
    await people.add(APPLICANT)
    await apply_fully(client)
    application = await database["applications"].find_one({"user_id": applicant.id})
    assert application is not None
    application_id = str(application["_id"])
    await people.add("family@example.com")

    async def invisible() -> None:
        people.use("family@example.com")
        for text in await _public_pages(client, str(applicant.id)):
            assert "Tahmina" not in text
            assert str(applicant.id) not in text

    await invisible()  # submitted
    await people.add("admin@example.com")
    await decide(client, application_id, "needs_changes", "Add your diploma, please.")
    await invisible()  # needs changes
    people.use(APPLICANT)
    assert "Add your diploma" in (await client.get(APPLY)).text
    assert (await send_application(client)).status_code == 303
    people.use("admin@example.com")
    await decide(client, application_id, "decline", "References could not be reached.")
    await invisible()  # declined


async def test_the_export_holds_the_application_and_deleting_the_account_erases_it(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    applicant = await make_user(APPLICANT)
    people = Identities(client)
    await people.add(APPLICANT)
    await apply_fully(client)
    exported = (await client.get("/account/export")).json()
    assert exported["caregiver_application"][0]["national_id"] == "1234567890123"
    before = await grid_counts(database)
    assert before[0] > 0

    token = await csrf_token(client, "/account/delete")
    deleted = await client.post(
        "/account/delete",
        data={"password": DEFAULT_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert await database["applications"].count_documents({"user_id": applicant.id}) == 0
    assert (
        await database["uploads.files"].count_documents({"metadata.owner_id": str(applicant.id)})
        == 0
    )
