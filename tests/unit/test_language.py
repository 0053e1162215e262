"""Which language a request is answered in, and how domain words are translated."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from carevia.domain.shared.language import local
from carevia.domain.shared.text import Text
from carevia.web.i18n import (
    COMPILED_NAME,
    CataloguesNotBuilt,
    compiled_catalogue,
    gettext,
    language_from,
    speaking,
    translate,
)

# The build step `make install` runs, loaded from its file as make runs it.
_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compile_catalogues.py"
_SPEC = importlib.util.spec_from_file_location("compile_catalogues", _SCRIPT)
assert _SPEC is not None and _SPEC.loader is not None
compile_catalogues = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(compile_catalogues)


@pytest.mark.parametrize(
    ("cookie", "accept_language", "expected"),
    [
        (None, None, "en"),
        (None, "bn-BD,bn;q=0.9,en;q=0.8", "bn"),
        (None, "en-GB,en;q=0.9,bn;q=0.8", "en"),
        (None, "fr-FR,bn;q=0.5,en;q=0.4", "bn"),
        (None, "bn;q=0,en;q=0.1", "en"),
        (None, "bn;q=oops", "en"),
        ("en", "bn", "en"),
        ("bn", "en", "bn"),
        ("xx", "bn", "bn"),
    ],
)
def test_the_visitors_choice_comes_before_the_browsers(
    cookie: str | None, accept_language: str | None, expected: str
) -> None:
    assert language_from(cookie, accept_language) == expected


def test_a_domain_text_reads_as_english_and_is_shown_in_the_readers_language() -> None:
    text = Text("Skip to content")
    assert text == "Skip to content"
    with speaking("bn"):
        assert translate(text) == gettext("Skip to content") != "Skip to content"
    with speaking("en"):
        assert translate(text) == "Skip to content"


def test_a_plural_text_keeps_its_count_and_values() -> None:
    assert Text.plural("%(num)d visit", "%(num)d visits", 1) == "1 visit"
    assert Text.plural("%(num)d visit", "%(num)d visits", 3) == "3 visits"
    assert translate(Text("Hello %(name)s", name="Rina")) == "Hello Rina"


def test_a_stored_field_is_shown_in_the_readers_language_when_it_has_one() -> None:
    service = {"name": "Elderly care", "name_bn": "বয়স্কদের সেবা", "summary": "At home"}
    with speaking("bn"):
        assert local(service, "name") == "বয়স্কদের সেবা"
        assert local(service, "summary") == "At home"
    with speaking("en"):
        assert local(service, "name") == "Elderly care"


def test_a_catalogue_not_compiled_or_older_than_its_sources_names_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "bn"  # a language's folder, as under locale/
    folder.mkdir()
    source = folder / "core.po"
    source.write_text('msgid "Help"\nmsgstr "সহায়তা"\n', encoding="utf-8")
    with pytest.raises(CataloguesNotBuilt, match="make install"):
        compiled_catalogue(folder)
    compile_catalogues.compile_language(folder)
    assert compiled_catalogue(folder).gettext("Help") == "সহায়তা"
    later = (folder / COMPILED_NAME).stat().st_mtime + 5
    os.utime(source, (later, later))
    with pytest.raises(CataloguesNotBuilt, match="make install"):
        compiled_catalogue(folder)
