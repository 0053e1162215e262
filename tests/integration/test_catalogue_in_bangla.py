"""The catalogue in Bangla: stored Bangla content, translated pages, search in either language."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.caregivers.seed import demo_caregivers, seed_caregivers
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.catalogue.seed import seed_catalogue
from carevia.domain.coverage import DIVISION_NAMES
from tests.support.accounts import DEFAULT_PASSWORD
from tests.support.visible_text import visible_text

pytestmark = pytest.mark.usefixtures("seeded")

Client = AsyncTestClient[Litestar]
Database = AsyncDatabase[dict[str, Any]]

# Latin words a Bangla catalogue page may still show: the site's and people's names and
# the words the frame's own widgets and formats print (result counts, the pager, dates),
# which are translated with the frame.
NAMES = {"Carevia", "BLS", *DIVISION_NAMES}
FRAME_WORDS = {"of", "services", "service", "caregivers", "caregiver", "Next", "Previous"}
FRAME_WORDS |= {"Page", "Pages", "Loading", "found", "No"}
MONTHS_AND_DAYS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"}
MONTHS_AND_DAYS |= {"Nov", "Dec", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
MONTHS_AND_DAYS |= {"AM", "PM", "am", "pm"}
# A choice's value is what the form sends, not what anyone reads.
CHOICE_VALUE = re.compile(r'(<(?:option|input type="(?:checkbox|radio)")\b[^>]*?) value="[^"]*"')


def main_text(html: str) -> str:
    main = re.search(r"<main\b.*?</main>", html, re.S)
    assert main is not None
    return visible_text(CHOICE_VALUE.sub(r"\1", main.group(0)))


def english_words(html: str, names: set[str]) -> set[str]:
    words = set(re.findall(r"[A-Za-z]{2,}", main_text(html)))
    return words - NAMES - FRAME_WORDS - MONTHS_AND_DAYS - names


@pytest.fixture
async def caregiver_names(database: Database) -> set[str]:
    await seed_caregivers(database, datetime.now(UTC), DEFAULT_PASSWORD)
    return {part for entry in demo_caregivers() for part in entry.display_name.split()}


async def in_bangla(client: Client, url: str) -> str:
    client.cookies.set("lang", "bn")
    response = await client.get(url)
    assert response.status_code == 200, url
    assert '<html lang="bn"' in response.text
    return response.text


async def test_catalogue_pages_read_in_bangla_from_the_stored_bangla(
    client: Client, database: Database, caregiver_names: set[str]
) -> None:
    service = await database["services"].find_one({"slug": "newborn-night-nanny"})
    shirin = await database["caregivers"].find_one({"display_name": "Shirin Akhter"})
    assert service is not None and shirin is not None
    pages = {
        "/services": ["বাড়িতে যত্নের সেবা", "নবজাতকের রাতের ন্যানি", "ফিল্টার প্রয়োগ করুন"],
        "/services?category=elderly-care&sort=price_asc": ["প্রবীণদের সঙ্গী সেবা"],
        "/services/newborn-night-nanny": [
            service["name_bn"],
            service["description_bn"].split("\n\n")[0],
            service["highlights_bn"][0],
            "এই সেবা সম্পর্কে",
            "রাত ৮টা–সকাল ৮টা",
            "নবজাতকের যত্নের প্রশিক্ষণ",
        ],
        "/caregivers": ["কেয়ারগিভার", "যেকোনো ভাষা"],
        f"/caregivers/{shirin['_id']}": [shirin["bio_bn"], "সাপ্তাহিক সূচি", "শনিবার"],
        "/become-a-caregiver": ["কেয়ারগিভার হোন", "যেভাবে কাজ করে"],
    }
    for url, phrases in pages.items():
        html = await in_bangla(client, url)
        text = main_text(html)
        for phrase in phrases:
            assert phrase in text, (url, phrase)
        assert english_words(html, caregiver_names) == set(), url


async def test_english_pages_stay_english(client: Client) -> None:
    response = await client.get("/services/newborn-night-nanny")
    text = main_text(response.text)
    assert '<html lang="en"' in response.text
    assert "Newborn Night Nanny" in text and "About this service" in text
    assert "নবজাতক" not in text


async def test_search_finds_a_service_by_a_bangla_word(client: Client) -> None:
    html = await in_bangla(client, "/services?q=ডিমেনশিয়া")
    assert re.findall(r'href="/services/([a-z0-9-]+)"', main_text_html(html)) == [
        "dementia-memory-care"
    ]


def main_text_html(html: str) -> str:
    results = re.search(r'<section id="results".*?</section>', html, re.S)
    assert results is not None
    return results.group(0)


async def test_a_service_without_bangla_is_shown_in_english(
    client: Client, database: Database
) -> None:
    await database["services"].update_one(
        {"slug": "toddler-care"},
        {"$set": {"name_bn": "", "description_bn": "", "highlights_bn": []}},
    )
    text = main_text(await in_bangla(client, "/services/toddler-care"))
    assert "Toddler Care" in text
    assert "Toddlers are curious, active and quick to learn." in text
    assert "Structured days with play, meals and naps" in text
    assert "এই সেবা সম্পর্কে" in text  # the page's own words are still Bangla


async def test_the_page_cache_keeps_bangla_and_english_apart(client: Client) -> None:
    bangla = await in_bangla(client, "/services")
    client.cookies.delete("lang")
    english = (await client.get("/services")).text
    assert "বাড়িতে যত্নের সেবা" in main_text(bangla)
    assert "Home-care services" in main_text(english)
    assert "বাড়িতে যত্নের সেবা" not in main_text(english)
    assert "বাড়িতে যত্নের সেবা" in main_text(await in_bangla(client, "/services"))


async def test_seeding_again_gives_an_older_demo_database_its_bangla(
    database: Database, caregiver_names: set[str]
) -> None:
    bangla_fields = {"name_bn": "", "description_bn": "", "highlights_bn": ""}
    await database["services"].update_many({}, {"$unset": bangla_fields})
    await database["services"].update_one(
        {"slug": "toddler-care"}, {"$set": {"short_title": "Edited by an admin"}}
    )
    await database["caregivers"].update_many({}, {"$unset": {"bio_bn": ""}})
    assert await seed_catalogue(ServiceRepository(database), datetime.now(UTC), "BDT") == 0
    await seed_caregivers(database, datetime.now(UTC), DEFAULT_PASSWORD)
    toddler = await database["services"].find_one({"slug": "toddler-care"})
    assert toddler is not None
    assert toddler["name_bn"] == "ছোট বাচ্চার যত্ন"
    assert toddler["short_title"] == "Edited by an admin"
    assert await database["services"].count_documents({"name_bn": {"$exists": False}}) == 0
    assert await database["caregivers"].count_documents({"bio_bn": {"$exists": False}}) == 0
