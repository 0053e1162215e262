"""What a person reads on a page: its text without markup, scripts or styles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words and phrases that only ever reach a page from code: an empty value printed as is,
# or a framework's validation message shown instead of a sentence.
LEAKS = re.compile(
    r"\b(?:None|null|undefined|NaN)\b|Expected `|got `\w+`|Validation failed|msgspec|"
    r"Object missing required field|Invalid enum value|Traceback",
)


class _TextCollector(HTMLParser):
    HIDDEN = frozenset({"script", "style", "template", "noscript"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})

    def __init__(self, translatable_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0
        self._translatable_only = translatable_only
        self._untranslated_depth = 0  # open elements inside one marked `translate="no"`

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        untranslated = self._untranslated_depth or ("translate", "no") in attrs
        if self._translatable_only and tag not in self.VOID and untranslated:
            self._untranslated_depth += 1
        if self._untranslated_depth:
            return
        if tag in self.HIDDEN:
            self._hidden_depth += 1
        # Values people read without them being text: placeholders, filled-in inputs,
        # alternative texts and titles. Hidden inputs (CSRF tokens) are nobody's reading.
        kind = dict(attrs).get("type") if tag == "input" else None
        if kind == "hidden":
            return
        for name, value in attrs:
            # A button's, an option's, a radio's or a box's `value` is what the form sends,
            # not what it shows.
            if name == "value" and (tag != "input" or kind in {"radio", "checkbox"}):
                continue
            if name in {"placeholder", "value", "alt", "title", "aria-label"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._untranslated_depth:
            self._untranslated_depth -= 1
            return
        if tag in self.HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth and not self._untranslated_depth:
            self.parts.append(data)


def visible_text(html: str, *, translatable_only: bool = False) -> str:
    """The page's text; with `translatable_only`, less what is marked `translate="no"` (records
    shown as stored, such as an audit entry's details)."""
    collector = _TextCollector(translatable_only)
    collector.feed(html)
    collector.close()
    return " ".join(" ".join(collector.parts).split())


def leaks_in(html: str) -> list[str]:
    """Each leaked word or phrase, with a little of the text around it."""
    text = visible_text(html)
    return [text[max(m.start() - 40, 0) : m.end() + 40] for m in LEAKS.finditer(text)]
