"""The /caregivers directory: filters that combine, with and without htmx, and bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from bson import ObjectId
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.listings import (
    BUSY_DAY,
    Database,
    caregiver,
    profile_ids,
    seed_listing_world,
)

Client = AsyncTestClient[Litestar]
pytestmark = pytest.mark.timeout(180)
RUNS = hypothesis_settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
SORT_KEYS: dict[str, Any] = {
    "rating": lambda c: (-c["rating"]["average"], -c["rating"]["count"], c["_id"]),
    "experience": lambda c: (-c["years_experience"], c["_id"]),
    "newest": lambda c: (-c["created_at"].timestamp(), -int(str(c["_id"]), 16)),
    "name": lambda c: (c["display_name"], c["_id"]),
}
FILTERS = st.fixed_dictionaries(
    {
        "category": st.sampled_from(["", "baby-care", "elderly-care", "sick-care"]),
        "division": st.sampled_from(["", "Dhaka", "Chattogram", "Sylhet"]),
        "language": st.sampled_from(["", "Bangla", "english", "Chakma"]),
        "min_rating": st.sampled_from(["", "3", "4", "4.5"]),
        "free_on": st.sampled_from(
            ["", BUSY_DAY.isoformat(), (BUSY_DAY + timedelta(1)).isoformat()]
        ),
        "sort": st.sampled_from(["", *SORT_KEYS]),
    }
)
EVERYTHING_AT_ONCE = {
    "category": "baby-care",
    "division": "Dhaka",
    "language": "bangla",
    "min_rating": "4",
    "free_on": BUSY_DAY.isoformat(),
    "sort": "experience",
}


async def expected_ids(database: Database, query: dict[str, str]) -> list[str]:
    """The directory worked out by hand from the stored caregivers and accounts."""
    active = {
        user["_id"]
        async for user in database["users"].find({"is_active": True, "deleted_at": None})
    }
    held = set(await database["slot_claims"].distinct("caregiver_id"))
    found = []
    async for found_caregiver in database["caregivers"].find({"verified": True}):
        c = found_caregiver
        day = query.get("free_on", "")
        if not (
            c["_id"] in active
            and (not query.get("category") or query["category"] in c["categories"])
            and (not query.get("division") or query["division"] in c["divisions"])
            and (
                not query.get("language")
                or query["language"].casefold() in [x.casefold() for x in c["languages"]]
            )
            and (
                not query.get("min_rating") or c["rating"]["average"] >= float(query["min_rating"])
            )
            and (
                not day
                or (
                    c["availability"]
                    and day not in c["days_off"]
                    and not (day == BUSY_DAY.isoformat() and c["_id"] in held)
                )
            )
        ):
            continue
        found.append(c)
    found.sort(key=SORT_KEYS[query.get("sort") or "rating"])
    return [str(c["_id"]) for c in found]


async def directory(client: Client, query: dict[str, str], htmx: bool) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    page = await client.get(f"/caregivers?{urlencode(query)}", headers=headers)
    assert page.status_code == 200, page.text
    assert ("<html" in page.text) is not htmx
    assert page.headers["vary"] == "HX-Request, Cookie, Accept-Language"
    return page.text


async def test_filters_combine_the_same_with_and_without_htmx(
    client: Client, database: Database
) -> None:
    await seed_listing_world(database)
    loop = asyncio.get_running_loop()
    seen_some = seen_none = 0

    async def check(query: dict[str, str]) -> None:
        nonlocal seen_some, seen_none
        query = {name: value for name, value in query.items() if value}
        expected = await expected_ids(database, query)
        for htmx in (False, True):
            assert profile_ids(await directory(client, query, htmx)) == expected, query
        seen_some += bool(expected)
        seen_none += not expected

    @RUNS
    @given(FILTERS)
    @example(EVERYTHING_AT_ONCE)
    @example({"free_on": BUSY_DAY.isoformat(), "sort": "name"})
    def any_filters(query: dict[str, str]) -> None:
        asyncio.run_coroutine_threadsafe(check(query), loop).result(timeout=60)

    await asyncio.to_thread(any_filters)
    assert seen_some and seen_none


async def test_a_free_day_leaves_out_days_off_held_days_and_no_hours(
    client: Client, database: Database
) -> None:
    world = await seed_listing_world(database)
    page = await directory(
        client, {"category": "baby-care", "free_on": BUSY_DAY.isoformat()}, False
    )
    assert profile_ids(page) == [str(world.shown["Shirin Akhter"])]
    assert f'value="{BUSY_DAY.isoformat()}"' in page


async def test_pages_follow_the_order_and_keep_the_filters(
    client: Client, database: Database
) -> None:
    ids: list[ObjectId] = []
    for n in range(14):
        ids.append(
            await caregiver(
                database,
                f"carer{n}@example.com",
                f"Carer {n:02d}",
                categories=("sick-care",),
                divisions=["Khulna"],
                languages=["Bangla"],
                rating=4.0,
                years=n,
                age_days=n,
            )
        )
    query = {"division": "Khulna", "sort": "experience"}
    first = await directory(client, query, False)
    second = await directory(client, {**query, "page": "2"}, True)
    by_experience = [str(i) for i in reversed(ids)]
    assert profile_ids(first) == by_experience[:12]
    assert profile_ids(second) == by_experience[12:]
    assert "1–12 of 14 caregivers" in first and "13–14 of 14 caregivers" in second
    assert 'href="/caregivers?division=Khulna&amp;sort=experience&amp;page=2"' in first


async def test_no_match_offers_to_clear_the_filters(client: Client, database: Database) -> None:
    await seed_listing_world(database)
    page = await directory(client, {"division": "Rangpur"}, True)
    assert profile_ids(page) == []
    assert '<a href="/caregivers">Clear filters</a>' in page


@pytest.mark.parametrize(
    "query",
    [
        "category=massage",
        "division=Mars",
        "min_rating=6",
        "min_rating=nan",
        "min_rating=%D9%A3",
        "free_on=2026-13-01",
        "free_on=9999-12-31",
        "free_on=2000-01-01",
        "sort=price",
        "page=two",
        "language=" + "x" * 31,
    ],
)
async def test_a_bad_filter_is_refused_with_a_clear_400(client: Client, query: str) -> None:
    for headers in ({}, {"HX-Request": "true"}):
        page = await client.get(f"/caregivers?{query}", headers=headers)
        assert page.status_code == 400, (query, page.status_code)


async def test_typed_language_text_is_matched_literally(client: Client, database: Database) -> None:
    world = await seed_listing_world(database)
    for pattern in (".*", "^B", "(", "Bangla|English", '{"$ne": ""}'):
        assert profile_ids(await directory(client, {"language": pattern}, False)) == []
    found = profile_ids(await directory(client, {"language": "CHAKMA"}, False))
    assert found == [str(world.shown["Rahim Uddin"])]
