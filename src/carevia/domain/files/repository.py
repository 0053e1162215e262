"""Uploads in GridFS: the `uploads` bucket holds one GridFS file per stored size.

Each GridFS file's metadata names its upload, size, kind, owner and visibility, so one
index answers "this size of that upload" and approval changes a field, not the bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.files.models import (
    FileKind,
    Prepared,
    ServedFile,
    StoredVariant,
    Upload,
    Visibility,
)

BUCKET = "uploads"
FILES = f"{BUCKET}.files"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    FILES: [
        IndexModel(
            [("metadata.upload_id", ASCENDING), ("metadata.variant", ASCENDING)], unique=True
        ),
        IndexModel([("metadata.owner_id", ASCENDING), ("metadata.kind", ASCENDING)]),
    ],
    # GridFS's own indexes, declared here so they exist before the first upload.
    f"{BUCKET}.chunks": [IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)],
}


def _variant(document: Mapping[str, Any]) -> StoredVariant:
    metadata = document["metadata"]
    return StoredVariant(
        grid_id=document["_id"],
        upload_id=metadata["upload_id"],
        variant=metadata["variant"],
        kind=FileKind(metadata["kind"]),
        owner_id=metadata["owner_id"],
        visibility=Visibility(metadata["visibility"]),
        content_type=metadata["content_type"],
        sha256=metadata["sha256"],
        length=document["length"],
        download_name=metadata.get("download_name", ""),
        uploaded_at=document["uploadDate"],
    )


class FileRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._bucket = AsyncGridFSBucket(database, bucket_name=BUCKET)
        self._files = database[FILES]

    async def store(
        self, prepared: Prepared, owner_id: str, visibility: Visibility, now: datetime
    ) -> Upload:
        """Every size or none: a failure part-way deletes the sizes already written."""
        upload_id = ObjectId()
        written: list[ObjectId] = []
        try:
            for variant, (content_type, content) in prepared.variants.items():
                grid_id = ObjectId()
                await self._bucket.upload_from_stream_with_id(
                    grid_id,
                    f"{upload_id}/{variant}",
                    content,
                    metadata={
                        "upload_id": upload_id,
                        "variant": variant,
                        "kind": prepared.kind.value,
                        "owner_id": owner_id,
                        "visibility": visibility.value,
                        "content_type": content_type,
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "download_name": prepared.download_name,
                        "stored_at": now,
                    },
                )
                written.append(grid_id)
        except BaseException:
            for grid_id in written:
                await self._delete_quietly(grid_id)
            raise
        return Upload(
            id=upload_id,
            kind=prepared.kind,
            owner_id=owner_id,
            visibility=visibility,
            variants=list(prepared.variants),
        )

    async def find_variant(self, upload_id: ObjectId, variant: str) -> StoredVariant | None:
        document = await self._files.find_one(
            {"metadata.upload_id": upload_id, "metadata.variant": variant}
        )
        return None if document is None else _variant(document)

    async def read(self, variant: StoredVariant) -> ServedFile | None:
        try:
            stream = await self._bucket.open_download_stream(variant.grid_id)
        except NoFile:
            return None
        return ServedFile(variant=variant, content=await stream.read())

    async def set_visibility(self, upload_id: ObjectId, visibility: Visibility) -> int:
        result = await self._files.update_many(
            {"metadata.upload_id": upload_id}, {"$set": {"metadata.visibility": visibility.value}}
        )
        return result.matched_count

    async def delete_upload(self, upload_id: ObjectId) -> int:
        grid_ids = await self._files.distinct("_id", {"metadata.upload_id": upload_id})
        for grid_id in grid_ids:
            await self._delete_quietly(grid_id)
        return len(grid_ids)

    async def _delete_quietly(self, grid_id: ObjectId) -> None:
        with contextlib.suppress(NoFile):  # already gone: the goal of the delete is met
            await self._bucket.delete(grid_id)
