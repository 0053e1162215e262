"""Stored files: what kind each is, who may see it, and the bytes of one size of it."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec
from bson import ObjectId

MEGABYTE = 1024 * 1024
IMAGE_LIMIT = 5 * MEGABYTE
PDF_LIMIT = 10 * MEGABYTE
# The request limit of an upload route: the largest file plus room for the form around it.
UPLOAD_BODY_LIMIT = PDF_LIMIT + MEGABYTE


class FileKind(enum.StrEnum):
    CAREGIVER_PHOTO = "caregiver_photo"
    APPLICANT_DOCUMENT = "applicant_document"
    SERVICE_IMAGE = "service_image"


class Visibility(enum.StrEnum):
    PUBLIC = "public"  # anyone; cached for a year
    PENDING = "pending"  # a photo waiting for an admin: its owner and admins only
    PRIVATE = "private"  # a document: its owner and admins only, never cached


# The sizes a picture is stored in, by the name its URL uses: the longest side in pixels.
IMAGE_SIZES: dict[str, int] = {"640": 640, "160": 160}
DOCUMENT_VARIANT = "original"


class StoredVariant(msgspec.Struct, frozen=True, kw_only=True):
    """One stored size of an upload, as its GridFS metadata describes it."""

    grid_id: ObjectId
    upload_id: ObjectId
    variant: str
    kind: FileKind
    owner_id: str
    visibility: Visibility
    content_type: str
    sha256: str
    length: int
    download_name: str = ""
    uploaded_at: datetime

    @property
    def etag(self) -> str:
        """Strong: the hash of exactly these bytes, which never change under this id."""
        return f'"{self.sha256}"'


class Upload(msgspec.Struct, frozen=True, kw_only=True):
    """A file accepted and stored; `id` names all its sizes."""

    id: ObjectId
    kind: FileKind
    owner_id: str
    visibility: Visibility
    variants: list[str]

    def url(self, variant: str = "640") -> str:
        if self.kind is FileKind.APPLICANT_DOCUMENT:
            return document_url(self.id)
        return image_url(self.id, variant)


def image_url(upload_id: ObjectId | str, variant: str = "640") -> str:
    return f"/files/{upload_id}/{variant}"


def document_url(upload_id: ObjectId | str) -> str:
    return f"/documents/{upload_id}"


class Prepared(msgspec.Struct, frozen=True, kw_only=True):
    """Checked and re-encoded bytes, ready to store: variant -> (content type, bytes)."""

    kind: FileKind
    variants: dict[str, tuple[str, bytes]]
    download_name: str = ""


class ServedFile(msgspec.Struct, frozen=True, kw_only=True):
    variant: StoredVariant
    content: bytes
