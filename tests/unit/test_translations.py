"""No English reaches a Bangla reader by accident.

(a) Every message the code and templates ask for has a real Bangla translation: found with
Babel's own extractor and the settings in `babel.cfg`, looked up in `locale/bn/*.po`.
(b) No template shows English outside `{% trans %}` or `_()`: text between tags, the
attributes people read, and labels handed to the form widgets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import nodes

from carevia.settings import Settings
from carevia.web.templating import TEMPLATE_DIR, build_environment

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "carevia"
BANGLA = SOURCE / "locale" / "bn"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "Text": None, "Text.plural": (1, 2)}
# Templates of the parts of the site being put into Bangla beside this change; the merge
# empties it. The local stand-ins for Stripe and Google (dev/) are never translated.
NOT_YET_TRANSLATED: list[str] = []
NEVER_TRANSLATED = ("dev/",)
# Names that stay as they are in every language, and each language's own name in the switch.
PROPER_NAMES = frozenset(
    {"Carevia", "Google", "WhatsApp", "Stripe", "bKash", "English", "NID", "CSRF", "Bearer"}
)
# Arguments and variables that carry words to the page: a label, a hint, a button's text.
WORDING_NAMES = frozenset(
    {"label", "hint", "title", "placeholder", "legend", "heading", "button", "empty", "noun"}
)
BANGLA_PLURAL_FORMS = 2  # "Plural-Forms: nplurals=2" in every file
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sdif%]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+")
# Not words: a booking code as typed ("CV-AB12CD"), a path after an address put in by a
# value ("{{ base_url }}/dashboard/bookings"), attributes a macro writes into a tag.
_NOT_WORDS = re.compile(r"\bCV-[A-Z0-9…]*|(?:(?<=\0)|(?<=\s)|^)/[\w/.-]*|[\w:-]+=\"[^\"]*\"")


@cache
def bangla_entries() -> dict[str, list[tuple[str, Message]]]:
    """Each msgid with the `.po` files that translate it."""
    entries: dict[str, list[tuple[str, Message]]] = {}
    for path in sorted(BANGLA.glob("*.po")):
        with path.open("rb") as po_file:
            catalog: Catalog = read_po(po_file, locale="bn")
        for message in catalog:
            if message.id:
                key = message.id if isinstance(message.id, str) else message.id[0]
                entries.setdefault(key, []).append((path.name, message))
    return entries


@cache
def wanted() -> dict[str, tuple[str | tuple[str, ...], str]]:
    """Every message the source asks for, with where it is asked."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found: dict[str, tuple[str | tuple[str, ...], str]] = {}
    for filename, _, message, _, _ in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        strip_comment_tags=True,
        directory_filter=_searched,
    ):
        if any(filename.startswith(f"src/carevia/templates/{part}") for part in NEVER_TRANSLATED):
            continue
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, (message, filename))
    return found


def _searched(directory: str) -> bool:
    """Babel's default skips folders starting with "_", and with them `templates/_partials`."""
    name = Path(directory).name
    return not name.startswith(".") and name not in {"__pycache__", "node_modules"}


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def test_every_message_has_one_real_bangla_translation() -> None:
    problems = []
    for key, (message, filename) in sorted(wanted().items()):
        translations = bangla_entries().get(key)
        if not translations:
            problems.append(f"{filename}: no Bangla for {key!r}")
            continue
        strings = {str(entry.string) for _, entry in translations}
        if len(strings) > 1:
            names = ", ".join(name for name, _ in translations)
            problems.append(f"{names} disagree on {key!r}")
        for name, entry in translations:
            raw = entry.string
            forms = [str(form) for form in (raw if isinstance(raw, list | tuple) else [raw])]
            if entry.fuzzy or not all(forms):
                problems.append(f"{name}: {key!r} is fuzzy or empty")
            if isinstance(message, tuple) != isinstance(entry.id, tuple):
                problems.append(f"{name}: {key!r} is plural in one place only")
            elif isinstance(message, tuple) and len(forms) != BANGLA_PLURAL_FORMS:
                problems.append(f"{name}: {key!r} lacks a plural form")
            sources = message if isinstance(message, tuple) else (message,)
            expected = _placeholders(sources[-1])
            if any(_placeholders(form) != expected for form in forms):
                problems.append(f"{name}: {key!r} has other placeholders than its source")
    assert not problems, "\n".join(problems)


class _ShownText(HTMLParser):
    """The words a template writes itself: text, and the attributes people read."""

    READ = frozenset({"alt", "title", "placeholder", "aria-label"})
    HIDDEN = frozenset({"script", "style", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        self.shown += [value for name, value in attrs if name in self.READ and value]
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            self.shown.append(values.get("value") or "")
        if tag == "meta" and values.get("name") in {"description", "og:title", "og:description"}:
            self.shown.append(values.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.shown.append(data)


def _template_names() -> Iterator[str]:
    for path in sorted(TEMPLATE_DIR.rglob("*")):
        name = path.relative_to(TEMPLATE_DIR).as_posix()
        if path.suffix in {".html", ".txt", ".xml"} and not name.startswith(NEVER_TRANSLATED):
            yield name


def _own_words(template: nodes.Template, plain_text: bool) -> list[str]:
    # The template's own text in order, with `\0` wherever a value or a translation goes.
    skeleton = "".join(
        child.data if isinstance(child, nodes.TemplateData) else "\0"
        for output in template.find_all(nodes.Output)
        for child in output.nodes
    )
    # A tag whose name is a value (`<{{ heading }} id=...>`) is still a tag.
    skeleton = skeleton.replace("</\0", "</x-value").replace("<\0", "<x-value")
    if plain_text:
        shown = [skeleton]
    else:
        parser = _ShownText()
        parser.feed(skeleton)
        parser.close()
        shown = parser.shown
    return [
        word
        for text in shown
        for word in _WORD.findall(_NOT_WORDS.sub(" ", _ADDRESS.sub(" ", text)))
        if word not in PROPER_NAMES
    ]


def _wording_constants(template: nodes.Template) -> list[str]:
    """Plain English strings handed over as a label, a hint or a button's text."""
    found = []
    pairs: list[tuple[str, nodes.Node]] = [
        (keyword.key, keyword.value) for keyword in template.find_all(nodes.Keyword)
    ]
    pairs += [
        (getattr(assign.target, "name", ""), assign.node)
        for assign in template.find_all(nodes.Assign)
    ]
    for block in template.find_all(nodes.With):
        pairs += [
            (getattr(target, "name", ""), value)
            for target, value in zip(block.targets, block.values, strict=True)
        ]
    for name, given in pairs:
        if name in WORDING_NAMES and isinstance(given, nodes.Const):
            value = given.value
            if isinstance(value, str) and _WORD.search(value):
                found.append(f"{name}={value!r}")
    return found


@pytest.mark.parametrize(
    "name", [n for n in _template_names() if not n.startswith(tuple(NOT_YET_TRANSLATED))]
)
def test_a_template_shows_no_english_of_its_own(name: str) -> None:
    environment = build_environment(Settings(env="test"))
    source = (TEMPLATE_DIR / name).read_text()
    template = environment.parse(source, name)
    words = _own_words(template, plain_text=name.endswith(".txt"))
    assert not words and not _wording_constants(template), (words, _wording_constants(template))


def test_the_list_of_templates_still_in_english_is_kept_tidy() -> None:
    assert sorted(set(NOT_YET_TRANSLATED)) == NOT_YET_TRANSLATED
    names = list(_template_names())
    assert all(any(name.startswith(part) for name in names) for part in NOT_YET_TRANSLATED)
