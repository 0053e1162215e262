"""Words the domain says to people, kept translatable until the page or email is made.

A `Text` is the English sentence itself (so logs, JSON and tests read as before), and it
also remembers the catalogue entry it came from and the values put into it. The web layer
translates it into the reader's language when it is shown; Babel's extractor finds the
entries by the `Text(...)` and `Text.plural(...)` calls.
"""

from __future__ import annotations

from typing import Any


class Text(str):
    msgid: str
    plural_msgid: str | None
    number: int | None
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Text:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid = msgid
        text.plural_msgid = None
        text.number = None
        text.params = params
        return text

    @classmethod
    def plural(cls, singular: str, plural: str, count: int, /, **params: Any) -> Text:
        values = {"num": count, **params}
        text = super().__new__(cls, (singular if count == 1 else plural) % values)
        text.msgid = singular
        text.plural_msgid = plural
        text.number = count
        text.params = values
        return text
