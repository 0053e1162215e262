"""The reader's language: which one a request is in, and the words and catalogues for it.

The language is settled once per request by `choose_language`, the outermost middleware,
and kept in a context variable, so templates, error pages and emails made while answering
all read it without it being passed along. Catalogues are Babel `.po` files, one per part
of the site, under `carevia/locale/<language>/`.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl

from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.datastructures import Cookie
from litestar.datastructures.headers import Headers
from litestar.types import ASGIApp, Receive, Scope, Send
from markupsafe import Markup

from carevia.domain.shared.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    current_language,
    digits,
    speaking,
)
from carevia.domain.shared.text import Text
from carevia.settings import Settings
from carevia.web.requests import cookies_in

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Language",
    "current_language",
    "speaking",
]

LANGUAGE_COOKIE: Final = "lang"
LANGUAGE_COOKIE_DAYS: Final = 365
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locale"


COMPILED_NAME: Final = "carevia.mo"


class CataloguesNotBuilt(RuntimeError):
    """The `.mo` files are made by the build, like the npm assets."""


@cache
def catalogue(language: Language) -> gettext_module.NullTranslations:
    """A language's compiled catalogue (all its `.po` files in one); English is the source."""
    if language == DEFAULT_LANGUAGE:
        return gettext_module.NullTranslations()
    return compiled_catalogue(LOCALE_DIR / language)


def compiled_catalogue(directory: Path) -> Translations:
    """The `.mo` that `make install` compiled from the `.po` files beside it."""
    compiled = directory / COMPILED_NAME
    sources = list(directory.glob("*.po"))
    if not compiled.exists():
        raise CataloguesNotBuilt(f"{compiled} is missing: run `make install` to compile it.")
    if any(source.stat().st_mtime > compiled.stat().st_mtime for source in sources):
        raise CataloguesNotBuilt(f"{compiled} is older than its .po files: run `make install`.")
    with compiled.open("rb") as mo_file:
        return Translations(mo_file)


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
    return _filled(words, value.params)


# A number's field, such as `%(num)d` or `%(size).1f`: written as its format says, then in
# the reader's digits, so it goes into the sentence as text.
_NUMBER_FIELD = re.compile(r"%\((\w+)\)([-+ 0#]*\d*(?:\.\d+)?)([dif])")


def _filled(words: str, values: Mapping[str, Any]) -> str:
    def written(field: re.Match[str]) -> str:
        name, spec, kind = field.groups()
        value = values.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return digits(f"%{spec}{kind}" % value)
        return field.group(0)

    sentence = _NUMBER_FIELD.sub(written, words)
    if isinstance(words, Markup):
        # Still our own catalogue text: the values put into it are escaped, as Jinja does.
        sentence = Markup(sentence)  # noqa: S704
    return sentence % _shown(values)


def _shown(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values put into a sentence: numbers in the reader's digits, domain `Text` translated.

    Digits only, never grouping: a year or a reference is a number too. A count that wants
    grouping goes through the `number` filter first.
    """
    return {
        name: digits(str(value))
        if isinstance(value, int | float) and not isinstance(value, bool)
        else translate(value)
        for name, value in values.items()
    }


@pass_context
def template_gettext(context: Context, message: str, /, **variables: Any) -> str:
    """`_()` and `{% trans %}` in templates: Jinja's newstyle gettext, numbers localised."""
    words = gettext(message)
    if context.eval_ctx.autoescape:
        words = Markup(words)  # noqa: S704  -- our own catalogue text, as Jinja does
    return _filled(words, variables)


@pass_context
def template_ngettext(
    context: Context, singular: str, plural: str, number: int, /, **variables: Any
) -> str:
    """`{% trans count=n %}...{% pluralize %}` in templates, with `num` as Jinja gives it."""
    variables.setdefault("num", number)
    words = ngettext(singular, plural, number)
    if context.eval_ctx.autoescape:
        words = Markup(words)  # noqa: S704  -- our own catalogue text, as Jinja does
    return _filled(words, variables)


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
    """The outermost middleware: settle the request's language before anything renders.

    `?lang=bn` or `?lang=en` on the address wins, so each language has its own address for
    links and search engines; then the visitor's cookie, then the browser's languages.
    """

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            headers = Headers.from_scope(scope)
            asked = _query_language(scope.get("query_string", b""))
            cookie = cookies_in(headers.get("cookie", "")).get(LANGUAGE_COOKIE)
            with speaking(asked or language_from(cookie, headers.get("accept-language"))):
                await app(scope, receive, send)

        return middleware

    return middleware_factory


def language_cookie(settings: Settings, language: Language) -> Cookie:
    return Cookie(
        key=LANGUAGE_COOKIE,
        value=language,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
    )


def _query_language(query_string: bytes) -> Language | None:
    for key, value in parse_qsl(query_string.decode("latin-1")):
        if key == "lang":
            return next((language for language in LANGUAGES if value == language), None)
    return None
