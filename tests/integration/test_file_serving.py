"""Serving stored files: long-cached public pictures, private documents, and photo approval."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.files import grid_counts, jpeg_with_gps, pdf_bytes, png_bytes, store_document

Database = AsyncDatabase[dict[str, Any]]
SERVICE = "infant-day-care"
FOREVER = "public, max-age=31536000, immutable"

pytestmark = pytest.mark.usefixtures("seeded")


async def upload_service_image(client: Client, content: bytes) -> Any:
    token = await csrf_token(client, f"/dashboard/services/{SERVICE}/edit")
    return await client.post(
        f"/dashboard/services/{SERVICE}/image",
        data={"_csrf_token": token},
        files={"file": ("nursery.jpg", content, "image/jpeg")},
        follow_redirects=False,
    )


async def test_a_service_image_is_served_with_a_strong_etag_and_cached_for_a_year(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user("admin@example.com", role="admin")
    await log_in(client, "admin@example.com")
    answer = await upload_service_image(client, jpeg_with_gps((1600, 900)))
    assert answer.status_code == 303
    service = await database["services"].find_one({"slug": SERVICE})
    assert service is not None
    image = service["image"]
    assert re.fullmatch(r"/files/[0-9a-f]{24}/640", image)
    audit = await database["audit_log"].find_one({"action": "admin.service_image_changed"})
    assert audit is not None
    assert audit["details"]["image"] == image

    client.cookies.clear()
    page = await client.get(f"/services/{SERVICE}")
    assert f'<img src="{image}"' in page.text
    catalogue = await client.get("/services?category=baby-care")
    assert f'src="{image}"' in catalogue.text

    served = await client.get(image)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["cache-control"] == FOREVER
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["etag"] == f'"{hashlib.sha256(served.content).hexdigest()}"'
    again = await client.get(image, headers={"If-None-Match": served.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == served.headers["etag"]
    assert again.headers["cache-control"] == FOREVER
    other = await client.get(image, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    # Signed in, the same public picture is still cacheable: it is nobody's personal data.
    await log_in(client, "admin@example.com")
    assert (await client.get(image)).headers["cache-control"] == FOREVER

    assert (await client.get(image.replace("/640", "/9000"))).status_code == 404
    assert (await client.get("/files/not-an-id/640")).status_code == 404


async def test_a_refused_service_image_says_why_and_keeps_the_old_picture(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    await make_user("admin@example.com", role="admin")
    await log_in(client, "admin@example.com")
    before = await database["services"].find_one({"slug": SERVICE})
    answer = await upload_service_image(client, b"<html><script>alert(1)</script></html>")
    assert answer.status_code == 422
    assert "also carries another kind of file" in answer.text
    after = await database["services"].find_one({"slug": SERVICE})
    assert before is not None and after is not None
    assert after["image"] == before["image"]
    assert await grid_counts(database) == (0, 0)


async def test_a_private_document_opens_only_for_its_owner_and_admins(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    owner = await make_user("applicant@example.com")
    await make_caregiver("other@example.com", name="Other Carer")
    await make_user("patient@example.com")
    await make_user("admin@example.com", role="admin")
    document = await store_document(database, owner)

    client.cookies.clear()
    signed_out = await client.get(document.url(), follow_redirects=False)
    assert signed_out.status_code in (302, 303)  # sent to sign in, the document never named
    assert "/login" in signed_out.headers["location"]
    for email, status in (
        ("applicant@example.com", 200),
        ("other@example.com", 404),
        ("patient@example.com", 404),
        ("admin@example.com", 200),
    ):
        client.cookies.clear()
        await log_in(client, email)
        answer = await client.get(document.url(), follow_redirects=False)
        assert answer.status_code == status, email
        assert answer.headers["cache-control"] == "no-store", email
        if status == 200:
            assert answer.content == pdf_bytes()
            assert answer.headers["content-type"] == "application/pdf"
            disposition = answer.headers["content-disposition"]
            assert disposition == 'attachment; filename="certificate.pdf"'
            assert answer.headers["x-content-type-options"] == "nosniff"
        else:
            assert b"%PDF" not in answer.content
        # A document is never served as a picture, to anyone.
        assert (await client.get(f"/files/{document.id}/640")).status_code == 404
    # Only the admin's look is written down: the owner reading their own file is not news.
    views = [
        entry async for entry in database["audit_log"].find({"action": "admin.document_viewed"})
    ]
    assert len(views) == 1
    assert views[0]["target_id"] == str(document.id)
    assert views[0]["details"]["owner_id"] == str(owner.id)
    assert views[0]["actor_role"] == "admin"


async def test_a_caregiver_without_a_photo_shows_a_generated_avatar(
    client: Client, make_caregiver: CaregiverFactory
) -> None:
    caregiver = await make_caregiver("shirin@example.com", name="Shirin Akhter")
    page = await client.get(f"/caregivers/{caregiver}")
    assert f'src="/avatars/{caregiver}"' in page.text
    avatar = await client.get(f"/avatars/{caregiver}")
    assert avatar.status_code == 200
    assert avatar.headers["content-type"].startswith("image/svg+xml")
    assert avatar.headers["x-content-type-options"] == "nosniff"
    assert ">SA</text>" in avatar.text
    assert "http" not in avatar.text.replace("http://www.w3.org/2000/svg", "")
    cached = await client.get(
        f"/avatars/{caregiver}", headers={"If-None-Match": avatar.headers["etag"]}
    )
    assert cached.status_code == 304
    assert (await client.get(f"/avatars/{ObjectId()}")).status_code == 404


async def test_a_new_photo_waits_for_an_admin_and_the_decisions_are_audited(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    caregiver = await make_caregiver("shirin@example.com")
    await make_user("admin@example.com", role="admin")
    avatar = f'src="/avatars/{caregiver}"'

    async def submit(colour: str) -> ObjectId:
        client.cookies.clear()
        await log_in(client, "shirin@example.com")
        token = await csrf_token(client, "/dashboard/profile")
        answer = await client.post(
            "/dashboard/profile/photo",
            data={"_csrf_token": token},
            files={"file": ("me.png", png_bytes(colour=colour), "image/png")},
        )
        assert "An admin checks your new photo before patients see it." in answer.text
        profile = await database["caregivers"].find_one({"_id": caregiver})
        assert profile is not None
        return ObjectId(profile["pending_photo_id"])

    async def decide(upload: ObjectId, decision: str) -> str:
        client.cookies.clear()
        await log_in(client, "admin@example.com")
        queue = await client.get("/dashboard/photos")
        assert f"/files/{upload}/640" in queue.text
        token = await csrf_token(client, "/dashboard/photos")
        answer = await client.post(
            f"/dashboard/photos/{caregiver}/{decision}",
            data={"_csrf_token": token, "upload_id": str(upload)},
        )
        return answer.text

    first = await submit("teal")
    client.cookies.clear()
    assert avatar in (await client.get(f"/caregivers/{caregiver}")).text
    assert (await client.get(f"/files/{first}/640")).status_code == 404

    assert "The photo is rejected and removed." in await decide(first, "reject")
    assert (await client.get(f"/files/{first}/640")).status_code == 404
    assert await grid_counts(database) == (0, 0)

    second = await submit("navy")
    assert "The photo is approved" in await decide(second, "approve")
    assert "No photo is waiting." in (await client.get("/dashboard/photos")).text
    client.cookies.clear()
    profile_page = (await client.get(f"/caregivers/{caregiver}")).text
    assert f'src="/files/{second}/640"' in profile_page
    assert avatar not in profile_page
    public = await client.get(f"/files/{second}/640")
    assert (public.status_code, public.headers["cache-control"]) == (200, FOREVER)

    # A third photo leaves the approved one on show until it is approved in turn.
    third = await submit("olive")
    client.cookies.clear()
    assert f'src="/files/{second}/640"' in (await client.get(f"/caregivers/{caregiver}")).text
    await decide(third, "approve")
    assert (await client.get(f"/files/{second}/640")).status_code == 404  # replaced, removed
    actions = [
        entry["action"]
        async for entry in database["audit_log"]
        .find({"target_id": str(caregiver), "action": {"$regex": "photo"}})
        .sort("at", 1)
    ]
    assert actions == [
        "caregiver.photo_submitted",
        "admin.photo_rejected",
        "caregiver.photo_submitted",
        "admin.photo_approved",
        "caregiver.photo_submitted",
        "admin.photo_approved",
    ]
    # Deciding again on a photo no longer waiting is refused.
    token = await csrf_token(client, "/dashboard/photos")
    stale = await client.post(
        f"/dashboard/photos/{caregiver}/approve",
        data={"_csrf_token": token, "upload_id": str(first)},
    )
    assert stale.status_code == 409
