"""Every page reads in Bangla for a Bangla reader, apart from proper names and people's data.

The crawl walks the same page sets as the accessibility and visible-text crawls
(`tests/support/page_sets.py`), so a page added there is checked here too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.page_sets import ADMIN_PAGES, CAREGIVER_PAGES, PATIENT_PAGES, PUBLIC_PAGES
from tests.support.visible_text import visible_text

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]

# Pages whose templates are being put into Bangla beside this change; the merge empties it.
NOT_YET_CRAWLED: list[str] = []
# What the frame shows from other parts of the site (the care categories of the catalogue),
# being put into Bangla beside this change; the merge empties it.
NOT_YET_TRANSLATED_PHRASES: tuple[str, ...] = ()
# Names that stay as they are in every language, and the switch's own "English".
PROPER_NAMES = frozenset(
    {"Carevia", "Google", "WhatsApp", "Stripe", "bKash", "English", "NID", "CSRF"}
    # File formats are named as they are everywhere.
    | {"JPEG", "PNG", "PDF", "WebP", "GIF", "CSV"}
)
# Addresses, and a booking's code in the form people type it ("CV-AB12CD").
_EMAIL_OR_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|\S+\.example\b|(?<!\w)/[\w/.-]+|\bCV-\S*")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]|[A-Za-z]")


def english_words(html: str, own_data: frozenset[str] = frozenset()) -> list[str]:
    """Latin-script words a reader sees, less proper names and the person's own data."""
    text = _EMAIL_OR_ADDRESS.sub(" ", visible_text(html, translatable_only=True))
    for phrase in NOT_YET_TRANSLATED_PHRASES:
        text = text.replace(phrase, " ")
    allowed = PROPER_NAMES | own_data
    return [word for word in _WORD.findall(text) if word not in allowed]


async def english_on(
    client: Client, paths: list[str], own_data: frozenset[str]
) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = await client.get(path)
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        assert '<html lang="bn"' in response.text, path
        if words := english_words(response.text, own_data):
            found[path] = sorted(set(words))
    return found


async def test_the_public_pages_read_in_bangla(client: Client) -> None:
    client.cookies.set("lang", "bn")
    paths = [path for path in PUBLIC_PAGES if path not in NOT_YET_CRAWLED]
    found = await english_on(client, paths, frozenset())
    assert found == {}, "\n".join(f"{path}: {' '.join(words)}" for path, words in found.items())


async def test_the_account_pages_read_in_bangla(client: Client, make_user: UserFactory) -> None:
    user = await make_user("amina@example.com", language="bn")
    await log_in(client, "amina@example.com")  # the account's language becomes the cookie
    own_data = frozenset(
        _WORD.findall(" ".join([user.first_name, user.last_name, user.address, user.city]))
    )
    paths = ["/account", "/account/password", "/account/delete"]
    paths += [path for path in PATIENT_PAGES if path not in NOT_YET_CRAWLED]
    found = await english_on(client, paths, own_data)
    assert found == {}, "\n".join(f"{path}: {' '.join(words)}" for path, words in found.items())


async def people_named_in(database: Database) -> frozenset[str]:
    """Every stored person's name and place: data, shown as it was typed."""
    words: set[str] = set()
    async for user in database["users"].find({}, {"first_name": 1, "last_name": 1, "city": 1}):
        fields = (user.get("first_name"), user.get("last_name"), user.get("city"))
        named = _WORD.findall(" ".join(str(field) for field in fields if field))
        words.update(named)
        words.update(word[0] for word in named)  # the initial on a person's avatar
    # What caregivers wrote about themselves, shown as typed.
    async for caregiver in database["caregivers"].find({}):
        for field in ("bio", "languages", "certifications"):
            value = caregiver.get(field) or ""
            words.update(_WORD.findall(" ".join(value) if isinstance(value, list) else value))
    return frozenset(words)


async def test_the_dashboard_reads_in_bangla_for_an_admin_and_a_caregiver(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_user("admin@example.com", "admin", language="bn")
    await make_caregiver("shirin@example.com")
    await database["users"].update_one(
        {"email": "shirin@example.com"}, {"$set": {"language": "bn"}}
    )
    names = await people_named_in(database)
    found = {}
    for email, pages in (
        ("admin@example.com", ADMIN_PAGES),
        ("shirin@example.com", CAREGIVER_PAGES),
    ):
        client.cookies.clear()
        await log_in(client, email)
        found.update(await english_on(client, pages, names))
    assert found == {}, "\n".join(f"{path}: {' '.join(words)}" for path, words in found.items())
