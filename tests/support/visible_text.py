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

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden_depth += 1
        # Values people read without them being text: placeholders, filled-in inputs,
        # alternative texts and titles. Hidden inputs (CSRF tokens) are nobody's reading.
        if tag == "input" and dict(attrs).get("type") == "hidden":
            return
        for name, value in attrs:
            # A button's or an option's `value` is what the form sends, not what it shows.
            if name == "value" and tag != "input":
                continue
            if name in {"placeholder", "value", "alt", "title", "aria-label"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join(" ".join(collector.parts).split())


def leaks_in(html: str) -> list[str]:
    """Each leaked word or phrase, with a little of the text around it."""
    text = visible_text(html)
    return [text[max(m.start() - 40, 0) : m.end() + 40] for m in LEAKS.finditer(text)]
