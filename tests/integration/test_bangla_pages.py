"""Every page reads in Bangla for a Bangla reader, apart from proper names and people's data.

The crawl walks the same page sets as the accessibility and visible-text crawls
(`tests/support/page_sets.py`), so a page added there is checked here too.
"""

from __future__ import annotations

import re

import pytest

from carevia.domain.catalogue import CATEGORY_LABELS
from tests.support.accounts import Client, UserFactory, log_in
from tests.support.page_sets import PATIENT_PAGES, PUBLIC_PAGES
from tests.support.visible_text import visible_text

pytestmark = pytest.mark.usefixtures("seeded")

# Pages whose templates are being put into Bangla beside this change; the merge empties it.
NOT_YET_CRAWLED = [
    "/",  # its featured service cards
    "/account/bookings",
    "/account/people",
    "/account/people/new",
    "/account/waitlist",
    "/become-a-caregiver",
    "/caregivers",
    "/caregivers?category=elderly-care&division=Dhaka&sort=experience",
    "/services",
    "/services/infant-day-care/book",
    "/services/infant-day-care/book/weekly",
    "/services/newborn-night-nanny",
    "/services?category=elderly-care&division=Dhaka",
]
# What the frame shows from other parts of the site (the care categories of the catalogue),
# being put into Bangla beside this change; the merge empties it.
NOT_YET_TRANSLATED_PHRASES: tuple[str, ...] = tuple(CATEGORY_LABELS.values())
# Names that stay as they are in every language, and the switch's own "English".
PROPER_NAMES = frozenset(
    {"Carevia", "Google", "WhatsApp", "Stripe", "bKash", "English", "NID", "CSRF"}
)
_EMAIL_OR_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|\S+\.example\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]|[A-Za-z]")


def english_words(html: str, own_data: frozenset[str] = frozenset()) -> list[str]:
    """Latin-script words a reader sees, less proper names and the person's own data."""
    text = _EMAIL_OR_ADDRESS.sub(" ", visible_text(html))
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
