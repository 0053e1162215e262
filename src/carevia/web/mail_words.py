"""The site's catalogues, handed to the mail renderer so each email speaks its reader's language."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from carevia.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    current_language,
    gettext,
    ngettext,
    speaking,
    translate,
)


class CatalogueWords:
    """`MailWords` from the `.po` catalogues; an unknown language falls back to English."""

    def speaking(self, language: str) -> AbstractContextManager[None]:
        for known in LANGUAGES:
            if known == language:
                return speaking(known)
        return speaking(DEFAULT_LANGUAGE)

    def current(self) -> str:
        return current_language()

    def gettext(self, message: str) -> str:
        return gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return ngettext(singular, plural, count)

    def translate(self, value: Any) -> Any:
        return translate(value)
