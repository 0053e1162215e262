"""The Nu HTML Checker (npm `vnu-jar`) over many pages in one run.

The checker runs on Java and takes a second or two to start, so every page is saved to a
file and checked in one batch.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.application import ROOT

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# htmx and its SSE extension read their own attributes (hx-get, sse-connect); HTML does not
# know them. Only those messages are set aside, nothing else.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “(?:hx|sse)-[a-z:-]+” not allowed on element")


def java() -> str:
    found = shutil.which("java")
    if found is None:
        pytest.fail(
            "Java was not found. The HTML validity test runs the Nu HTML Checker (vnu.jar), "
            "which needs a Java runtime: install one with `apt-get install default-jre-headless` "
            "(Debian) or any JRE 11 or newer on PATH.",
            pytrace=False,
        )
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing; run `npm ci` (or `make install`).", pytrace=False)
    return found


def html_errors(pages: dict[str, str], directory: Path) -> list[str]:
    """Each error in `pages` (address -> HTML) as "address:line: message"."""
    files: dict[str, str] = {}
    for number, (address, html) in enumerate(pages.items()):
        path = directory / f"page-{number:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path)] = address
    checked = subprocess.run(
        [java(), "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    try:
        messages = json.loads(checked.stderr or checked.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(f"vnu gave no report: {checked.stderr[-2000:]}") from error
    errors = []
    for message in messages:
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        if HTMX_ATTRIBUTE.match(message.get("message", "")):
            continue
        url = str(message.get("url", ""))
        address = next((a for path, a in files.items() if url.endswith(Path(path).name)), url)
        line = message.get("lastLine", "?")
        extract = " ".join(str(message.get("extract", "")).split())
        errors.append(f"{address}:{line}: {message.get('message')}  [{extract}]")
    return errors
