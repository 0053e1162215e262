"""Storing uploads and deciding who may see them.

A picture for everyone (a service image, an approved caregiver photo) is public. A caregiver's
new photo stays pending, seen by its owner and admins only, until an admin approves it. A
document is private for ever: its owner and admins may open it, every admin look is audited,
and anyone else is told it does not exist.
"""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId

from carevia.domain.accounts import User
from carevia.domain.audit import AuditLog
from carevia.domain.files.inspection import prepare
from carevia.domain.files.models import (
    DOCUMENT_VARIANT,
    IMAGE_SIZES,
    FileKind,
    ServedFile,
    StoredVariant,
    Upload,
    Visibility,
)
from carevia.domain.files.repository import FileRepository
from carevia.domain.shared import NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.text import Text

FIRST_VISIBILITY = {
    FileKind.CAREGIVER_PHOTO: Visibility.PENDING,
    FileKind.SERVICE_IMAGE: Visibility.PUBLIC,
    FileKind.APPLICANT_DOCUMENT: Visibility.PRIVATE,
}
MISSING = Text("No such file.")


def _upload_id(value: str) -> ObjectId:
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        raise NotFound(MISSING) from None


def _may_see_unpublished(viewer: User | None, owner_id: str) -> bool:
    return viewer is not None and (viewer.role == "admin" or str(viewer.id) == owner_id)


class FileService:
    def __init__(self, files: FileRepository, audit: AuditLog, clock: Clock = utc_now) -> None:
        self._files = files
        self._audit = audit
        self._clock = clock

    async def store(self, kind: FileKind, content: bytes, file_name: str, owner: User) -> Upload:
        """Check and re-encode, then store every size; a refused file stores nothing."""
        prepared = prepare(kind, content, file_name)
        return await self._files.store(
            prepared, str(owner.id), FIRST_VISIBILITY[kind], self._clock()
        )

    async def open_image(self, upload_id: str, size: str, viewer: User | None) -> ServedFile:
        """A picture's bytes; a pending one only for its owner and admins (others: NotFound)."""
        if size not in IMAGE_SIZES:
            raise NotFound(MISSING)
        variant = await self._files.find_variant(_upload_id(upload_id), size)
        if variant is None or variant.kind is FileKind.APPLICANT_DOCUMENT:
            raise NotFound(MISSING)
        if variant.visibility is not Visibility.PUBLIC and not _may_see_unpublished(
            viewer, variant.owner_id
        ):
            raise NotFound(MISSING)
        return await self._read(variant)

    async def open_document(self, upload_id: str, viewer: User, ip: str | None) -> ServedFile:
        """A private document for its owner or an admin; an admin's look is audited."""
        variant = await self._files.find_variant(_upload_id(upload_id), DOCUMENT_VARIANT)
        if variant is None or not _may_see_unpublished(viewer, variant.owner_id):
            raise NotFound(MISSING)
        if str(viewer.id) != variant.owner_id:
            await self._audit.record(
                "admin.document_viewed",
                actor_id=str(viewer.id),
                actor_role=viewer.role,
                target_type="upload",
                target_id=str(variant.upload_id),
                ip=ip,
                owner_id=variant.owner_id,
            )
        return await self._read(variant)

    async def owner_of(self, upload_id: ObjectId) -> str | None:
        """Who uploaded it, whatever size exists; for callers tying an upload to a record."""
        for size in (*IMAGE_SIZES, DOCUMENT_VARIANT):
            variant = await self._files.find_variant(upload_id, size)
            if variant is not None:
                return variant.owner_id
        return None

    async def publish(self, upload_id: ObjectId) -> None:
        await self._files.set_visibility(upload_id, Visibility.PUBLIC)

    async def discard(self, upload_id: ObjectId) -> None:
        await self._files.delete_upload(upload_id)

    async def _read(self, variant: StoredVariant) -> ServedFile:
        served = await self._files.read(variant)
        if served is None:
            raise NotFound(MISSING)
        return served
