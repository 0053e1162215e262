"""Every Bangla character the catalogues use is drawn by the bundled Bengali font.

A browser takes a character from the web font only when the `@font-face` unicode-range names
it; any other falls to the visitor's own fonts, which on many phones have no Bangla at all and
draw an empty box (the full stop "।" did, before the range named it).
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "static" / "css" / "app.css"
CATALOGUES = ROOT / "src" / "carevia" / "locale" / "bn"


def bengali_font_ranges() -> list[tuple[int, int]]:
    faces = re.findall(r"@font-face\s*{([^}]*)}", CSS.read_text())
    bengali = [face for face in faces if '"Noto Sans Bengali"' in face]
    assert bengali, "app.css declares the Bengali font"
    ranges: list[tuple[int, int]] = []
    for face in bengali:
        declared = re.search(r"unicode-range:\s*([^;]+);", face)
        assert declared, "each face names its unicode-range"
        for part in declared.group(1).split(","):
            first, _, last = part.strip().removeprefix("U+").partition("-")
            ranges.append((int(first, 16), int(last or first, 16)))
    return ranges


def bangla_characters() -> set[str]:
    """The characters of the Indic blocks (Bengali, the dandas, joiners) in every msgstr."""
    found: set[str] = set()
    for path in CATALOGUES.glob("*.po"):
        with path.open("rb") as po_file:
            for message in read_po(po_file, locale="bn"):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    found |= {
                        c for c in text or "" if 0x0900 <= ord(c) <= 0x09FF or c in "\u200c\u200d"
                    }
    return found


def test_the_bengali_font_draws_every_bangla_character_in_the_catalogues() -> None:
    ranges = bengali_font_ranges()
    used = bangla_characters()
    assert "।" in used  # the catalogues end their sentences as Bangla does
    missing = sorted(c for c in used if not any(a <= ord(c) <= b for a, b in ranges))
    assert missing == [], [f"U+{ord(c):04X} {c}" for c in missing]
