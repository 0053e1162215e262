"""Serving stored files: public pictures cached for a year, private documents never cached."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from carevia.domain.accounts import User
from carevia.domain.files import CaregiverPhotos, FileService, ServedFile, Visibility
from carevia.web.guards import current_user, require_role, require_user
from carevia.web.requests import client_ip

# An upload's bytes never change under its id, so a cache may keep them for good.
PUBLIC_FOREVER = "public, max-age=31536000, immutable"
# A pending photo is shown only to its owner and admins: nothing may keep it.
NOT_STORED = "private, no-store"
# A document shown inside the admin's review page loads nothing and runs nothing, and only
# this site's own pages may frame it. A picture is sandboxed too; a PDF is not, because
# Chromium refuses to show a PDF in a sandbox, and its upload was checked for scripts,
# automatic actions and embedded files already.
INLINE_DOCUMENT_POLICY = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
PDF_TYPE = "application/pdf"
# An avatar follows the caregiver's name, so it is kept a day and checked by its ETag.
AVATAR_CACHE = "public, max-age=86400"


def _if_none_match(request: Request[Any, Any, Any], etag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    return any(tag.strip() in (etag, "*") for tag in wanted.split(","))


def _picture(
    request: Request[Any, Any, Any], content: bytes, media_type: str, etag: str, cache: str
) -> Response[bytes]:
    headers = {"ETag": etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if _if_none_match(request, etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)


class FileController(Controller):
    include_in_schema = False

    @get("/files/{image_id:str}/{size:str}", name="files.image")
    async def image(
        self,
        request: Request[Any, Any, Any],
        files: NamedDependency[FileService],
        image_id: FromPath[str],
        size: FromPath[str],
    ) -> Response[bytes]:
        served: ServedFile = await files.open_image(image_id, size, current_user(request))
        public = served.variant.visibility is Visibility.PUBLIC
        return _picture(
            request,
            served.content,
            served.variant.content_type,
            served.variant.etag,
            PUBLIC_FOREVER if public else NOT_STORED,
        )

    @get("/avatars/{caregiver_id:str}", name="files.avatar")
    async def avatar(
        self,
        request: Request[Any, Any, Any],
        caregiver_photos: NamedDependency[CaregiverPhotos],
        caregiver_id: FromPath[str],
    ) -> Response[bytes]:
        svg = (await caregiver_photos.avatar(caregiver_id)).encode()
        etag = f'"{hashlib.sha256(svg).hexdigest()}"'
        return _picture(request, svg, "image/svg+xml", etag, AVATAR_CACHE)

    @get("/documents/{document_id:str}", name="files.document", guards=[require_user])
    async def document(
        self,
        request: Request[User, Any, Any],
        files: NamedDependency[FileService],
        document_id: FromPath[str],
    ) -> Response[bytes]:
        served = await files.open_document(document_id, request.user, client_ip(request))
        name = served.variant.download_name or "document"
        return Response(
            served.content,
            media_type=served.variant.content_type,
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": f'attachment; filename="{name}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get(
        "/documents/{document_id:str}/inline",
        name="files.document.inline",
        guards=[require_role("admin")],
    )
    async def document_inline(
        self,
        request: Request[User, Any, Any],
        files: NamedDependency[FileService],
        document_id: FromPath[str],
    ) -> Response[bytes]:
        """The same private document shown in place for an admin; each view is audited."""
        served = await files.open_document(document_id, request.user, client_ip(request))
        return Response(
            served.content,
            media_type=served.variant.content_type,
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": "inline",
                "Content-Security-Policy": INLINE_DOCUMENT_POLICY
                + ("" if served.variant.content_type == PDF_TYPE else "; sandbox"),
                "X-Frame-Options": "SAMEORIGIN",
                "X-Content-Type-Options": "nosniff",
            },
        )
