"""Every character Bangla text is written with is drawn by the Bengali face the site loads."""

from __future__ import annotations

import re
from pathlib import Path

APP_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"
# The danda ends every Bangla sentence; it sits in the Devanagari block, shared by both scripts.
# The joiners shape conjuncts. The Bengali subset of the font carries all of them.
BANGLA_OUTSIDE_ITS_BLOCK = {"।": 0x0964, "॥": 0x0965, "ZWNJ": 0x200C, "ZWJ": 0x200D}


def covered(unicode_range: str) -> set[int]:
    points: set[int] = set()
    for part in unicode_range.split(","):
        first, _, last = part.strip().removeprefix("U+").partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


def test_the_bengali_face_covers_the_danda_and_the_joiners() -> None:
    faces = re.findall(
        r'@font-face\s*{[^}]*font-family:\s*"Noto Sans Bengali"[^}]*unicode-range:\s*([^;]+);',
        APP_CSS.read_text(),
    )
    assert len(faces) == 2, "a regular and a bold face"
    for unicode_range in faces:
        assert set(BANGLA_OUTSIDE_ITS_BLOCK.values()) <= covered(unicode_range)
        assert ord("ক") in covered(unicode_range) and ord("৳") in covered(unicode_range)
