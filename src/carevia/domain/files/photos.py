"""Caregivers' photos: a new one waits for an admin, and only an approved one is shown.

Until approval the old photo (or the generated avatar) stays on every public page. Approving
publishes the new photo and removes the one it replaces; rejecting removes the new one. Each
decision goes to the audit log.
"""

from __future__ import annotations

from carevia.domain.accounts import User
from carevia.domain.accounts.repository import parse_object_id
from carevia.domain.audit import AuditLog
from carevia.domain.caregivers.models import Caregiver
from carevia.domain.caregivers.repository import CaregiverRepository
from carevia.domain.files.avatars import initials_avatar
from carevia.domain.files.models import FileKind, Upload
from carevia.domain.files.service import FileService
from carevia.domain.shared import Conflict, Forbidden, NotFound
from carevia.domain.shared.text import Text

DECISIONS = ("approve", "reject")


class CaregiverPhotos:
    def __init__(self, files: FileService, caregivers: CaregiverRepository, audit: AuditLog):
        self._files = files
        self._caregivers = caregivers
        self._audit = audit

    async def submit(self, caregiver: User, content: bytes, file_name: str) -> Upload:
        """Store a caregiver's new photo as pending; a photo still pending is replaced."""
        if caregiver.role != "caregiver":
            raise Forbidden(Text("Only caregivers have a profile photo."))
        if await self._caregivers.get(caregiver.id) is None:
            raise NotFound(Text("Your caregiver profile is not set up yet."))
        upload = await self._files.store(FileKind.CAREGIVER_PHOTO, content, file_name, caregiver)
        replaced = await self._caregivers.set_pending_photo(caregiver.id, upload.id)
        if replaced is None:  # the profile vanished meanwhile: keep nothing behind
            await self._files.discard(upload.id)
            raise NotFound(Text("Your caregiver profile is not set up yet."))
        _, earlier_pending = replaced
        if earlier_pending is not None:
            await self._files.discard(earlier_pending)
        await self._audit.record(
            "caregiver.photo_submitted",
            actor_id=str(caregiver.id),
            actor_role=caregiver.role,
            target_type="caregiver",
            target_id=str(caregiver.id),
        )
        return upload

    async def pending(self, admin: User) -> list[Caregiver]:
        if admin.role != "admin":
            raise Forbidden(Text("Only admins review photos."))
        return await self._caregivers.with_pending_photos()

    async def decide(
        self, admin: User, caregiver_id: str, upload_id: str, decision: str, ip: str | None
    ) -> bool:
        """Approve or reject the photo the admin looked at; a newer one needs its own look.

        Returns whether it was approved.
        """
        if admin.role != "admin":
            raise Forbidden(Text("Only admins review photos."))
        if decision not in DECISIONS:
            raise NotFound(Text("No such decision."))
        approve = decision == "approve"
        caregiver_oid = parse_object_id(caregiver_id)
        upload_oid = parse_object_id(upload_id)
        if caregiver_oid is None or upload_oid is None:
            raise NotFound(Text("No such photo is waiting."))
        before = await self._caregivers.settle_pending_photo(caregiver_oid, upload_oid, approve)
        if before is None:
            if await self._caregivers.get(caregiver_oid) is None:
                raise NotFound(Text("No such caregiver."))
            raise Conflict(Text("That photo is no longer waiting for a decision."))
        if approve:
            await self._files.publish(upload_oid)
            if before.photo_id is not None:
                await self._files.discard(before.photo_id)
        else:
            await self._files.discard(upload_oid)
        await self._audit.record(
            "admin.photo_approved" if approve else "admin.photo_rejected",
            actor_id=str(admin.id),
            actor_role=admin.role,
            target_type="caregiver",
            target_id=str(caregiver_oid),
            ip=ip,
            upload_id=str(upload_oid),
        )
        return approve

    async def avatar(self, caregiver_id: str) -> str:
        """The generated initials avatar of any caregiver profile, as SVG text."""
        caregiver = await self._caregivers.get(caregiver_id)
        if caregiver is None:
            raise NotFound(Text("No such caregiver."))
        return initials_avatar(caregiver.initials, str(caregiver.id))
