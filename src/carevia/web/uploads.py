"""The multipart form of an upload: one file field named `file`, read whole.

The route's request body limit is enforced before this is read; the domain checks the rest.
"""

from __future__ import annotations

import msgspec
from litestar.datastructures import UploadFile


class FileUpload(msgspec.Struct, kw_only=True):
    file: UploadFile | None = None

    @property
    def file_name(self) -> str:
        return self.file.filename if self.file else ""

    async def content(self) -> bytes:
        return await self.file.read() if self.file else b""
