"""Catalogue pages kept for signed-out visitors: every write shows on the next read, and
signed-in and signed-out answers never mix."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import pytest
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from carevia.db import connected_database
from carevia.domain.catalogue.changes import DataVersions
from carevia.settings import Settings
from carevia.web.auth import SESSION_COOKIE
from carevia.web.page_cache import PageCache
from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.served_app import served

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
SEEDED = "newborn-night-nanny"
HTMX = {"HX-Request": "true"}
PAGE_TOKEN = re.compile(r'"x-csrftoken": "([0-9a-f]+)"')


async def following(app: Litestar) -> PageCache:
    """The app's cache once its change stream is open (the cache serves nothing before)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        cache: PageCache | None = getattr(app.state, "page_cache", None)
        if cache is not None and cache.versions.following:
            return cache
        await asyncio.sleep(0.02)
    raise AssertionError("the catalogue change stream did not open")


async def twice(client: Client, cache: PageCache, path: str, **options: Any) -> str:
    """Read a page twice as the same visitor; the second answer comes from the cache."""
    first = await client.get(path, **options)
    hits = cache.hits
    second = await client.get(path, **options)
    assert first.status_code == second.status_code == 200
    assert cache.hits == hits + 1, f"{path} was not answered from the cache"
    assert second.text == first.text
    assert second.headers["vary"] == "HX-Request, Cookie, Accept-Language"
    assert second.headers["content-security-policy"] == first.headers["content-security-policy"]
    return second.text


async def test_an_admins_change_shows_on_the_next_signed_out_read(
    app: Litestar, client: Client, make_user: UserFactory
) -> None:
    cache = await following(app)
    await twice(client, cache, f"/services/{SEEDED}")
    assert f'href="/services/{SEEDED}"' in await twice(client, cache, "/services?q=nanny")

    await make_user("admin@example.com", role="admin")
    await log_in(client, "admin@example.com")
    token = await csrf_token(client, "/dashboard/services/new")
    hidden = await client.post(
        f"/dashboard/services/{SEEDED}/status", data={"_csrf_token": token}, follow_redirects=False
    )
    assert hidden.status_code == 303
    client.cookies.delete(SESSION_COOKIE)

    assert (await client.get(f"/services/{SEEDED}")).status_code == 404
    assert f'href="/services/{SEEDED}"' not in (await client.get("/services?q=nanny")).text


async def test_a_write_by_another_process_reaches_the_kept_pages(
    app: Litestar, client: Client, database: Database
) -> None:
    cache = await following(app)
    await twice(client, cache, "/")
    await twice(client, cache, f"/services/{SEEDED}")
    # The test's own client stands for another app process.
    await database["services"].update_one({"slug": SEEDED}, {"$set": {"name": "Night Nanny B"}})
    deadline = time.monotonic() + 5
    while "Night Nanny B" not in (await client.get(f"/services/{SEEDED}")).text:
        assert time.monotonic() < deadline, "the change never reached the kept page"
        await asyncio.sleep(0.02)
    assert "Night Nanny B" in (await client.get("/")).text


async def test_signed_in_and_signed_out_answers_never_mix(
    app: Litestar, client: Client, make_user: UserFactory
) -> None:
    cache = await following(app)
    await make_user("nasrin@example.com", first_name="Nasrin", last_name="Chowdhury")
    await log_in(client, "nasrin@example.com")
    session = client.cookies[SESSION_COOKIE]
    pages = ("/", "/services", f"/services/{SEEDED}")
    for path in pages:
        client.cookies.delete(SESSION_COOKIE)
        signed_out = await twice(client, cache, path)
        assert "Log in" in signed_out and "My account" not in signed_out

        client.cookies.set(SESSION_COOKIE, session)
        hits = cache.hits
        signed_in = await client.get(path)
        assert cache.hits == hits, "a signed-in person was answered from the cache"
        assert "My account" in signed_in.text and ">Log in<" not in signed_in.text
        assert signed_in.headers["cache-control"] == "no-store"

        client.cookies.delete(SESSION_COOKIE)
        after = await client.get(path)
        assert cache.hits == hits + 1, "the signed-in page replaced the kept one"
        assert "My account" not in after.text and "Nasrin" not in after.text


async def test_each_visitor_gets_their_own_csrf_token(app: Litestar, client: Client) -> None:
    cache = await following(app)
    await twice(client, cache, "/services")
    own = client.cookies["csrftoken"]
    client.cookies.clear()
    newcomer = await client.get("/services")
    assert cache.hits == 2
    cookie = newcomer.cookies["csrftoken"]
    assert cookie != own
    assert PAGE_TOKEN.findall(newcomer.text) == [cookie]
    assert f'name="_csrf_token" value="{cookie}"' in newcomer.text
    # The token from the kept page works for a form post.
    chosen = await client.post("/theme", data={"theme": "dark", "_csrf_token": cookie})
    assert chosen.status_code == 200
    dark = await client.get("/services")
    assert 'data-theme="dark"' in dark.text, "the theme cookie is part of the key"
    assert PAGE_TOKEN.findall(dark.text) == [cookie]


async def test_the_fragment_and_the_page_are_kept_apart(app: Litestar, client: Client) -> None:
    cache = await following(app)
    fragment = await twice(client, cache, "/services?category=elderly-care", headers=HTMX)
    page = await twice(client, cache, "/services?category=elderly-care")
    assert "<html" not in fragment and "<html" in page
    boosted = await client.get(
        "/services?category=elderly-care", headers={**HTMX, "HX-Boosted": "true"}
    )
    assert "<html" in boosted.text


async def test_this_processs_writes_move_the_version_before_they_return(
    settings: Settings,
) -> None:
    """What makes the next read in the same process see a write, before any change event."""
    versions = DataVersions(settings.database.name)
    async with connected_database(settings, listeners=[versions]) as database:
        before = versions.current(("catalogue", "free_time"))
        await database["services"].update_one({"slug": SEEDED}, {"$set": {"featured": True}})
        after_write = versions.current(("catalogue", "free_time"))
        assert after_write[0] > before[0] and after_write[1] == before[1]
        await database["contact_messages"].insert_one({"text": "hello"})
        assert versions.current(("catalogue", "free_time")) == after_write

        async with database.client.start_session() as session, await session.start_transaction():
            await database["reviews"].insert_one({"stars": 5}, session=session)
            in_transaction = versions.current(("catalogue",))
        # The commit made the review visible: kept pages drawn before it are stale.
        assert versions.current(("catalogue",)) > in_transaction


async def test_visitors_asking_at_once_for_a_page_not_kept_get_one_drawing(
    settings: Settings,
) -> None:
    with served(settings) as (base_url, app):
        cache = await following(app)
        renders = cache.renders
        # Twenty newcomers, each with a client of their own: none has a CSRF token.
        newcomers = [httpx.AsyncClient(base_url=base_url, timeout=30) for _ in range(20)]
        try:
            answers = await asyncio.gather(
                *(newcomer.get("/services?sort=price_asc") for newcomer in newcomers)
            )
        finally:
            for newcomer in newcomers:
                await newcomer.aclose()
    assert {answer.status_code for answer in answers} == {200}
    assert cache.renders == renders + 1, "one drew the page and the others were given it"
    tokens = [PAGE_TOKEN.findall(answer.text) for answer in answers]
    assert len({token for [token] in tokens}) == 20, "each newcomer still gets their own token"
    pages = {
        answer.text.replace(token, "") for answer, [token] in zip(answers, tokens, strict=True)
    }
    assert len(pages) == 1
