"""The multipart form of an upload: one file field, read whole (the limit is enforced first)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.datastructures import UploadFile


@dataclass
class PhotoUpload:
    photo: UploadFile | None = None

    @property
    def file_name(self) -> str:
        return self.photo.filename if self.photo else ""

    async def content(self) -> bytes:
        return await self.photo.read() if self.photo else b""


@dataclass
class ImageUpload:
    image: UploadFile | None = None

    @property
    def file_name(self) -> str:
        return self.image.filename if self.image else ""

    async def content(self) -> bytes:
        return await self.image.read() if self.image else b""
