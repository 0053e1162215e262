"""Files to upload in tests: real pictures and PDFs, and the bad kinds the upload must refuse."""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

from PIL import Image
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.audit import AuditLog
from carevia.domain.files import FileKind, FileRepository, FileService, Upload

GPS_IFD = 0x8825
EXIF_MAKE = 0x010F


def png_bytes(size: tuple[int, int] = (800, 600), colour: str = "teal") -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PNG")
    return output.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG whose EXIF names a camera and a place in Dhaka."""
    exif = Image.Exif()
    exif[EXIF_MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (23.0, 48.0, 36.0), 3: "E", 4: (90.0, 24.0, 0.0)}
    output = io.BytesIO()
    Image.new("RGB", size, "orange").save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


def oversized_png(megabytes: float = 6.0) -> bytes:
    """A real PNG over the limit: random pixels do not compress."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 1
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    output = io.BytesIO()
    picture.save(output, format="PNG", compress_level=0)
    return output.getvalue()


def png_zip_polyglot() -> bytes:
    """A valid PNG with a ZIP archive appended: both a picture and an archive."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", "<script>alert(1)</script>")
    return png_bytes((64, 64)) + archive.getvalue()


def gif_html_polyglot() -> bytes:
    """A GIF whose comment is a web page that runs a script: a classic GIFAR-style file."""
    output = io.BytesIO()
    Image.new("P", (16, 16)).save(output, format="GIF", comment=b"<script>alert(1)</script>")
    return output.getvalue()


def pdf_bytes(extra_catalog: str = "", body: str = "") -> bytes:
    """A one-page PDF; `extra_catalog` adds entries to its catalog (e.g. an OpenAction)."""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {extra_catalog}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *([body] if body else []),
    ]
    output = b"%PDF-1.7\n"
    offsets = []
    for number, text in enumerate(objects, start=1):
        offsets.append(len(output))
        output += f"{number} 0 obj\n{text}\nendobj\n".encode("latin-1")  # binary streams
    xref = len(output)
    output += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    output += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    output += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return output + f"startxref\n{xref}\n%%EOF\n".encode()


def pdf_with_javascript() -> bytes:
    return pdf_bytes(
        "/OpenAction 4 0 R ", "<< /Type /Action /S /JavaScript /JS (app.alert('hi')) >>"
    )


async def grid_counts(database: AsyncDatabase[dict[str, Any]]) -> tuple[int, int]:
    """How many GridFS files and chunks the upload bucket holds."""
    return (
        await database["uploads.files"].count_documents({}),
        await database["uploads.chunks"].count_documents({}),
    )


async def store_document(
    database: AsyncDatabase[dict[str, Any]], owner: User, content: bytes | None = None
) -> Upload:
    """An applicant's private document, stored as the application form will store it."""
    files = FileService(FileRepository(database), AuditLog(database))
    return await files.store(
        FileKind.APPLICANT_DOCUMENT, content or pdf_bytes(), "certificate.pdf", owner
    )


async def approved_photo(database: AsyncDatabase[dict[str, Any]], caregiver: User) -> Upload:
    """A caregiver's photo as it is once an admin approved it: public and on the profile."""
    files = FileService(FileRepository(database), AuditLog(database))
    photo = await files.store(FileKind.CAREGIVER_PHOTO, png_bytes(), "me.png", caregiver)
    await files.publish(photo.id)
    await database["caregivers"].update_one({"_id": caregiver.id}, {"$set": {"photo_id": photo.id}})
    return photo
