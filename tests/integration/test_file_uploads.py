"""Uploads judged by their content: what is stored, what is refused, and that refusals keep nothing.

The rule: a file's type comes from its bytes, never its name. A caregiver photo or a service
image must be a picture (JPEG, PNG, WebP or GIF) of at most 5 MB and is always re-encoded; an
applicant's document may also be a PDF of at most 10 MB with no scripts or automatic actions.
A file that is also another kind of file (a web page, script or archive) is refused.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from bson import ObjectId
from gridfs import AsyncGridFSBucket
from PIL import Image
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared import Invalid
from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.files import (
    EXIF_MAKE,
    GPS_IFD,
    gif_html_polyglot,
    grid_counts,
    jpeg_with_gps,
    oversized_png,
    pdf_bytes,
    pdf_with_javascript,
    png_bytes,
    png_zip_polyglot,
    store_document,
)

Database = AsyncDatabase[dict[str, Any]]


async def upload_photo(client: Client, content: bytes, name: str) -> Any:
    token = await csrf_token(client, "/dashboard/profile")
    return await client.post(
        "/dashboard/profile/photo",
        data={"_csrf_token": token},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


async def pending_photo(database: Database, caregiver_id: ObjectId) -> ObjectId | None:
    profile = await database["caregivers"].find_one({"_id": caregiver_id})
    assert profile is not None
    pending: ObjectId | None = profile.get("pending_photo_id")
    return pending


@pytest.fixture
async def caregiver(client: Client, make_caregiver: CaregiverFactory) -> ObjectId:
    caregiver_id = await make_caregiver("shirin@example.com")
    await log_in(client, "shirin@example.com")
    return caregiver_id


async def test_a_png_named_exe_is_taken_for_the_png_it_is(
    client: Client, database: Database, caregiver: ObjectId
) -> None:
    answer = await upload_photo(client, png_bytes(), "holiday.exe")
    assert answer.status_code == 303
    upload_id = await pending_photo(database, caregiver)
    assert upload_id is not None
    for size, longest in (("640", 640), ("160", 160)):
        served = await client.get(f"/files/{upload_id}/{size}")
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/webp"
        picture = Image.open(io.BytesIO(served.content))
        assert (picture.format, max(picture.size)) == ("WEBP", longest)
    # Not approved yet: nobody but its owner and admins sees it.
    client.cookies.clear()
    assert (await client.get(f"/files/{upload_id}/640")).status_code == 404


BAD_PHOTOS = {
    "6-mb-photo": (oversized_png(6.0), "big.png", "The file is 6.0 MB; the limit is 5 MB."),
    "png-zip-polyglot": (png_zip_polyglot(), "photo.png", "also carries another kind of file"),
    "gif-html-polyglot": (gif_html_polyglot(), "photo.gif", "also carries another kind of file"),
    "program-named-png": (b"MZ\x90\x00 a program", "photo.png", "not a picture we can read"),
    "pdf": (pdf_bytes(), "photo.png", "Upload a picture (JPEG, PNG, WebP or GIF), not a PDF."),
}


async def test_a_bad_photo_is_refused_and_nothing_is_stored(
    client: Client, database: Database, caregiver: ObjectId
) -> None:
    for case, (content, name, message) in BAD_PHOTOS.items():
        answer = await upload_photo(client, content, name)
        assert answer.status_code == 422, case
        assert message in answer.text, case
        assert 'aria-invalid="true"' in answer.text, case
        assert await grid_counts(database) == (0, 0), case
        assert await pending_photo(database, caregiver) is None, case


async def test_a_stored_photo_keeps_no_exif_or_gps(
    client: Client, database: Database, caregiver: ObjectId
) -> None:
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif()[EXIF_MAKE] == "PhoneMaker"
    assert original.getexif().get_ifd(GPS_IFD)

    assert (await upload_photo(client, jpeg_with_gps(), "IMG_0001.JPG")).status_code == 303
    upload_id = await pending_photo(database, caregiver)
    bucket = AsyncGridFSBucket(database, bucket_name="uploads")
    stored = [document async for document in bucket.find({"metadata.upload_id": upload_id})]
    assert sorted(document.metadata["variant"] for document in stored) == ["160", "640"]
    for document in stored:
        content = await (await bucket.open_download_stream(document._id)).read()
        picture = Image.open(io.BytesIO(content))
        assert dict(picture.getexif()) == {}
        assert "exif" not in picture.info
        assert b"PhoneMaker" not in content


async def test_a_pdf_with_javascript_is_refused_and_nothing_is_stored(
    database: Database, make_user: UserFactory
) -> None:
    applicant = await make_user("applicant@example.com")
    for content in (
        pdf_with_javascript(),
        # The same action with its name hex-escaped, as a PDF allows.
        pdf_bytes("/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> "),
        pdf_bytes("/AA << /O << /S /Launch /F (cmd.exe) >> >> "),
    ):
        with pytest.raises(Invalid) as refused:
            await store_document(database, applicant, content)
        assert refused.value.fields["file"] == (
            "This PDF contains scripts or automatic actions; save it without them."
        )
    assert await grid_counts(database) == (0, 0)
    clean = await store_document(database, applicant)
    assert clean.variants == ["original"]
