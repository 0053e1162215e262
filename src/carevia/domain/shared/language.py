"""Which language the current answer, email or export is in, and how numbers read in it.

The web layer settles the language per request (`carevia.web.i18n.choose_language`); the
domain reads it here, so the money, date and number formats used by pages and emails alike
follow the reader without a language being passed through every call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, Final, Literal, get_args

from babel import Locale
from babel.numbers import format_decimal

Language = Literal["en", "bn"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "en"

_language: ContextVar[Language] = ContextVar("language", default=DEFAULT_LANGUAGE)

# Babel keeps Bengali digits out of its number formats (CLDR's "latn" system), so digits are
# swapped after formatting; English keeps the Latin ones.
_BENGALI_DIGITS: Final = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
# Bangladesh groups by lakh and crore (1,23,450) in both languages.
_GROUPED: Final = "#,##,##0.##"


def current_language() -> Language:
    return _language.get()


def as_language(value: object) -> Language:
    """A known language code, English for anything else."""
    return next((language for language in LANGUAGES if value == language), DEFAULT_LANGUAGE)


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Everything made inside is in `language` (an email to someone else, a test)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


@cache
def babel_locale(language: Language) -> Locale:
    """Parsed once per process: Babel's locale data is slow to load."""
    return Locale.parse(language)


def digits(text: str, language: Language | None = None) -> str:
    """Latin digits in English, Bengali digits (০-৯) in Bangla."""
    if (language or current_language()) == "bn":
        return text.translate(_BENGALI_DIGITS)
    return text


def format_number(value: int | float, language: Language | None = None) -> str:
    """A count or amount as the reader writes it: 1,23,450 or ১,২৩,৪৫০."""
    spoken = language or current_language()
    text = format_decimal(value, format=_GROUPED, locale=babel_locale(spoken))
    return digits(text, spoken)


def local(record: Any, field: str) -> Any:
    """A stored field in the reader's language: `name_bn` beside `name`, English when unset."""
    if current_language() != DEFAULT_LANGUAGE:
        translated = getattr(record, f"{field}_{current_language()}", None)
        if translated is None and isinstance(record, dict):
            translated = record.get(f"{field}_{current_language()}")
        if translated:
            return translated
    return record.get(field) if isinstance(record, dict) else getattr(record, field)
