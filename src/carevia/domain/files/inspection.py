"""What an uploaded file really is, judged from its bytes alone, and its safe re-encoding.

The file name is never trusted: a PNG named `photo.exe` is a PNG, and a text file named
`photo.png` is refused. The rules, in order:

- **Size.** Pictures up to 5 MB, PDFs up to 10 MB; checked before anything is decoded.
- **Pictures** (JPEG, PNG, WebP or GIF, as Pillow reads them) are always re-encoded: what is
  stored is fresh WebP that Pillow wrote, in two sizes, with no EXIF, GPS or other metadata,
  so nothing of the uploaded bytes but the pixels is ever served.
- **PDFs** are stored as sent, so they must start with `%PDF-`, end with `%%EOF`, and name no
  active content (`/JavaScript`, `/JS`, `/OpenAction`, `/AA`, `/Launch`, `/EmbeddedFile`,
  `/RichMedia`, `/XFA`), in the plain file or inside any compressed stream, with `#xx` name
  escapes undone first.
- **Polyglots are refused**, whatever else they are: a file that a ZIP reader would open (an
  end-of-central-directory record in its last 64 KB), or that holds HTML or script openers
  (`<html`, `<script`, `<?php`, `<!doctype`, `<iframe`, `<svg`, `<body`) in its first kilobyte,
  where browsers sniff, or `<script`/`<?php` anywhere. A PNG with bytes after its `IEND`
  chunk is refused too: those bytes are a second file.
"""

from __future__ import annotations

import io
import re
import warnings
import zlib

from PIL import Image, ImageOps, UnidentifiedImageError

from carevia.domain.files.models import (
    DOCUMENT_VARIANT,
    IMAGE_LIMIT,
    IMAGE_SIZES,
    MEGABYTE,
    PDF_LIMIT,
    FileKind,
    Prepared,
)
from carevia.domain.shared import Invalid
from carevia.domain.shared.text import Text

PICTURE_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
# A photo from a phone is about 12-50 megapixels; far more is a decompression bomb.
MAX_PIXELS = 60_000_000
WEBP_QUALITY = 82
STORED_TYPE = "image/webp"
PDF_TYPE = "application/pdf"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
_ZIP_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP_TAIL = 64 * 1024 + 22
_SNIFFED_HEAD = 1024
_HEAD_MARKERS = re.compile(rb"<(?:html|script|\?php|!doctype|iframe|svg|body)", re.IGNORECASE)
_ANYWHERE_MARKERS = re.compile(rb"<(?:script|\?php)", re.IGNORECASE)
_ACTIVE_PDF_NAMES = re.compile(
    rb"/(?:JavaScript|JS|OpenAction|AA|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Inflating a stream stops here: a small PDF cannot hide a gigabyte of zeros from the check.
_MAX_INFLATED = 4 * PDF_LIMIT

ALLOWED: dict[FileKind, tuple[str, ...]] = {
    FileKind.CAREGIVER_PHOTO: ("picture",),
    FileKind.SERVICE_IMAGE: ("picture",),
    FileKind.APPLICANT_DOCUMENT: ("picture", "pdf"),
}


def refuse(message: str) -> Invalid:
    return Invalid({"file": message}, message)


def prepare(kind: FileKind, content: bytes, file_name: str = "") -> Prepared:
    """The bytes to store for an upload of `kind`, or `Invalid` saying what is wrong."""
    if not content:
        raise refuse(Text("Choose a file to upload."))
    allowed = ALLOWED[kind]
    is_pdf = content.startswith(b"%PDF-")
    limit = PDF_LIMIT if is_pdf and "pdf" in allowed else IMAGE_LIMIT
    if len(content) > limit:
        raise refuse(
            Text(
                "The file is %(size).1f MB; the limit is %(limit)d MB.",
                size=len(content) / MEGABYTE,
                limit=limit // MEGABYTE,
            )
        )
    _refuse_polyglot(content)
    if is_pdf:
        if "pdf" not in allowed:
            raise refuse("Upload a picture (JPEG, PNG, WebP or GIF), not a PDF.")
        _check_pdf(content)
        return Prepared(
            kind=kind,
            variants={DOCUMENT_VARIANT: (PDF_TYPE, content)},
            download_name=_download_name(file_name, "pdf"),
        )
    picture = _open_picture(content, allowed)
    if kind is FileKind.APPLICANT_DOCUMENT:
        variants = {DOCUMENT_VARIANT: (STORED_TYPE, _encode(picture, 2048))}
    else:
        variants = {
            name: (STORED_TYPE, _encode(picture, side)) for name, side in IMAGE_SIZES.items()
        }
    return Prepared(kind=kind, variants=variants, download_name=_download_name(file_name, "webp"))


def _refuse_polyglot(content: bytes) -> None:
    message = "This file also carries another kind of file (a web page, script or archive)."
    if _ZIP_END_OF_DIRECTORY in content[-_ZIP_TAIL:]:
        raise refuse(message)
    if _HEAD_MARKERS.search(content[:_SNIFFED_HEAD]) or _ANYWHERE_MARKERS.search(content):
        raise refuse(message)
    if content.startswith(_PNG_SIGNATURE):
        end = content.find(_PNG_END)
        if end != -1 and content[end + len(_PNG_END) :].strip(b"\x00"):
            raise refuse(message)


def _open_picture(content: bytes, allowed: tuple[str, ...]) -> Image.Image:
    unknown = (
        Text("This file is not a picture we can read (JPEG, PNG, WebP or GIF).")
        if "pdf" not in allowed
        else "This file is neither a PDF nor a picture we can read (JPEG, PNG, WebP or GIF)."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(content))
            if picture.format not in PICTURE_FORMATS:
                raise refuse(unknown)
            if picture.width * picture.height > MAX_PIXELS:
                raise refuse(Text("The picture has too many pixels; 60 megapixels is the most."))
            picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise refuse(unknown) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(Text("The picture has too many pixels; 60 megapixels is the most.")) from None
    return picture


def _encode(picture: Image.Image, longest_side: int) -> bytes:
    """Fresh WebP bytes of the upright picture, with no metadata at all."""
    upright = ImageOps.exif_transpose(picture)
    frame = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    clean = Image.new(frame.mode, frame.size)
    clean.paste(frame)  # pixels only: no info, EXIF, ICC or XMP travels across
    clean.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    clean.save(output, format="WEBP", quality=WEBP_QUALITY, method=4)
    return output.getvalue()


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-2048:]:
        raise refuse(Text("This PDF is incomplete or damaged."))
    for part in (content, *_inflated_streams(content)):
        names = _PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), part)
        if _ACTIVE_PDF_NAMES.search(names):
            raise refuse(
                Text("This PDF contains scripts or automatic actions; save it without them.")
            )


def _inflated_streams(content: bytes) -> list[bytes]:
    inflated: list[bytes] = []
    budget = _MAX_INFLATED
    for match in _PDF_STREAM.finditer(content):
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate: kept as is, and the plain scan saw it
        if inflater.unconsumed_tail:
            raise refuse(Text("This PDF is too large once unpacked."))
        budget -= len(data)
        inflated.append(data)
    return inflated


def _download_name(file_name: str, extension: str) -> str:
    """A safe name for the download: letters, digits, dashes; the extension is what we store."""
    stem = file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or "document"
    return f"{safe}.{extension}"
