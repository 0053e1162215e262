"""The reader's language: which one a request is in, and the words and catalogues for it.

The language is settled once per request by `choose_language`, the outermost middleware,
and kept in a context variable, so templates, error pages and emails made while answering
all read it without it being passed along. Catalogues are Babel `.po` files, one per part
of the site, under `carevia/locale/<language>/`.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Final, Literal, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from litestar.datastructures.headers import Headers
from litestar.types import ASGIApp, Receive, Scope, Send

from carevia.domain.shared.text import Text

Language = Literal["en", "bn"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "en"
LANGUAGE_COOKIE: Final = "lang"
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locale"

_language: ContextVar[Language] = ContextVar("language", default=DEFAULT_LANGUAGE)


def current_language() -> Language:
    return _language.get()


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Everything made inside is in `language` (an email to someone else, a test)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


@cache
def catalogue(language: Language) -> gettext_module.NullTranslations:
    """All of a language's `.po` files as one catalogue; English is the source text."""
    merged: gettext_module.NullTranslations = gettext_module.NullTranslations()
    for path in sorted((LOCALE_DIR / language).glob("*.po")):
        with path.open("rb") as po_file:
            entries = read_po(po_file, locale=language)
        compiled = BytesIO()
        write_mo(compiled, entries)
        compiled.seek(0)
        part = Translations(compiled)
        if isinstance(merged, Translations):
            merged.merge(part)
        else:
            merged = part
    return merged


def gettext(message: str) -> str:
    return catalogue(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return catalogue(current_language()).ngettext(singular, plural, count)


def translate(value: Any) -> Any:
    """A domain `Text` in the reader's language; anything else as it is."""
    if not isinstance(value, Text):
        return value
    if value.plural_msgid is not None and value.number is not None:
        words = ngettext(value.msgid, value.plural_msgid, value.number)
    else:
        words = gettext(value.msgid)
    if not value.params:
        return words
    # A value that is itself a Text (a label, a day's name) is in the reader's language too.
    return words % {name: translate(param) for name, param in value.params.items()}


def local(record: Any, field: str) -> Any:
    """A stored field in the reader's language: `name_bn` beside `name`, English when unset."""
    if current_language() != DEFAULT_LANGUAGE:
        translated = getattr(record, f"{field}_{current_language()}", None)
        if translated is None and isinstance(record, dict):
            translated = record.get(f"{field}_{current_language()}")
        if translated:
            return translated
    return record.get(field) if isinstance(record, dict) else getattr(record, field)


def language_from(cookie: str | None, accept_language: str | None) -> Language:
    """The visitor's own choice first, then the browser's, then English."""
    for language in LANGUAGES:
        if cookie == language:
            return language
    return _preferred(accept_language or "")


def _preferred(accept_language: str) -> Language:
    ranked: list[tuple[float, int, Language]] = []
    for position, item in enumerate(accept_language.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        for language in LANGUAGES:
            if primary == language and quality > 0:
                ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def choose_language() -> Callable[[ASGIApp], ASGIApp]:
    """The outermost middleware: settle the request's language before anything renders."""

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            headers = Headers.from_scope(scope)
            cookie = _cookie(headers.get("cookie", ""), LANGUAGE_COOKIE)
            token = _language.set(language_from(cookie, headers.get("accept-language")))
            try:
                await app(scope, receive, send)
            finally:
                _language.reset(token)

        return middleware

    return middleware_factory


def _cookie(header: str, name: str) -> str | None:
    for pair in header.split(";"):
        key, _, value = pair.strip().partition("=")
        if key == name:
            return value
    return None
