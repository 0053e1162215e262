"""How a reader's language is chosen and kept: the header switch, the account, the address,
the browser, and the kept pages and sitemap that must not mix the languages up."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bson import ObjectId
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from tests.integration.test_page_cache import following
from tests.integration.test_registration import REGISTRATION
from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.openid import sign_in_with_google

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
BANGLA_TITLE = "<title>Carevia — ভরসার হোম কেয়ার</title>"
ENGLISH_TITLE = "<title>Carevia — home care you can trust</title>"


def page_language(html: str) -> str:
    match = re.search(r'<html lang="(\w+)"', html)
    assert match, "no <html lang>"
    return match.group(1)


async def switch(client: Client, language: str, back: str) -> Any:
    token = await csrf_token(client, "/about")
    return await client.post(
        "/language",
        data={"language": language, "next": back, "_csrf_token": token},
        follow_redirects=False,
    )


async def test_a_visitor_switches_to_bangla_and_back_keeping_the_page(client: Client) -> None:
    english = await client.get("/about")
    assert page_language(english.text) == "en"
    assert (
        'action="/language"' in english.text and '<button class="language-choice"' in english.text
    )

    answer = await switch(client, "bn", "/contact?topic=payment")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/contact?topic=payment"
    assert "lang=bn" in answer.headers["set-cookie"]
    page = await client.get("/contact?topic=payment")
    assert page_language(page.text) == "bn" and "যোগাযোগ করুন" in page.text

    assert (await switch(client, "en", "https://evil.example/")).headers["location"] == "/"
    assert page_language((await client.get("/about")).text) == "en"
    assert (await switch(client, "fr", "/")).status_code == 400


async def test_the_choice_is_kept_on_the_account_and_comes_back_at_sign_in(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    user = await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    await switch(client, "bn", "/account")
    stored = await database.users.find_one({"_id": ObjectId(user.id)})
    assert stored is not None and stored["language"] == "bn"
    profile = await client.get("/account")
    assert page_language(profile.text) == "bn" and "আপনার তথ্য" in profile.text

    client.cookies.clear()  # another browser, one that has only ever seen English
    signed_in = await log_in(client, "amina@example.com")
    assert "lang=bn" in signed_in.headers["set-cookie"]
    assert page_language((await client.get("/account")).text) == "bn"


async def test_the_address_and_the_browser_choose_the_language(client: Client) -> None:
    assert page_language((await client.get("/help?lang=bn")).text) == "bn"
    client.cookies.set("lang", "bn")
    assert page_language((await client.get("/help?lang=en")).text) == "en"
    assert page_language((await client.get("/help?lang=xx")).text) == "bn"
    client.cookies.clear()
    first_visit = await client.get("/help", headers={"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"})
    assert page_language(first_visit.text) == "bn"
    assert first_visit.headers["vary"] == "HX-Request, Cookie, Accept-Language"
    assert (
        page_language((await client.get("/help", headers={"Accept-Language": "fr"})).text) == "en"
    )
    missing = await client.get("/no-such-page?lang=bn")
    assert missing.status_code == 404 and "পাতাটি পাওয়া যায়নি" in missing.text


async def test_each_page_names_its_address_in_each_language(client: Client) -> None:
    page = (await client.get("/services?category=baby-care&lang=bn")).text
    base = "https://testserver.local/services?category=baby-care"
    assert f'<link rel="alternate" hreflang="bn" href="{base}&amp;lang=bn">' in page
    assert f'<link rel="alternate" hreflang="en" href="{base}&amp;lang=en">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="{base}">' in page

    canonical = '<link rel="canonical" href="https://testserver.local/about{}">'
    assert canonical.format("?lang=bn") in (await client.get("/about?lang=bn")).text
    assert (
        canonical.format("") in (await client.get("/about", headers={"Accept-Language": "bn"})).text
    )

    sitemap = (await client.get("/sitemap.xml")).text
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap
    for loc in ("/about", "/about?lang=bn", "/about?lang=en"):
        assert f"<loc>https://testserver.local{loc}</loc>" in sitemap
    about = re.search(
        r"<url><loc>https://testserver.local/about\?lang=bn</loc>(.*?)</url>", sitemap, re.S
    )
    assert about is not None
    for hreflang, suffix in (("bn", "?lang=bn"), ("en", "?lang=en"), ("x-default", "")):
        link = f'hreflang="{hreflang}" href="https://testserver.local/about{suffix}"'
        assert link in about.group(1)


async def test_kept_pages_never_reach_a_reader_of_the_other_language(
    app: Litestar, client: Client
) -> None:
    cache = await following(app)
    english = await client.get("/services")
    bangla = await client.get("/services", headers={"Accept-Language": "bn"})
    hits = cache.hits
    assert page_language((await client.get("/services")).text) == "en"
    assert (
        page_language((await client.get("/services", headers={"Accept-Language": "bn"})).text)
        == "bn"
    )
    client.cookies.set("lang", "bn")
    assert page_language((await client.get("/services")).text) == "bn"
    client.cookies.set("lang", "en")
    assert (
        page_language((await client.get("/services", headers={"Accept-Language": "bn"})).text)
        == "en"
    )
    assert cache.hits == hits + 4  # every one of them a kept page, each of its own language
    assert page_language(english.text) == "en" and page_language(bangla.text) == "bn"


async def test_signing_up_in_bangla_keeps_bangla_on_the_new_account(
    client: Client, database: Database
) -> None:
    client.cookies.set("lang", "bn")
    token = await csrf_token(client, "/register")
    form = {**REGISTRATION, "_csrf_token": token}
    refused = await client.post("/register", data={**form, "phone": "12", "district": "Sylhet"})
    assert refused.status_code == 422
    assert "একটি বাংলাদেশি মোবাইল নম্বর লিখুন" in refused.text
    assert "খুলনা বিভাগের একটি জেলা বেছে নিন।" in refused.text
    assert (await client.post("/register", data=form)).status_code == 200
    stored = await database.users.find_one({"email": "farhana.akter@example.com"})
    assert stored is not None and stored["language"] == "bn"


async def test_signing_up_with_google_in_bangla_keeps_bangla(
    client: Client, database: Database
) -> None:
    client.cookies.set("lang", "bn")
    answer = await sign_in_with_google(client, "nadia.islam@example.com")
    assert answer.status_code == 303 and "lang=bn" in answer.headers["set-cookie"]
    stored = await database.users.find_one({"email": "nadia.islam@example.com"})
    assert stored is not None and stored["language"] == "bn"
