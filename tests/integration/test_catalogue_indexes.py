"""Every catalogue filter and sort is read through an index, on a catalogue of 10,000."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
from pymongo import WriteConcern
from pymongo.asynchronous.database import AsyncDatabase

from carevia.db import ensure_indexes
from carevia.domain.catalogue import Category, ServiceFilter, ServiceRepository
from carevia.domain.catalogue.repository import INDEXES
from carevia.domain.catalogue.service import PAGE_SIZE
from tests.support.query_plans import stages

CATALOGUE_SIZE = 10_000
DIVISIONS = ("Dhaka", "Sylhet", "Rangpur", "Khulna", "Chattogram")
CATEGORIES = list(Category)

# Each filter once, each sort once, and the text search with the others.
FILTERS = [
    ServiceFilter(),
    ServiceFilter(category=Category.ELDERLY_CARE, sort="price_asc"),
    ServiceFilter(divisions=("Sylhet", "Rangpur"), sort="newest"),
    ServiceFilter(min_rating=4.0, sort="rating"),
    ServiceFilter(text="night", category=Category.BABY_CARE, divisions=("Dhaka",)),
    ServiceFilter(text="night", sort="price_desc"),
    # A Bangla word is looked for in the `_bn` fields as well, still through an index.
    ServiceFilter(text="রাত"),
]


def service_document(number: int, now: datetime) -> dict[str, Any]:
    return {
        "slug": f"service-{number:05d}",
        "name": f"Service {number} {'night' if number % 7 == 0 else 'day'} care",
        "short_title": "Care at home",
        "highlights": ["Gentle help"],
        "name_bn": f"সেবা {number} {'রাত' if number % 7 == 0 else 'দিন'}",
        "category": CATEGORIES[number % len(CATEGORIES)].value,
        "divisions": [DIVISIONS[number % len(DIVISIONS)], DIVISIONS[(number + 2) % 5]],
        "status": "active" if number % 10 else "inactive",
        "featured": number % 50 == 0,
        "price_per_hour": 20_000 + number % 400 * 100,
        "rating": {"average": number % 50 / 10, "count": number % 30},
        "created_at": now - timedelta(minutes=number),
    }


async def test_every_list_query_reads_through_an_index(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    now = datetime.now(UTC)
    # The app's 3 s deadline is for a request; loading 10,000 services takes longer.
    with pymongo.timeout(60):
        services = database["services"].with_options(write_concern=WriteConcern(w=1))
        documents = [service_document(number, now) for number in range(CATALOGUE_SIZE)]
        await asyncio.gather(
            *(services.insert_many(documents[i::4], ordered=False) for i in range(4))
        )
        await ensure_indexes(database, [INDEXES])
    repository = ServiceRepository(database)
    for service_filter in FILTERS:
        plan = (await repository.search_plan(service_filter, PAGE_SIZE))["queryPlanner"]
        used = stages(plan["winningPlan"])
        assert "IXSCAN" in used and "COLLSCAN" not in used, (service_filter, used)
    night_in_bangla = [d for d in documents if d["status"] == "active" and "রাত" in d["name_bn"]]
    assert await repository.count(ServiceFilter(text="রাত")) == len(night_in_bangla)
