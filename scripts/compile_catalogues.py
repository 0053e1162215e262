"""Compile each language's `.po` files under src/carevia/locale/<language>/ into one `.mo`.

Run by `make install`, as the npm assets are built; the `.mo` files are not committed.
Usage: compile_catalogues.py <language directory>...
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

COMPILED_NAME = "carevia.mo"


def compile_language(directory: Path) -> Path:
    merged: Catalog | None = None
    for source in sorted(directory.glob("*.po")):
        with source.open("rb") as po_file:
            part = read_po(po_file, locale=directory.name)
        if merged is None:
            merged = part
            continue
        for message in part:
            if message.id:
                merged[message.id] = message
    if merged is None:
        raise SystemExit(f"{directory} holds no .po file")
    target = directory / COMPILED_NAME
    scratch = target.with_suffix(".mo.tmp")
    with scratch.open("wb") as mo_file:
        write_mo(mo_file, merged)
    os.replace(scratch, target)  # parallel test workers never read half a file
    return target


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"compiled {compile_language(Path(name))}")
