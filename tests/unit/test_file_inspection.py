"""The content checks of uploads that need no database: hidden scripts and oversized pictures."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from carevia.domain.files import FileKind, initials_avatar
from carevia.domain.files.inspection import prepare
from carevia.domain.shared import Invalid
from tests.support.files import pdf_bytes


def compressed_stream(content: bytes) -> str:
    """A Flate stream object, its bytes carried one to one as latin-1 text."""
    packed = zlib.compress(content).decode("latin-1")
    return f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n{packed}\nendstream"


def test_a_script_hidden_in_a_compressed_stream_is_found() -> None:
    hidden = compressed_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    with pytest.raises(Invalid, match="scripts or automatic actions"):
        prepare(FileKind.APPLICANT_DOCUMENT, pdf_bytes(body=hidden))


def test_a_plain_compressed_page_is_accepted_as_sent() -> None:
    page = compressed_stream(b"BT /F1 12 Tf 20 100 Td (National ID card) Tj ET")
    content = pdf_bytes(body=page)
    assert b"National ID" not in content  # only the inflated stream says it
    prepared = prepare(FileKind.APPLICANT_DOCUMENT, content, "../../etc/passwd.pdf")
    assert prepared.variants == {"original": ("application/pdf", content)}
    assert prepared.download_name == "passwd.pdf"


def test_a_picture_with_too_many_pixels_is_refused_before_decoding() -> None:
    output = io.BytesIO()
    Image.new("1", (10_000, 7_000)).save(output, format="PNG")  # small file, 70 megapixels
    with pytest.raises(Invalid, match="too many pixels"):
        prepare(FileKind.SERVICE_IMAGE, output.getvalue())


def test_a_pdf_is_not_a_photo_and_an_empty_upload_asks_for_a_file() -> None:
    with pytest.raises(Invalid, match="not a PDF"):
        prepare(FileKind.CAREGIVER_PHOTO, pdf_bytes())
    with pytest.raises(Invalid, match="Choose a file"):
        prepare(FileKind.CAREGIVER_PHOTO, b"")


def test_an_avatar_is_the_same_for_the_same_id_and_escapes_its_text() -> None:
    first = initials_avatar("SA", "64b000000000000000000001")
    assert first == initials_avatar("SA", "64b000000000000000000001")
    assert "<&" not in initials_avatar("<&", "x")
    assert ">&lt;&amp;</text>" in initials_avatar("<&", "x")
