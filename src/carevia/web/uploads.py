"""The multipart form of an upload: one file field, read whole (the body limit comes first)."""

from __future__ import annotations

import msgspec
from litestar.datastructures import UploadFile


class PhotoUpload(msgspec.Struct, kw_only=True):
    photo: UploadFile | None = None

    @property
    def file_name(self) -> str:
        return self.photo.filename if self.photo else ""

    async def content(self) -> bytes:
        return await self.photo.read() if self.photo else b""


class ImageUpload(msgspec.Struct, kw_only=True):
    image: UploadFile | None = None

    @property
    def file_name(self) -> str:
        return self.image.filename if self.image else ""

    async def content(self) -> bytes:
        return await self.image.read() if self.image else b""
