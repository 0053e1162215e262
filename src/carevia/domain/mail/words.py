"""The words an email is written in: the catalogues belong to the web layer, which hands them in.

The mail renderer only needs to switch to the recipient's language while it renders, look
words up, and turn a domain `Text` into that language; `MailWords` is that much and no more,
so the domain never imports the web. `English` is what a renderer uses when nothing is wired
(a script, a unit test): the templates' own words.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any, Final, Protocol

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

DEFAULT_MAIL_LANGUAGE: Final = "en"


class MailWords(Protocol):
    def speaking(self, language: str) -> AbstractContextManager[None]: ...

    def current(self) -> str: ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, count: int) -> str: ...

    def translate(self, value: Any) -> Any: ...


class RecipientLanguages(Protocol):
    """Which language an account reads: None for an address or id without an account."""

    async def language_of(
        self,
        *,
        email: str | None = None,
        user_id: ObjectId | None = None,
        session: AsyncClientSession | None = None,
    ) -> str | None: ...


class English:
    def speaking(self, language: str) -> AbstractContextManager[None]:
        return nullcontext()

    def current(self) -> str:
        return DEFAULT_MAIL_LANGUAGE

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return singular if count == 1 else plural

    def translate(self, value: Any) -> Any:
        return value
