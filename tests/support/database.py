"""A real MongoDB-wire server for the whole session, and a fresh database for each test.

Set CAREVIA_TEST_MONGODB_URI to run the suite against another MongoDB server instead.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from carevia.embedded_db import EmbeddedDatabase


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("CAREVIA_TEST_MONGODB_URI")
    if external:
        yield external
        return
    log_dir = tmp_path_factory.mktemp("secantus")
    server = EmbeddedDatabase(":memory:", test_commands=True, log_file=log_dir / "server.log")
    server.start()
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture
def database_name(mongo_uri: str) -> Iterator[str]:
    name = f"carevia_test_{uuid.uuid4().hex[:12]}"
    yield name
    # SecantusDB can spin for ever in `dropDatabase` when a transaction the test ended with
    # `killAllSessions` still holds some of its keys. The name is unique to this test and the
    # server is in memory, so a drop that does not finish in time is left behind.
    with (
        MongoClient[dict[str, Any]](
            mongo_uri, serverSelectionTimeoutMS=2000, socketTimeoutMS=15_000
        ) as client,
        contextlib.suppress(PyMongoError),
    ):
        client.drop_database(name)
