from carevia.domain.files.avatars import initials_avatar
from carevia.domain.files.models import (
    IMAGE_LIMIT,
    PDF_LIMIT,
    UPLOAD_BODY_LIMIT,
    FileKind,
    ServedFile,
    Upload,
    Visibility,
    document_url,
    image_url,
)
from carevia.domain.files.photos import CaregiverPhotos
from carevia.domain.files.repository import INDEXES, FileRepository
from carevia.domain.files.service import FileService

__all__ = [
    "IMAGE_LIMIT",
    "INDEXES",
    "PDF_LIMIT",
    "UPLOAD_BODY_LIMIT",
    "CaregiverPhotos",
    "FileKind",
    "FileRepository",
    "FileService",
    "ServedFile",
    "Upload",
    "Visibility",
    "document_url",
    "image_url",
    "initials_avatar",
]
