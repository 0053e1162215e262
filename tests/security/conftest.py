"""One app and one seeded world for the matrix and the crawl, which send ~1,300 requests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo import MongoClient

from carevia.app import create_app
from carevia.db import connected_database
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.catalogue.seed import seed_catalogue
from carevia.settings import Settings
from tests.security.world import World
from tests.support.application import settings_for


@pytest.fixture(scope="package")
def module_database_name(mongo_uri: str) -> Iterator[str]:
    name = f"carevia_security_{uuid.uuid4().hex[:12]}"
    yield name
    with MongoClient[dict[str, Any]](mongo_uri, serverSelectionTimeoutMS=2000) as client:
        client.drop_database(name)


@pytest.fixture(scope="package")
def world_settings(
    mongo_uri: str, module_database_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return settings_for(mongo_uri, module_database_name, tmp_path_factory.mktemp("security"))


@pytest.fixture(scope="package")
def world_app(world_settings: Settings) -> Litestar:
    return create_app(world_settings)


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(world_app: Litestar, world_settings: Settings) -> AsyncIterator[World]:
    async with (
        AsyncTestClient(app=world_app, base_url="https://testserver.local") as client,
        connected_database(world_settings) as database,
    ):
        await seed_catalogue(ServiceRepository(database), datetime.now(UTC), "BDT")
        yield await World(client, database).build()
